"""The importer on plans as partnerships write them (issue: plans in as published).

One test or more per point: columns by meaning, the column-mapping step (web and command),
published references, status words and progress, safe re-import, warnings that do not block.
"""

import csv
import io
from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse

from oversight.importing import ImportOptions, import_file, parse_file
from oversight.models import ImportMapping, PendingImport
from plans.layout import field_for
from plans.models import Action, Partnership, RagUpdate, Rating
from reviews.models import Recommendation
from tests.conftest import make_user


def csv_bytes(rows):
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


@pytest.mark.parametrize(
    ("heading", "field"),
    [
        ("Recommendation(s)", "recommendation"),
        ("Recommendations", "recommendation"),
        ("Action(s)", "action"),
        ("Actions required", "action"),
        ("Actions to be taken", "action"),
        ("Specific Actions", "action"),
        ("How are we going to do it?", "action"),
        ("Lead", "lead"),
        ("Lead agency", "lead"),
        ("Identified Lead", "lead"),
        ("Person responsible", "lead"),
        ("Responsible Officer", "lead"),
        ("Who will lead?", "lead"),
        ("By whom", "lead"),
        ("When", "timescale"),
        ("Timescale(s)", "timescale"),
        ("Target date", "timescale"),
        ("Target completion date", "timescale"),
        ("By when", "timescale"),
        ("Timescale/Target", "timescale"),
        ("When are we going to achieve this?", "timescale"),
        ("Output/Outcome measurement", "measure"),
        ("How will we know we have achieved our goal?", "measure"),
        ("Evidence to be provided", "measure"),
        ("Audit of implementation", "measure"),
        ("Progress", "progress"),
        ("Progress to date", "progress"),
        ("Update on progress", "progress"),
        ("Comment on Progress", "progress"),
        ("RAG", "rating"),
        ("RAG rating", "rating"),
        ("Progress RAG status", "progress_rating"),
        ("No.", "ref"),
        ("Ref", "ref"),
        ("Who will lead?\n(name or role)", "lead"),
        ("Level for Action", None),
    ],
)
def test_headings_are_recognised_by_meaning(heading, field):
    assert field_for(heading) == field


@pytest.fixture
def nscp(structure):
    return Partnership.objects.get(short_name="NSCP")


def opts(partnership, user=None, **extra):
    return ImportOptions(partnership=partnership, user=user, review_code="PUB1", **extra)


PLAN = [
    ["Serious Case Review PUB1: action plan as at 31 March 2026"],
    ["Ref", "Recommendation", "Actions to be taken", "Person responsible", "Target date",
     "Progress RAG status", "Level for Action"],
    ["1", "Share information", "Agree a protocol", "Head of Service", "31/12/2025",
     "Protocol signed off.\nComplete", "Strategic"],
    ["2", "Train staff", "Run the course", "", "Mar 2026", "Amber/Green", "Operational"],
    ["3", "Audit", "Audit records", "QA lead", "31/02/2027", "", ""],
]  # fmt: skip


def test_status_words_become_ratings_dated_by_the_as_at_date_and_marked_imported(nscp, admin_user):
    summary = import_file(csv_bytes(PLAN), "plan.csv", opts(nscp, admin_user))
    assert summary.counts["RAG updates"]["created"] == 1
    (update,) = RagUpdate.objects.all()
    assert (update.rating, update.comment, update.as_of) == (
        Rating.COMPLETE,
        "Protocol signed off.",
        date(2026, 3, 31),
    )
    assert update.is_imported and update.author == admin_user
    first = Action.objects.get(text="Agree a protocol")
    assert first.current_rating == Rating.COMPLETE
    # "Amber/Green" could mean either: not guessed, its words kept.
    second = Action.objects.get(text="Run the course")
    assert second.current_rating is None
    assert "Amber/Green" in second.completion_notes
    # An unknown column is kept with each action, labelled.
    assert first.notes == "Level for Action: Strategic"


def test_published_references_are_the_references_users_see(nscp, admin_user):
    import_file(csv_bytes(PLAN), "plan.csv", opts(nscp, admin_user))
    recommendations = Recommendation.objects.order_by("number")
    assert [r.display_number for r in recommendations] == ["1", "2", "3"]
    assert [r.reference for r in recommendations] == ["1", "2", "3"]


def test_warnings_do_not_block(nscp):
    parsed = parse_file(csv_bytes(PLAN), "plan.csv")
    messages = {(w["row"], w["message"]) for w in parsed["warnings"]}
    assert (4, "No lead is given.") in messages
    assert (5, '"31/02/2027" is not a real date: it is kept as written.') in messages
    assert parsed["questions"] == {"Amber/Green": [4]}
    assert any("Level for Action" in message for _row, message in messages)


def test_a_recommendation_with_no_action_is_warned_about(nscp):
    rows = [
        ["Recommendation", "Action", "Lead"],
        ["Heading-like but long enough to be one.", "", "x"],
    ]
    with pytest.raises(Exception, match="no action"):
        parse_file(csv_bytes(rows), "plan.csv")  # a lead with no action: the row is wrong
    rows = [["Recommendation", "Action"], ["A recommendation of several words here.", ""]]
    parsed = parse_file(csv_bytes(rows), "plan.csv")
    assert {"row": 2, "message": "This has no action."} in parsed["warnings"]


def test_reimporting_a_revised_plan_never_moves_progress_to_another_action(nscp, admin_user):
    import_file(csv_bytes(PLAN), "plan.csv", opts(nscp, admin_user))
    protocol = Action.objects.get(text="Agree a protocol")
    revised = [
        PLAN[0],
        PLAN[1],
        ["0", "A new first recommendation", "Do the new thing", "Lead", "June 2026", "", ""],
        *PLAN[2:],
    ]
    summary = import_file(csv_bytes(revised), "plan.csv", opts(nscp, admin_user, dry_run=True))
    assert summary.added == [
        "Recommendation 0: A new first recommendation",
        "Recommendation 0, action 1: Do the new thing",
    ]
    assert summary.counts["recommendations"] == {"created": 1, "unchanged": 3}
    import_file(csv_bytes(revised), "plan.csv", opts(nscp, admin_user))
    protocol.refresh_from_db()
    assert protocol.current_rating == Rating.COMPLETE
    assert protocol.updates.count() == 1
    new = Action.objects.get(text="Do the new thing")
    assert new.current_rating is None and new.parent.child.reference == "0"


def test_a_reference_finds_its_action_even_when_its_words_change(nscp, admin_user):
    import_file(csv_bytes(PLAN), "plan.csv", opts(nscp, admin_user))
    edited = [row[:] for row in PLAN]
    edited[2][1] = "Share information between agencies, faster"
    summary = import_file(csv_bytes(edited), "plan.csv", opts(nscp, admin_user))
    assert summary.counts["recommendations"]["updated"] == 1
    assert Recommendation.objects.count() == 3
    missing = import_file(csv_bytes(edited[:3]), "plan.csv", opts(nscp, admin_user, dry_run=True))
    assert missing.kept == [
        "2 is not in the file: left as it is, with its actions.",
        "3 is not in the file: left as it is, with its actions.",
    ] or sorted(missing.kept) == sorted(
        [
            "2 is not in the file: left as it is, with its actions.",
            "3 is not in the file: left as it is, with its actions.",
        ]
    )


def test_the_command_takes_a_column_mapping_and_status_answers(nscp, admin_user, tmp_path):
    path = tmp_path / "plan.csv"
    path.write_bytes(csv_bytes(PLAN))
    out = io.StringIO()
    call_command(
        "import_action_plan",
        str(path),
        review="PUB1",
        partnership="NSCP",
        user=admin_user.username,
        map=["Level for Action=ignore", "Person responsible=note"],
        status=["Amber/Green=amber"],
        stdout=out,
    )
    second = Action.objects.get(text="Run the course")
    assert second.current_rating == Rating.AMBER
    assert second.lead_text == ""
    assert (
        Action.objects.get(text="Agree a protocol").notes == "Person responsible: Head of Service"
    )


@pytest.fixture
def officer_client(client, django_user_model, nscp):
    officer = make_user(django_user_model, "t-pub-officer", nscp, "board_officer")
    client.force_login(officer)
    return client


def upload(client, rows, **extra):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("oversight:import_upload", args=["NSCP"])
    data = {"file": SimpleUploadedFile("plan.csv", csv_bytes(rows)), "review_code": "PUB1"}
    return client.post(url, {**data, **extra})


def test_the_preview_lets_a_person_change_columns_and_remembers_it(officer_client, nscp):
    response = upload(officer_client, PLAN)
    assert response.status_code == 302
    pending = PendingImport.objects.get()
    html = officer_client.get(response["Location"]).content.decode()
    assert 'id="column-6"' in html and "Level for Action" in html
    assert "Kept as a note" in html and "Amber/Green" in html

    mapping = {f"column-{c['index']}": c["field"] for c in pending.payload["columns"]}
    mapping["column-6"] = "ignore"
    response = officer_client.post(
        reverse("oversight:import_reread", args=[pending.pk]), {**mapping, "status-0": "green"}
    )
    assert response.status_code == 302
    pending.refresh_from_db()
    assert [c["field"] for c in pending.payload["columns"]][-1] == "ignore"
    assert pending.payload["questions"] == {}
    second = pending.payload["recommendations"][1]["actions"][0]
    assert (second["rating"], second["notes"]) == (Rating.GREEN, "")

    # The next file with the same header row is read the same way, and the page says so.
    PendingImport.objects.all().delete()
    response = upload(officer_client, PLAN)
    pending = PendingImport.objects.get()
    assert pending.payload["remembered"] is True
    assert [c["field"] for c in pending.payload["columns"]][-1] == "ignore"
    assert ImportMapping.objects.get().chosen_by.username == "t-pub-officer"
    html = officer_client.get(response["Location"]).content.decode()
    assert "as you chose last time" in html


def test_a_bad_mapping_reads_as_an_error_on_the_preview(officer_client, nscp):
    upload(officer_client, PLAN)
    pending = PendingImport.objects.get()
    mapping = {f"column-{c['index']}": "note" for c in pending.payload["columns"]}
    response = officer_client.post(reverse("oversight:import_reread", args=[pending.pk]), mapping)
    assert response.status_code == 400
    assert "No column of actions or recommendations" in response.content.decode()
    pending.refresh_from_db()
    assert pending.payload["columns"][2]["field"] == "action"  # unchanged


def xlsx_bytes(sheets):
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_plan_is_found_on_whichever_sheet_holds_it(db):
    data = xlsx_bytes(
        [
            ("Cover", [["Business Plan 2016-18"], ["Version 3, approved by the Board"]]),
            (
                "Action plan",
                [["Ref", "Action", "Lead", "By when"], ["1.1", "Do it", "QA", "Q3 2016/17"]],
            ),
            ("Notes", [["Glossary"], ["LSCB", "Local Safeguarding Children Board"]]),
        ]
    )
    parsed = parse_file(data, "plan.xlsx")
    assert parsed["sheet"] == "Action plan"
    (action,) = parsed["objectives"][0]["actions"]
    assert (action["reference"], action["text"], action["timescale"]) == (
        "1.1",
        "Do it",
        "Q3 2016/17",
    )


def test_numbered_actions_take_their_own_numbered_timescales(nscp, admin_user):
    rows = [
        ["Recommendation", "Actions", "Timescale"],
        [
            "Improve supervision",
            "1. Revise the policy 2. Audit the records",
            "1. Complete 2. 31 March 2020",
        ],
    ]
    parsed = parse_file(csv_bytes(rows), "plan.csv")
    actions = parsed["recommendations"][0]["actions"]
    assert [(a["text"], a["timescale"]) for a in actions] == [
        ("Revise the policy", "Complete"),
        ("Audit the records", "31 March 2020"),
    ]
    import_file(csv_bytes(rows), "plan.csv", opts(nscp, admin_user))
    audit = Action.objects.get(text="Audit the records")
    assert audit.due_date == date(2020, 3, 31)
