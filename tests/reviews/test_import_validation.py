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
from plans.importing import ImportFailed, clean_block, split_actions
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
    assert problem[3].startswith("No header row found in the first 30 rows")
    assert '"Audit of implementation"' in problem[3]


def test_every_missing_column_is_named_with_the_header_row(db):
    rows = [["AN09 action plan"], ["Outcome", "Recommendation", "Action", "Whom", "Time"]]
    assert problems_of(csv_bytes(rows)) == [
        (
            2,
            "",
            "By Whom",
            'Missing column "By Whom": a review action plan needs it in its header row.',
        ),
        (
            2,
            "",
            "Timescale",
            'Missing column "Timescale": a review action plan needs it in its header row.',
        ),
        (
            2,
            "",
            "Audit of implementation",
            'Missing column "Audit of implementation": a review action plan needs it in its '
            "header row.",
        ),
    ]


def test_a_heading_twice(db):
    rows = [[*REVIEW_HEADER, "Action"], ["x"]]
    assert problems_of(csv_bytes(rows)) == [
        (1, "G", "Action", 'The heading "Action" appears more than once.')
    ]


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


def test_an_unknown_agency_is_reported_at_its_section_row_and_nothing_is_written(structure):
    from plans.models import Partnership

    nscp = Partnership.objects.get(short_name="NSCP")
    rows = [
        REVIEW_HEADER,
        ["Barnardo's"],
        ["Outcome", "Rec", "Act", "Lead", "Aug 2009", "Audit"],
        ["Made-up Trust"],
        ["Outcome", "Rec", "Act", "Lead", "Aug 2009", "Audit"],
        ["Another Unknown Council"],
        ["Outcome", "Rec", "Act", "Lead", "Aug 2009", "Audit"],
    ]
    before = snapshot()
    with pytest.raises(ImportFailed) as failed:
        import_file(csv_bytes(rows), "plan.csv", options(nscp))
    assert [(p.row, p.letter, p.column) for p in failed.value.problems] == [
        (4, "A", "Outcome"),
        (6, "A", "Outcome"),
    ]
    assert failed.value.problems[0].message.startswith('Unknown agency "Made-up Trust"')
    assert snapshot() == before

    summary = import_file(csv_bytes(rows), "plan.csv", options(nscp, create_agencies=True))
    assert summary.counts["recommendations"]["created"] == 3
    assert Agency.objects.get(name="Made-up Trust").partnerships.get() == nscp


def test_the_command_prints_each_problem_and_exits_non_zero(structure, tmp_path):
    """Unknown agencies are reported together with the rows' own problems."""
    path = tmp_path / "bad.csv"
    rows = [
        REVIEW_HEADER,
        ["Nowhere Agency"],
        ["O", "R", "A", "", "", ""],
        ["O", "", "A", "", "", ""],
    ]
    path.write_bytes(csv_bytes(rows))
    err = io.StringIO()
    before = snapshot()
    with pytest.raises(CommandError, match=r"bad.csv: 2 problem\(s\); nothing was imported"):
        call_command("import_action_plan", str(path), review="X1", partnership="NSCP", stderr=err)
    assert err.getvalue().splitlines() == [
        'bad.csv, row 2, column A (Outcome): Unknown agency "Nowhere Agency": add it to the '
        "tracker first, or import with --create-agencies (on the upload page, "
        '"Add agencies not yet known").',
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


def test_business_plan_problems_are_all_reported(db):
    data = plan_rows(
        ["", "", "Action before any objective", "", "", "", "", ""],
        ["1", "Objective one", "Act", "QA", "Report", "June 2019", "Going well", "Purple"],
        ["one", "Objective", "Act", "", "", "", "", ""],
        ["2", "", "Act", "", "", "", "", ""],
        ["1", "Again", "Act", "", "", "", "", ""],
        ["", "", "Act", "", "", "", "On track", ""],
    )
    assert problems_of(data) == [
        (2, "A", "No.", "This row has no objective number and there is no objective above it."),
        (
            3,
            "H",
            "RAG rating",
            'RAG rating "Purple" is not one of Red, Amber, Green, Complete, Not started.',
        ),
        (4, "A", "No.", '"one" is not an objective number: use a whole number.'),
        (
            5,
            "B",
            "What do we want to achieve?",
            "Objective 2 has no text: say what we want to achieve.",
        ),
        (6, "A", "No.", "Objective 1 already starts at row 3."),
        (7, "H", "RAG rating", "Give a RAG rating with the progress comment."),
    ]


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
