"""Malformed files: every problem is reported at once with its row and column, and the
database is left exactly as it was."""

import csv
import io
import zipfile

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from oversight.importing import ImportOptions, import_file, parse_file
from plans.history import tracked_models
from plans.importing import ImportFailed
from plans.layout import clean_block, split_actions
from plans.models import Action, Agency, Objective, RagUpdate
from reviews.models import CaseReview, Recommendation

REVIEW_HEADER = [
    "Outcome",
    "Recommendation",
    "Action",
    "By Whom",
    "Timescale",
    "Audit of implementation (include method of audit)",
]
PLAN_HEADER = [
    "No.",
    "What do we want to achieve?",
    "How are we going to do it?",
    "Who will lead?",
    "How will we know we have achieved our goal?",
    "When are we going to achieve this?",
    "Comment on Progress",
    "RAG rating",
]


def csv_bytes(rows):
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def problems_of(data, filename="plan.csv"):
    with pytest.raises(ImportFailed) as failed:
        parse_file(data, filename)
    return [(p.row, p.letter, p.column, p.message) for p in failed.value.problems]


def snapshot():
    """Everything the importer could touch, so a test can show nothing changed."""
    return (
        sum(model.history.count() for model in tracked_models()),
        CaseReview.objects.count(),
        Recommendation.objects.count(),
        Action.objects.count(),
        Agency.objects.count(),
    )


def options(nscp, **extra):
    return ImportOptions(partnership=nscp, review_code="TST1", **extra)


# -- The file itself ------------------------------------------------------------------------


def test_an_empty_file(db):
    assert problems_of(b"") == [(None, "", "", "The file is empty.")]


def test_a_file_of_blank_cells_is_empty(db):
    assert problems_of(b",,,\r\n,,\r\n") == [
        (None, "", "", "The file is empty: it has no filled cells.")
    ]


@pytest.mark.parametrize(
    ("filename", "message"),
    [
        ("plan.pdf", "Wrong file type: import an Excel .xlsx file or a .csv file."),
        ("plan.docx", "Wrong file type: import an Excel .xlsx file or a .csv file."),
        ("plan.xls", "Wrong file type: this is an old Excel .xls file. Save it as .xlsx or .csv."),
        ("plan", "Wrong file type: import an Excel .xlsx file or a .csv file."),
    ],
)
def test_a_wrong_file_type(db, filename, message):
    assert problems_of(b"Outcome,Recommendation", filename) == [(None, "", "", message)]


def test_an_unreadable_excel_file(db):
    assert problems_of(b"this is not a zip", "plan.xlsx") == [
        (None, "", "", "The file cannot be read: it is not a valid Excel .xlsx file.")
    ]
    damaged = io.BytesIO()
    with zipfile.ZipFile(damaged, "w") as archive:
        archive.writestr("xl/workbook.xml", "<not-xml")
    assert problems_of(damaged.getvalue(), "plan.xlsx")[0][3].startswith("The file cannot be read")


def test_an_unreadable_csv_file(db):
    assert problems_of(b"\x00\x01\x02\xff" * 10, "plan.csv") == [
        (None, "", "", "The file cannot be read: it is not a text CSV file.")
    ]


@override_settings(PLAN_IMPORT_MAX_BYTES=100)
def test_a_file_too_large(db):
    assert problems_of(b"x" * 101) == [(None, "", "", "The file is larger than 9.53674e-05 MB.")]


def test_no_header_row(db):
    (problem,) = problems_of(csv_bytes([["Some", "other"], ["table", "entirely"]]))
    assert problem[0] == 1
    assert problem[3].startswith("No header row found in the first 40 rows")
    assert '"Action", "Recommendation"' in problem[3]


def test_a_header_needs_only_actions_or_recommendations(db):
    """Columns are recognised by meaning; none but the action (or recommendation) is needed,
    and a heading nobody knows is kept as a note and said so."""
    rows = [
        ["AN09 action plan"],
        ["Recommendation", "Action", "Whom", "Time"],
        ["R", "A", "x", "y"],
    ]
    parsed = parse_file(csv_bytes(rows), "plan.csv")
    assert parsed["header_row"] == 2
    assert [(c["heading"], c["field"]) for c in parsed["columns"]] == [
        ("Recommendation", "recommendation"),
        ("Action", "action"),
        ("Whom", "note"),
        ("Time", "note"),
    ]
    (action,) = parsed["recommendations"][0]["actions"]
    assert action["notes"] == "Whom: x\nTime: y"
    assert sum("is not a field of ours" in w["message"] for w in parsed["warnings"]) == 2

    (problem,) = problems_of(csv_bytes([["Lead", "Timescale", "Notes"], ["a", "b", "c"]]))
    assert problem[:1] == (1,)
    assert problem[3] == (
        "No column of actions or recommendations: choose which column holds them."
    )


def test_a_heading_twice_keeps_the_second_as_a_note(db):
    rows = [[*REVIEW_HEADER, "Action"], ["O", "R", "Act", "", "", "", "More"]]
    parsed = parse_file(csv_bytes(rows), "plan.csv")
    assert [c["field"] for c in parsed["columns"]][-1] == "note"
    (action,) = parsed["recommendations"][0]["actions"]
    assert (action["text"], action["notes"]) == ("Act", "Action: More")


# -- Rows -----------------------------------------------------------------------------------


def test_every_row_problem_is_reported_at_once(db):
    rows = [
        REVIEW_HEADER,
        ["", "", "An action with nothing above it", "", "", ""],
        ["Barnardo's"],
        ["An outcome", "", "Act", "", "", ""],
        ["Outcome", "Rec", "", "Manager", "", ""],
        ["Outcome", "Rec 2", "Act", "Manager", "", ""],
    ]
    assert problems_of(csv_bytes(rows)) == [
        (
            2,
            "B",
            "Recommendation",
            "This row has no recommendation and there is none above it in this section.",
        ),
        (4, "B", "Recommendation", "This row has an outcome but no recommendation."),
        (
            5,
            "C",
            "Action",
            "Enter the action: this row gives a lead, timescale or audit but no action.",
        ),
    ]


def test_an_unknown_agency_heading_is_kept_as_a_section_and_warned(structure):
    """A heading row naming no known agency stays a heading (its recommendations address no
    agency); a close name is offered; agencies are added only when the person asks."""
    from plans.models import Partnership

    nscp = Partnership.objects.get(short_name="NSCP")
    rows = [
        REVIEW_HEADER,
        ["Barnardo's"],
        ["Outcome", "Rec", "Act", "Lead", "Aug 2009", "Audit"],
        ["Made-up Trust"],
        ["Outcome", "Rec 2", "Act", "Lead", "Aug 2009", "Audit"],
        ["Barnardos"],
        ["Outcome", "Rec 3", "Act", "Lead", "Aug 2009", "Audit"],
    ]
    parsed = parse_file(csv_bytes(rows), "plan.csv", check_agencies=True)
    messages = {w["row"]: w["message"] for w in parsed["warnings"]}
    assert messages[4].startswith('"Made-up Trust" is not an agency the tracker knows')
    assert messages[6].endswith('Did you mean "Barnardo\'s"?')
    assert 2 not in messages
    assert "--create-agencies" not in " ".join(messages.values())

    summary = import_file(csv_bytes(rows), "plan.csv", options(nscp))
    assert summary.counts["recommendations"]["created"] == 3
    assert not Agency.objects.filter(name="Made-up Trust").exists()
    made_up = Recommendation.objects.get(text="Rec 2")
    assert (made_up.agency, made_up.section) == (None, "Made-up Trust")

    rows[3] = ["Another Unknown Council"]
    rows[4][1] = "Rec 4"
    import_file(csv_bytes(rows), "plan.csv", options(nscp, create_agencies=True))
    assert Agency.objects.get(name="Another Unknown Council").partnerships.get() == nscp


def test_a_sector_heading_never_becomes_an_agency(structure):
    from plans.models import Partnership

    nscp = Partnership.objects.get(short_name="NSCP")
    rows = [
        REVIEW_HEADER,
        ["10.1 Health"],
        ["O", "R", "A", "", "", ""],
        ["Police"],
        ["O", "R2", "A", "", "", ""],
    ]
    import_file(csv_bytes(rows), "plan.csv", options(nscp, create_agencies=True))
    assert not Agency.objects.filter(name__in=["10.1 Health", "Police"]).exists()
    assert [r.section for r in Recommendation.objects.order_by("number")] == [
        "10.1 Health",
        "Police",
    ]


def test_the_command_prints_each_problem_and_exits_non_zero(structure, tmp_path):
    path = tmp_path / "bad.csv"
    rows = [
        REVIEW_HEADER,
        ["Nowhere Agency"],
        ["", "", "A", "", "", ""],
        ["O", "", "A", "", "", ""],
    ]
    path.write_bytes(csv_bytes(rows))
    err = io.StringIO()
    before = snapshot()
    with pytest.raises(CommandError, match=r"bad.csv: 2 problem\(s\); nothing was imported"):
        call_command("import_action_plan", str(path), review="X1", partnership="NSCP", stderr=err)
    assert err.getvalue().splitlines() == [
        "bad.csv, row 3, column B (Recommendation): This row has no recommendation and there is "
        "none above it in this section.",
        "bad.csv, row 4, column B (Recommendation): This row has an outcome but no recommendation.",
    ]
    assert snapshot() == before


def test_a_10000_row_file_reports_every_bad_row_and_writes_nothing(structure):
    from plans.models import Partnership

    rows = [REVIEW_HEADER, ["Barnardo's"]]
    bad_rows = []
    for index in range(10_000):
        if index % 1000 == 500:
            rows.append(["An outcome", "", "Act", "", "", ""])  # no recommendation
            bad_rows.append(len(rows))
        else:
            rows.append(
                [f"Outcome {index}", f"Recommendation {index}", f"Action {index}", "", "", ""]
            )
    data = csv_bytes(rows)
    assert len(rows) == 10_002
    before = snapshot()
    with pytest.raises(ImportFailed) as failed:
        import_file(data, "big.csv", options(Partnership.objects.get(short_name="NSCP")))
    assert [(p.row, p.letter) for p in failed.value.problems] == [(r, "B") for r in bad_rows]
    assert len(bad_rows) == 10
    assert snapshot() == before


def test_repeated_headers_case_spacing_and_order_are_ignored(structure):
    from plans.models import Partnership

    header = [
        "  by   whom ",
        "ACTION",
        "outcome",
        "Recommendation",
        "TimeScale",
        "audit of implementation",
        "Progress",
    ]
    rows = [
        header,
        ["Barnardo's"],
        ["Lead A", "• First • Second", "Out", "Rec 1", "By 31/12/09", "• Minutes • Audit", "Done"],
        header,
        ["Lead B", "Do this, so that plans:\n• a\n• b", "", "Rec 2", "Dec 09", "Audit", ""],
        ["Lead C", "Third", "", "", "Jan 2010", "", ""],
        ["", "", "", "", "", "More audit", ""],
    ]
    import_file(csv_bytes(rows), "p.csv", options(Partnership.objects.get(short_name="NSCP")))
    first, second = Recommendation.objects.order_by("number")
    assert (first.outcome, second.outcome) == ("Out", "Out")
    assert [(a.text, a.lead_text, a.measure, a.completion_notes) for a in first.actions.all()] == [
        ("First", "Lead A", "- Minutes\n- Audit", "Done"),
        ("Second", "Lead A", "- Minutes\n- Audit", "Done"),
    ]
    assert [(a.text, a.measure) for a in second.actions.all()] == [
        ("Do this, so that plans:\n- a\n- b", "Audit"),
        ("Third", "More audit"),
    ]


def test_cell_bullets():
    assert split_actions("\u2022 a \u2022 b") == ["a", "b"]
    assert split_actions("- a\n- b\ncontinued") == ["a", "b\ncontinued"]
    assert split_actions("Intro:\n- a") == ["Intro:\n- a"]
    assert split_actions("") == []
    assert clean_block("\u2022 only one") == "only one"
    assert clean_block("\uf0b7 a \uf0b7 b") == "- a\n- b"


# -- Business plans -------------------------------------------------------------------------


def plan_rows(*rows):
    return csv_bytes([PLAN_HEADER, *rows])


def test_business_plan_problems_block_and_the_rest_warns_or_asks(db):
    data = plan_rows(
        ["", "", "Action before any objective", "", "", "", "", ""],
    )
    assert problems_of(data) == [
        (
            2,
            "B",
            "What do we want to achieve?",
            "This row has no objective and there is none above it in this section.",
        ),
    ]
    parsed = parse_file(
        plan_rows(
            ["1", "Objective one", "Act", "QA", "Report", "June 2019", "Going well", "Purple"],
            ["one", "Objective", "Act", "", "", "", "", ""],
            ["2", "", "Act", "", "", "", "", ""],
            ["1", "Again", "Act", "", "", "", "", ""],
            ["", "", "Act", "", "", "", "On track", ""],
        ),
        "bp.csv",
    )
    numbers = [(o["reference"], o["number"]) for o in parsed["objectives"]]
    assert numbers == [("1", 1), ("one", 2), ("2", 3), ("1", 4)]
    assert parsed["questions"] == {"Purple": [2]}
    assert {"row": 4, "message": "Objective 2 has no text: the reference stands for it."} in (
        parsed["warnings"]
    )
    last = parsed["objectives"][-1]["actions"][-1]
    assert (last["progress"], last["rating"], last["comment"]) == ("On track", None, "")


def test_business_plan_ratings_need_a_user(structure):
    from plans.models import Partnership

    data = plan_rows(["1", "Objective", "Act", "QA", "Report", "June 2019", "On track", "green"])
    with pytest.raises(ImportFailed, match="Name the importing user"):
        import_file(
            data,
            "bp.csv",
            ImportOptions(partnership=Partnership.objects.get(short_name="NCSCP"), plan_name="BP"),
        )
    assert not Objective.objects.exists()


def test_business_plan_import_rates_with_the_importing_user_once(structure, admin_user):
    from plans.models import Partnership

    ncscp = Partnership.objects.get(short_name="NCSCP")
    data = plan_rows(
        [
            "1",
            "Children in care are safe",
            "Audit care plans",
            "Children's Quality Assurance and Performance subgroup (Children's QA)",
            "Report to BMG",
            "June 2019 Oct 2019",
            "On track",
            "GREEN",
        ],
        ["", "", "Review the audit tool", "Training subgroup", "Use of tool", "Feb 2020", "", ""],
        ["", "", "", "", "Report to OMG", "Oct 2019", "", ""],
    )
    opts = ImportOptions(partnership=ncscp, plan_name="NCSCP Test Plan 2026", user=admin_user)
    summary = import_file(data, "bp.csv", opts)
    assert summary.counts["RAG updates"]["created"] == 1
    objective = Objective.objects.get()
    assert (objective.ref, objective.plan.slug) == (
        "ncscp-test-plan-2026-obj-1",
        "ncscp-test-plan-2026",
    )
    first, second = objective.actions.order_by("position")
    assert [g.slug for g in first.lead_groups.all()] == ["ncscp-childrens-qa"]
    assert [g.slug for g in second.lead_groups.all()] == ["ncscp-training"]
    assert (second.measure, second.timescale) == (
        "Use of tool\nReport to OMG",
        "Feb 2020\nOct 2019",
    )
    assert [str(m.due) for m in first.milestones.all()] == ["2019-06-30", "2019-10-31"]
    update = RagUpdate.objects.get()
    assert (update.action, update.rating, update.comment, update.author) == (
        first,
        "green",
        "On track",
        admin_user,
    )
    again = import_file(data, "bp.csv", opts)
    assert not again.changed_anything
    assert RagUpdate.objects.count() == 1
    changed = data.replace(b"On track,GREEN", b"Slipping,Amber")
    import_file(changed, "bp.csv", opts)
    assert sorted(first.updates.values_list("rating", "comment")) == [
        ("amber", "Slipping"),
        ("green", "On track"),
    ]


def test_an_xlsx_business_plan_reads_dates_and_numbers_as_people_see_them(structure, admin_user):
    import datetime

    from plans.models import Partnership

    workbook = openpyxl.Workbook()
    workbook.active.append(PLAN_HEADER)
    workbook.active.append(
        [1.0, "Objective", "Act", "QA", "Report", datetime.datetime(2019, 6, 30), None, None]
    )
    out = io.BytesIO()
    workbook.save(out)
    opts = ImportOptions(
        partnership=Partnership.objects.get(short_name="NCSCP"),
        plan_name="XL plan",
        user=admin_user,
    )
    import_file(out.getvalue(), "plan.xlsx", opts)
    action = Action.objects.get()
    assert (action.timescale, str(action.due_date)) == ("30/06/2019", "2019-06-30")


def test_a_sheet_far_wider_than_any_plan_is_refused_before_it_is_parsed():
    import io

    import openpyxl

    from plans.importing import ImportFailed, read_table

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in range(5):
        sheet.append([f"cell {row}"] * 1000)
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(ImportFailed) as refused:
        read_table(buffer.getvalue(), "wide.xlsx")
    assert "has 1,000 columns; a plan has at most 60" in str(refused.value.problems[0])


def test_a_zip_claiming_an_unknown_version_is_refused_with_a_message():
    """Found by tests/test_fuzz_forms.py: zipfile raises NotImplementedError, not BadZipFile,
    for a central directory that asks for a zip version it does not know."""
    import io
    import struct

    import openpyxl

    from plans.importing import ImportFailed, read_table

    workbook = openpyxl.Workbook()
    workbook.active.append(["Recommendation", "Action"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = bytearray(buffer.getvalue())
    entry = data.index(b"PK\x01\x02")  # first central directory entry
    data[entry + 6 : entry + 8] = struct.pack("<H", 116)  # "version needed to extract": 11.6
    with pytest.raises(ImportFailed) as refused:
        read_table(bytes(data), "damaged.xlsx")
    assert "not a valid Excel .xlsx file" in str(refused.value.problems[0])


# -- Archived plans and reviews -------------------------------------------------------------


def test_importing_into_an_archived_business_plan_is_refused(structure, admin_user):
    """Importing would bring the plan's actions back into lists: restore it first."""
    from plans.models import Partnership, Plan

    ncscp = Partnership.objects.get(short_name="NCSCP")
    data = plan_rows(["1", "Children in care are safe", "Audit care plans", "QA", "", "2019"])
    opts = ImportOptions(partnership=ncscp, plan_name="NCSCP Test Plan 2026", user=admin_user)
    import_file(data, "bp.csv", opts)
    plan = Plan.objects.get()
    plan.archive(by=admin_user)
    before = snapshot()
    edited = data.replace(b"Audit care plans", b"Audit every care plan")
    for dry_run in (True, False):
        opts.dry_run = dry_run
        with pytest.raises(ImportFailed) as refused:
            import_file(edited, "bp.csv", opts)
        assert [str(p) for p in refused.value.problems] == [
            'bp.csv: The business plan "NCSCP Test Plan 2026" is archived: restore it from the '
            "archive before importing into it."
        ]
    assert snapshot() == before
    assert not Objective.objects.filter(archived_at__isnull=True).exists()

    plan.restore(by=admin_user)
    opts.dry_run = False
    assert import_file(edited, "bp.csv", opts).counts["actions"]["updated"] == 1


def test_importing_into_an_archived_case_review_is_refused(structure, nscp):
    rows = [REVIEW_HEADER, ["Outcome", "Recommendation", "Action", "Lead", "March 2028", "Audit"]]
    import_file(csv_bytes(rows), "review.csv", options(nscp))
    review = CaseReview.objects.get(code="TST1")
    review.archive()
    before = snapshot()
    with pytest.raises(ImportFailed) as refused:
        import_file(csv_bytes([*rows, ["", "", "Another action"]]), "review.csv", options(nscp))
    assert [str(p) for p in refused.value.problems] == [
        'review.csv: The case review "TST1" is archived: restore it from the archive before '
        "importing into it."
    ]
    assert snapshot() == before
