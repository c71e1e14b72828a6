"""Real published plans import as published (tests/data/real_plans, sources in its README).

Each file is a transcription of a plan a partnership, council or NHS trust published, with a
JSON file saying, row by row, what a faithful import holds. The files are read exactly as
they are: no header renamed, no row removed.
"""

import json
import re
from pathlib import Path

import pytest

from oversight.importing import parse_file
from plans.layout import leading_ref

DATA = Path(__file__).resolve().parent.parent / "data" / "real_plans"
PLANS = sorted(path.stem for path in DATA.glob("*.csv"))
KIND = {"business_plan": "plan", "review_action_plan": "review", "improvement_plan": "review"}


def expected_of(name):
    return json.loads((DATA / f"{name}.expected.json").read_text())


def words(text):
    """Text compared as a reader sees it: its own leading reference, spacing and line breaks
    aside."""
    text = leading_ref(text or "")[1] if text else ""
    return " ".join((text or "").replace("\u2019", "'").split()).strip(". ")


def expected_parents(expected):
    """Top-level items with their actions; a priority's objectives carry no actions of their
    own (seed-like business plans list them above the table)."""
    return [item for item in expected["recommendations"] if "actions" in item]


def test_the_collection_is_at_least_eight_real_plans_each_with_its_source():
    readme = (DATA / "README.md").read_text()
    assert len(PLANS) >= 8
    for name in PLANS:
        expected = expected_of(name)
        assert expected["source_url"].startswith("http")
        assert name in readme


@pytest.mark.parametrize("name", PLANS)
def test_real_plan_reads_as_published(name):
    expected = expected_of(name)
    parsed = parse_file((DATA / f"{name}.csv").read_bytes(), f"{name}.csv")
    assert parsed["kind"] == KIND[expected["kind"]]
    headings = [column["written"] for column in parsed["columns"] if column["written"].strip()]
    published = [" ".join(h.split()) for h in expected["header_row"] if h.strip()]
    assert [" ".join(h.split()) for h in headings] == published

    ours = parsed["recommendations"] if parsed["kind"] == "review" else parsed["objectives"]
    theirs = expected_parents(expected)
    assert len(ours) == len(theirs), [p["text"][:40] for p in ours]
    for parent, want in zip(ours, theirs, strict=True):
        if want.get("reference"):
            assert parent["reference"].rstrip(".") == want["reference"].rstrip(".")
        if parsed["kind"] == "review":
            assert words(parent["text"]) == words(want["text"])
        actions = want["actions"] or [{"text": None}]
        if want.get("partial"):
            actions = parent["actions"][:1] and [{"text": None}]
        assert len(parent["actions"]) == len(actions), parent["row"]
        for action, wanted in zip(parent["actions"], actions, strict=True):
            check_action(action, wanted, parent)


def check_action(action, wanted, parent):
    where = f"row {action['row']}"
    text = wanted.get("text") or parent["text"]
    assert words(action["text"]) == words(text), where
    if wanted.get("reference"):
        assert action["reference"].rstrip(".") == wanted["reference"].rstrip("."), where
    for ours, theirs in (
        ("lead_text", "lead"),
        ("measure", "success_measure"),
        ("progress", "progress"),
    ):
        if theirs in wanted:
            assert words(action[ours]) == words(wanted[theirs]), (where, ours)
    if wanted.get("timescale"):
        assert words(action["timescale"]) == words(wanted["timescale"]), where
    if "status" in wanted:
        assert words(action["status"]) == words(wanted["status"]), where


def test_published_references_status_words_and_as_at_dates_are_kept():
    si444 = parse_file(
        (DATA / "nhs_homicide_review_si444_action_plan_2015.csv").read_bytes(), "x.csv"
    )
    assert [r["reference"] for r in si444["recommendations"]] == ["1", "2"]
    assert {a["rating"] for r in si444["recommendations"] for a in r["actions"]} == {"complete"}

    stockton = parse_file((DATA / "stockton_lscb_review_progress_2017.csv").read_bytes(), "x.csv")
    assert stockton["as_at"] == "Dec 2017"
    ratings = [r["actions"][0]["rating"] for r in stockton["recommendations"]]
    # The key under the table says "1 Fully Achieved"; "2" is not in the key: ask.
    assert ratings == [None, None, None, "complete", "complete"]
    assert stockton["questions"] == {"2": [3, 4, 5]}


def test_a_sector_heading_is_a_section_never_a_recommendation_or_an_agency(structure):
    bristol = parse_file(
        (DATA / "bristol_ag_scr_action_plan_2007.csv").read_bytes(), "x.csv", check_agencies=True
    )
    assert [s["name"] for s in bristol["sections"]] == ["10.1 Health"]
    assert [r["reference"] for r in bristol["recommendations"]] == ["10.1.1", "10.1.2"]
    assert not any(r["text"] == "Health" for r in bristol["recommendations"])
    # A numbered sector heading is not an agency, so nothing to warn about either.
    assert not [w for w in bristol["warnings"] if "agency" in w["message"]]


def test_unrecognised_columns_are_kept_as_labelled_notes_and_said_so():
    dorset = parse_file(
        (DATA / "dorset_scr_appendix2_health_action_plan_2006.csv").read_bytes(), "x.csv"
    )
    review_date = next(c for c in dorset["columns"] if c["heading"] == "Review Date")
    assert review_date["field"] == "note"
    first = dorset["recommendations"][0]["actions"][0]
    assert first["notes"].startswith("Review Date: Audit March 2007")
    assert any('Column E ("Review Date")' in w["message"] for w in dorset["warnings"])
    # The page-break repeat of the header is skipped, and says so.
    assert {"row": 10, "why": "a repeated header row"} in dorset["skipped"]
    assert re.search("Recording", dorset["recommendations"][0]["section"])
