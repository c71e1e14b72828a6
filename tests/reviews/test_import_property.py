"""Property: whatever cells a CSV holds, the reader and parsers either return plain data or
raise ImportFailed (the validation error) - never anything else."""

import csv
import io
import json

from hypothesis import HealthCheck, given, settings

# Every property test here draws the same examples each run (derandomize), so CI is
# repeatable; tests/test_fuzz_forms.py explains how to search fresh ones by hand.
from hypothesis import strategies as st

from oversight.importing import ImportOptions, apply_parsed, parse_file
from plans.importing import HEADER_KINDS, ImportFailed

HEADINGS = [heading for kind in HEADER_KINDS.values() for _name, heading in kind.columns]
MEANINGFUL = [
    "",
    "Overview Report",
    "Barnardo's",
    "Unknown Agency Ltd",
    "\u2022 first \u2022 second",
    "Intro:\n- a\n- b",
    "Recommendation added following Ofsted evaluation letter June 2010\nAugust 2010",
    "By 31/12/09",
    "31/02/2010",
    "Completed Oct 2009 Mar 2010",
    "1",
    "1.0",
    "0",
    "99999",
    "Red",
    "not started",
    "Purple",
    '"quoted, with comma"',
    "x" * 300,
    "\x00nul",
    "\ufeffbom",
    "=SUM(A1:A2)",
]
cells = st.one_of(st.sampled_from(MEANINGFUL), st.sampled_from(HEADINGS), st.text(max_size=40))
rows = st.lists(st.lists(cells, max_size=10), max_size=25)


def to_csv(header, body, delimiter):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    if header is not None:
        writer.writerow(header)
    writer.writerows(body)
    return out.getvalue().encode("utf-8")


def header_for(kind, data):
    """The kind's headings in an order hypothesis chooses."""
    return data.draw(st.permutations([h for _n, h in HEADER_KINDS[kind].columns]))


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(
    kind=st.sampled_from([None, "review", "plan"]),
    body=rows,
    delimiter=st.sampled_from([",", ";", "\t"]),
    data=st.data(),
)
def test_the_csv_reader_only_ever_fails_with_a_validation_error(kind, body, delimiter, data):
    header = header_for(kind, data) if kind else None
    try:
        parsed = parse_file(to_csv(header, body, delimiter), "plan.csv")
    except ImportFailed as failed:
        assert failed.problems
        assert all(str(problem) for problem in failed.problems)
        return
    assert parsed["kind"] in {"review", "plan"}
    json.dumps(parsed)  # it must fit in a pending upload's JSON field


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".csv", ".xlsx", ".xls", ".txt"]))
def test_any_bytes_only_ever_fail_with_a_validation_error(data, suffix):
    try:
        parse_file(data, f"upload{suffix}")
    except ImportFailed as failed:
        assert failed.problems


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(kind=st.sampled_from(["review", "plan"]), body=rows, data=st.data())
def test_applying_a_parsed_file_only_ever_fails_with_a_validation_error(
    structure, admin_user, kind, body, data
):
    from plans.models import Partnership

    header = header_for(kind, data)
    try:
        parsed = parse_file(to_csv(header, body, ","), "plan.csv")
    except ImportFailed:
        return
    options = ImportOptions(
        partnership=Partnership.objects.get(short_name="NSCP"),
        user=admin_user,
        review_code=data.draw(st.sampled_from(["AN09", "Child J", "", "!!", "x" * 41])),
        plan_name=data.draw(st.sampled_from(["Plan", "", "NSCP plan 2026"])),
        create_agencies=data.draw(st.booleans()),
        dry_run=True,
    )
    try:
        apply_parsed(parsed, options)
    except ImportFailed as failed:
        assert failed.problems
