"""The BMG pack: its sections' content read back from the PDF, the marking on every page,
reproducibility as of a past meeting, a constant query count, and who may download it.

The data are recorded at chosen moments (`recorded_at`), so that "as at the deadline" has
something before and after it to tell apart.
"""

import io
import re
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from oversight.models import Meeting, PackRecord
from oversight.pack import GENERATED_PREFIX, build_pack, movement, render_pack_html
from plans.history import create_with_history
from plans.models import (
    Action,
    Agency,
    Group,
    Milestone,
    Objective,
    Plan,
    Priority,
    RagUpdate,
    Rating,
)
from plans.pdf import StaticFilesOnly, render_pdf, static_path
from reviews.models import (
    AssuranceExercise,
    AssuranceRating,
    CaseReview,
    LearningArea,
    Recommendation,
)
from tests.factories import make_update
from workstreams.models import Workstream

LONDON = ZoneInfo("Europe/London")


def at(*args):
    return datetime(*args, tzinfo=LONDON)


@contextmanager
def recorded_at(moment):
    """Everything saved inside looks recorded at `moment` (created_at and history_date)."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def rate(action, rating, comment, author, as_of):
    return make_update(action=action, rating=rating, comment=comment, as_of=as_of, author=author)


class World:
    """A partnership with a plan, a workstream and two reviews, over two BMG cycles."""


@pytest.fixture
def world(ncscp, django_user_model):
    return build_world(ncscp, django_user_model)


def build_world(ncscp, django_user_model):
    w = World()
    w.partnership = ncscp
    with recorded_at(at(2021, 1, 4, 9)):
        w.author = django_user_model.objects.create_user(
            "t-author", first_name="Ann", last_name="Author"
        )
        w.bmg = Group.objects.create(slug="t-bmg", name="Business Management Group", kind="bmg")
        w.bmg.partnerships.add(ncscp)
        w.meetings = [
            Meeting.objects.create(group=w.bmg, date=d, update_deadline=dl, title=t)
            for d, dl, t in [
                (date(2021, 2, 17), date(2021, 2, 3), "BMG February 2021"),
                (date(2021, 6, 16), date(2021, 6, 2), "BMG June 2021"),
                (date(2021, 10, 13), date(2021, 9, 29), "BMG October 2021"),
            ]
        ]
        plan = Plan.objects.create(partnership=ncscp, slug="t-plan", title="Test Business Plan")
        p1 = Priority.objects.create(plan=plan, number=1, title="Safe from harm")
        p2 = Priority.objects.create(plan=plan, number=2, title="The right help at the right time")
        o1 = Objective.objects.create(
            ref="t-o1", kind="objective", partnership=ncscp, plan=plan, number=1,
            text="Children in care are safeguarded", priority=p1, position=1,
        )  # fmt: skip
        o2 = Objective.objects.create(
            ref="t-o2", kind="objective", partnership=ncscp, plan=plan, number=2,
            text="Thresholds are applied consistently", priority=p2, position=2,
        )  # fmt: skip
        ws = Workstream.objects.create(
            ref="t-w1", kind="workstream", partnership=ncscp, number=1, title="Neglect",
            objective_text="Improve practice with neglect", position=3,
        )  # fmt: skip
        health = Agency.objects.create(name="Test Health Trust", kind="health")
        review = CaseReview.objects.create(
            partnership=ncscp, code="QN17", kind="scr", status="published"
        )
        old = CaseReview.objects.create(
            partnership=ncscp, code="OLD1", kind="scr", status="signed_off"
        )
        r1 = Recommendation.objects.create(
            ref="t-r1", kind="recommendation", partnership=ncscp, review=review, number=1,
            agency=health, text="Health visitors record fathers' details", position=4,
        )  # fmt: skip
        r2 = Recommendation.objects.create(
            ref="t-r2", kind="recommendation", partnership=ncscp, review=review, number=2,
            source="overview", text="The partnership audits pre-birth assessments", position=5,
        )  # fmt: skip
        r_old = Recommendation.objects.create(
            ref="t-r-old", kind="recommendation", partnership=ncscp, review=old, number=1,
            source="overview", text="A signed-off recommendation", position=6,
        )  # fmt: skip

        def action(parent, position, text, lead, due=None, timescale="", measure=""):
            return Action.objects.create(
                ref=f"{parent.ref}-{position}", parent=parent, position=position, text=text,
                lead_text=lead, due_date=due, timescale=timescale, measure=measure,
            )  # fmt: skip

        w.a11 = action(o1, 1, "Audit care leavers' pathway plans", "Children's QA subgroup",
                       date(2021, 6, 30), "June 2021", "QA subgroup report to BMG")  # fmt: skip
        w.a12 = action(o1, 2, "Deliver the neglect strategy", "Neglect group",
                       date(2021, 2, 28), "Feb 2021")  # fmt: skip
        w.a13 = action(o1, 3, "Publish the annual report", "Business unit",
                       date(2021, 4, 30), "April 2021")  # fmt: skip
        w.a21 = action(o2, 1, "Review the threshold document", "Head of Early Help",
                       date(2021, 3, 31), "March 2021")  # fmt: skip
        w.w11 = action(ws, 1, "Roll out the graded care profile", "Neglect lead")
        w.r11 = action(r1, 1, "Add fathers to the health visiting record", "Named nurse")
        w.r12 = action(r1, 2, "Audit the records", "Named nurse", date(2021, 5, 31))
        w.r21 = action(r2, 1, "Commission the pre-birth audit", "Children's QA subgroup")
        w.old = action(r_old, 1, "An action of a signed-off review", "Nobody")
        Milestone.objects.create(action=w.a11, due=date(2021, 6, 30), label="June 2021")
        Milestone.objects.create(action=w.a12, due=date(2021, 2, 28), label="Feb 2021")

    with recorded_at(at(2021, 1, 25, 10)):
        a, d = w.author, date(2021, 1, 25)
        rate(w.a11, Rating.GREEN, "On track, audit booked", a, d)
        rate(w.a12, Rating.AMBER, "Strategy drafted, consultation late", a, d)
        rate(w.a13, Rating.GREEN, "Drafting", a, d)
        rate(w.a21, Rating.GREEN, "Review started", a, d)
        rate(w.w11, Rating.NOT_STARTED, "Starts in spring", a, d)
        rate(w.r11, Rating.AMBER, "System change requested", a, d)
        rate(w.r12, Rating.GREEN, "Audit planned", a, d)
        rate(w.r21, Rating.GREEN, "Audit commissioned", a, d)
        rate(w.old, Rating.COMPLETE, "Done long ago", a, d)

    with recorded_at(at(2021, 4, 1, 9)):
        w.a22 = action(o2, 2, "Train staff in the new thresholds", "Training subgroup")
        w.a21.revised_due_date = date(2021, 9, 30)
        w.a21.revision_reason = "Waiting for national guidance"
        w.a21.save()

    with recorded_at(at(2021, 5, 20, 15)):
        a, d = w.author, date(2021, 5, 20)
        rate(w.a11, Rating.RED, "Report not received, escalated", a, d)
        rate(w.a21, Rating.AMBER, "Guidance delayed nationally", a, d)
        rate(w.a22, Rating.GREEN, "Sessions booked", a, d)
        rate(w.r11, Rating.COMPLETE, "Record changed in all teams", a, d)
        w.r12_red = rate(w.r12, Rating.RED, "Auditor off sick, no cover", a, d)
        rate(w.r21, Rating.GREEN, "Audit under way", a, d)

    # On the deadline day, half an hour before midnight: in time.
    with recorded_at(at(2021, 6, 2, 23, 30)):
        rate(w.w11, Rating.GREEN, "Profile in use in two teams", w.author, date(2021, 6, 2))
    # Half an hour after the deadline day ended: too late for the June pack.
    with recorded_at(at(2021, 6, 3, 0, 30)):
        rate(w.a12, Rating.COMPLETE, "Strategy signed off (late)", w.author, date(2021, 6, 3))
    return w


def pdf_pages(content):
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def pack_pdf(meeting, **kwargs):
    pack = build_pack(meeting, generated_by="Olu Officer", **kwargs)
    pdf = render_pdf(render_pack_html(pack), in_parts=True)
    return pack, pdf, pdf_pages(pdf.content)


def flat(text):
    """Text with every run of whitespace as one space (table cells wrap where they like)."""
    return " ".join(text.split())


def section(pages, start, end=None):
    """The text from the heading `start` to the heading `end`, with whitespace flattened."""
    text = flat(" ".join(pages))
    begin = text.index(start, text.index("11. RAG and grade key") + 1)  # skip the contents page
    return text[begin : text.index(end, begin) if end else None]


@pytest.mark.parametrize(
    "before, after, known, expected",
    [
        (Rating.AMBER, Rating.GREEN, True, "improved"),
        (Rating.RED, Rating.AMBER, True, "improved"),
        (Rating.GREEN, Rating.AMBER, True, "worsened"),
        (Rating.COMPLETE, Rating.GREEN, True, "worsened"),
        (Rating.GREEN, Rating.GREEN, True, "unchanged"),
        (None, None, True, "unchanged"),
        (Rating.GREEN, Rating.COMPLETE, True, "completed"),
        (Rating.NOT_STARTED, Rating.COMPLETE, True, "completed"),
        (Rating.NOT_STARTED, Rating.GREEN, True, "other"),
        (None, Rating.RED, True, "new"),  # rated for the first time
        (Rating.AMBER, Rating.NOT_STARTED, True, "other"),
        (None, Rating.GREEN, False, "new"),
    ],
)
def test_movement_between_two_deadlines(before, after, known, expected):
    assert movement(before, after, known_before=known) == expected


@pytest.mark.django_db
def test_pack_data_as_at_the_deadline(world):
    pack = build_pack(world.meetings[1])
    by_ref = {item.ref: item for item in pack.items}
    assert set(by_ref) == {"1.1", "1.2", "1.3", "2.1", "2.2", "W1.1", "R1.1", "R1.2", "R2.1"}
    assert {ref: item.rating for ref, item in by_ref.items()} == {
        "1.1": "red",
        "1.2": "amber",  # its Complete came 30 minutes after the deadline day
        "1.3": "green",
        "2.1": "amber",
        "2.2": "green",
        "W1.1": "green",  # 23:30 on the deadline day is in time
        "R1.1": "complete",
        "R1.2": "red",
        "R2.1": "green",
    }
    assert {ref: item.movement for ref, item in by_ref.items()} == {
        "1.1": "worsened",
        "1.2": "unchanged",
        "1.3": "unchanged",
        "2.1": "worsened",
        "2.2": "new",
        "W1.1": "other",
        "R1.1": "completed",
        "R1.2": "worsened",
        "R2.1": "unchanged",
    }
    assert [i.ref for i in pack.red] == ["1.1", "R1.2"]
    assert [i.ref for i in pack.amber] == ["1.2", "2.1"]
    assert [i.ref for i in pack.overdue] == ["1.2", "1.3", "R1.2"]
    assert [i.ref for i in pack.slipped] == ["2.1"]
    assert [i.ref for i in pack.not_updated] == ["1.2", "1.3"]
    # In the pack each action is listed once, under its first exception.
    assert [(key, [i.ref for i in items]) for key, _, items in pack.exception_sections] == [
        ("red", ["1.1", "R1.2"]),
        ("amber", ["1.2", "2.1"]),
        ("overdue", ["1.3"]),
        ("slipped", []),
        ("not-updated", []),
    ]
    assert by_ref["1.2"].also == ["Overdue", "Not updated since the previous meeting"]
    assert [(m["label"], i.ref) for m, i in pack.milestones] == [("June 2021", "1.1")]
    assert pack.final


@pytest.mark.django_db
def test_first_meeting_has_no_movement_and_no_later_actions(world):
    pack = build_pack(world.meetings[0])
    assert pack.previous is None
    assert "2.2" not in {item.ref for item in pack.items}  # added in April
    assert {item.movement for item in pack.items} == {"new"}
    assert pack.not_updated == []


@pytest.mark.django_db
def test_pdf_sections_say_what_the_data_say(world):
    pack, pdf, pages = pack_pdf(world.meetings[1])
    assert pdf.pages == len(pages) > 5
    text = "\n".join(pages)

    cover = pages[0]
    assert "Nottingham City Safeguarding Children Partnership" in cover
    assert "Business Management Group pack" in cover
    assert "Wednesday 16 June 2021" in cover
    assert "Wednesday 2 June 2021" in cover  # the update deadline
    assert "17 February 2021" in cover  # the previous meeting
    assert re.search(r"Generated on \d+ \w+ \d{4} at \d\d:\d\d by Olu Officer", cover)

    contents = pages[1]
    for heading in [
        "1. Summary",
        "2. Exceptions",
        "Rated Red (2)",
        "Overdue (3: 1 listed here, 2 under Red and Amber)",  # agrees with "Overdue: 3"
        "11. RAG and grade key",
    ]:
        assert heading in contents
    # Each contents entry ends with the page its section starts on.
    summary_page = int(re.search(r"1\. Summary[ .]*(\d+)", contents).group(1))
    assert "1. Summary" in pages[summary_page - 1]
    key_page = int(re.search(r"11\. RAG and grade key[ .]*(\d+)", contents).group(1))
    assert "11. RAG and grade key" in pages[key_page - 1]

    summary = section(pages, "1. Summary", "2. Exceptions")
    assert "9 actions as at the end of 2 June 2021" in summary
    assert "Priority 1: Safe from harm" in summary
    assert "W1 Neglect" in summary
    assert "QN17" in summary and "OLD1" not in summary
    # All actions: Red 2, Amber 2, Green 4, Complete 1, Not started 0, Not yet rated 0.
    assert re.search(r"All actions 9 2 2 4 1 0 0 Red", summary)
    # Movement: improved 0, worsened 3, unchanged 3, new 1, completed 1, other 1.
    assert re.search(r"All actions 0 3 3 1 1 1", summary)
    assert "<svg" not in text and "Not yet rated" in summary  # the chart's labels are text

    exceptions = section(pages, "2. Exceptions", "3. Items due")
    red = exceptions[exceptions.index("Rated Red (2)") : exceptions.index("Rated Amber")]
    assert "Audit care leavers' pathway plans" in red
    assert "Children's QA subgroup" in red  # the lead
    assert "Report not received, escalated" in red  # the latest comment
    assert "Auditor off sick, no cover" in red
    counts = "Red: 2; Amber: 2; Overdue: 3; Due date revised: 1; Not updated since the previous"
    assert f"{counts} meeting: 2." in exceptions
    amber = exceptions[
        exceptions.index("Rated Amber (2)") : exceptions.index("Overdue (3: 1 listed")
    ]
    assert "30 Sep 2021 Revised from 31 Mar 2021: Waiting for national guidance" in amber
    assert "Overdue, Not updated since the previous meeting" in amber  # 1.2, also flagged
    overdue = exceptions[exceptions.index("Overdue (3: 1 listed here, 2 under Red and Amber)") :]
    assert "Publish the annual report" in overdue and "30 Apr 2021" in overdue
    assert "Strategy signed off (late)" not in text

    due = section(pages, "3. Items due to report to this meeting", "4. Detail")
    assert "1 March 2021 to 30 June 2021" in due
    assert "June 2021" in due and "QA subgroup report to BMG" in due
    assert "Deliver the neglect strategy" not in due  # its milestone was February's

    detail = section(pages, "4. Detail", "5. Assurance")
    for column in [
        "No.",
        "What do we want to achieve?",
        "How are we going to do it?",
        "Who will lead?",
        "How will we know we have achieved our goal?",
        "When are we going to achieve this?",
        "Comment on Progress",
        "RAG rating",
    ]:
        assert column in detail
    assert "Workstream 1: Neglect" in detail
    assert "Case review QN17: action plan" in detail
    assert "Test Health Trust" in detail and "Overview report" in detail
    assert detail.index("Test Health Trust") < detail.index("Overview report")
    assert "Red: off track" in detail  # R1's status: one of its actions is Red
    assert "A signed-off recommendation" not in detail

    key = section(pages, "11. RAG and grade key")
    for word in ["Red", "Amber", "Green", "Complete", "Not started", "Not yet rated"]:
        assert word in key


@pytest.mark.django_db
def test_every_page_has_the_marking_and_its_number(world, settings):
    settings.PROTECTIVE_MARKING = "OFFICIAL-SENSITIVE [TEST]"
    _, pdf, pages = pack_pdf(world.meetings[1])
    for number, text in enumerate(pages, start=1):
        assert text.count("OFFICIAL-SENSITIVE [TEST]") >= 2, f"page {number}"  # top and bottom
        assert f"Page {number} of {len(pages)}" in text


def test_a_draft_says_draft_on_every_page_and_a_final_pack_on_none(world):
    draft = Meeting.objects.create(
        group=world.bmg, date=date(2099, 1, 20), update_deadline=date(2099, 1, 6)
    )
    _, _, pages = pack_pdf(draft)
    assert len(pages) > 3
    for number, text in enumerate(pages, start=1):
        assert "DRAFT: figures will change" in text, f"page {number}"
    _, _, final = pack_pdf(world.meetings[1])
    assert not any("DRAFT" in text for text in final)


def test_layout_body_text_names_and_empty_sections(world, settings):
    """Body text of at least 9 pt, objective names printed whole, and a section with nothing
    to report as one line that does not take a page of its own."""
    css = (settings.BASE_DIR / "static" / "src" / "print.css").read_text()
    sizes = [float(size) for size in re.findall(r"font-size:\s*([\d.]+)pt", css)]
    assert min(sizes) >= 8 and re.search(r"html \{[^}]*font-size: 9pt", css)
    long_text = "Children in care are safeguarded " + "and supported to thrive " * 6 + "END"
    with recorded_at(at(2021, 1, 4, 10)):
        objective = Objective.objects.get(ref="t-o1")
        objective.text = long_text
        objective.save()
    pack, _, pages = pack_pdf(world.meetings[2])  # October: nothing held, nothing due
    summary = section(pages, "1. Summary", "2. Exceptions")
    assert flat(f"1. {long_text}") in summary  # never cut to fit
    text = flat(" ".join(pages))
    assert "No ILOR assurance exercise was held between 3 June 2021 and 29 September 2021" in text
    assert pack.assurance["exercises"] == []
    assurance_page = next(i for i, t in enumerate(pages) if "5. Assurance (ILOR) results" in t)
    assert (
        "4. Detail" in pages[assurance_page]
        or "continued" in pages[assurance_page]
        or ("R2" in pages[assurance_page])
    )  # it follows the detail on the same page


def without_generation_line(pages):
    """The pack's text minus the cover's one line that says when and by whom it was made."""
    cover = pages[0].splitlines()
    generated = [line for line in cover if line.startswith(GENERATED_PREFIX)]
    assert len(generated) == 1
    return ["\n".join(line for line in cover if line not in generated), *pages[1:]]


@pytest.mark.django_db
def test_a_past_pack_regenerated_later_reads_the_same(world):
    meeting = world.meetings[1]
    _, _, before = pack_pdf(meeting)

    # After the deadline: new ratings and comments, a revised due date, an edited action,
    # a deleted update and a new action.
    with recorded_at(at(2021, 7, 1, 10)):
        rate(world.a11, Rating.COMPLETE, "Audit reported to BMG", world.author, date(2021, 7, 1))
        rate(world.r21, Rating.AMBER, "A new comment", world.author, date(2021, 5, 20))
        world.a12.revised_due_date = date(2021, 12, 31)
        world.a12.revision_reason = "Consultation extended"
        world.a12.save()
        world.a21.text = "Review the threshold document (renamed)"
        world.a21.due_date = date(2022, 1, 31)
        world.a21.save()
        world.r12_red.delete()
        Action.objects.create(
            ref="t-late", parent=world.a11.parent, position=9, text="A late action"
        )
    rate(world.a22, Rating.RED, "Changed today", world.author, date(2021, 5, 20))

    pack, _, after = pack_pdf(meeting)
    assert "Audit reported to BMG" not in "\n".join(after)
    assert without_generation_line(after) == without_generation_line(before)
    # ... while the pack for the next meeting sees the changes.
    later = build_pack(world.meetings[2])
    assert {i.ref: i.rating for i in later.items}["1.1"] == Rating.COMPLETE
    assert "A late action" in {i.text for i in later.items}


def add_actions(world, count):
    """`count` more actions under objective 1, each with twelve updates, before June's deadline."""
    parent = world.a11.parent
    with recorded_at(at(2021, 3, 1, 9)):
        actions = create_with_history(
            Action,
            [
                Action(ref=f"t-bulk-{n}", parent=parent, position=100 + n, text=f"Bulk {n}")
                for n in range(count)
            ],
        )
    updates = [
        RagUpdate(
            action=a,
            rating=Rating.GREEN,
            comment=f"Update {k}",
            as_of=date(2021, 3, 1),
            author=world.author,
        )  # fmt: skip
        for a in Action.objects.filter(ref__startswith="t-bulk-")
        for k in range(12)
    ]
    with recorded_at(at(2021, 3, 2, 9)):
        create_with_history(RagUpdate, updates)
    return actions


def pack_queries(meeting):
    with CaptureQueriesContext(connection) as queries:
        render_pack_html(build_pack(meeting))
    return len(queries)


@pytest.mark.django_db
def test_the_pack_query_count_does_not_grow_with_actions(world):
    meeting = Meeting.objects.select_related("group").get(pk=world.meetings[1].pk)
    small = pack_queries(meeting)
    add_actions(world, 150)
    assert len(build_pack(meeting).items) == 159
    # A fixed cost per section, whatever the number of actions: the highlight reports (the
    # group tree and its links, the reports), the last meeting's decisions (their actions and
    # updates), and the registers' sections (risks, quality) reading their history tables.
    assert pack_queries(meeting) == small <= 27


# Fetching ------------------------------------------------------------------------------


def test_the_fetcher_serves_only_the_apps_static_files():
    assert static_path("https://pack.invalid/static/src/print.css").name == "print.css"
    for url in [
        "file:///etc/passwd",
        "https://example.org/static/src/print.css",
        "http://pack.invalid/static/src/print.css",
        "https://pack.invalid/static/../safeguarding/settings.py",
        "https://pack.invalid/static/src/../../safeguarding/settings.py",
        "https://pack.invalid/media/upload.png",
        "https://pack.invalid/static/src/missing.css",
        "data:text/css,body{}",
    ]:
        assert static_path(url) is None, url
        with pytest.raises(ValueError):
            StaticFilesOnly().fetch(url)
    response = StaticFilesOnly().fetch("https://pack.invalid/static/src/print.css")
    assert b"@page" in response.read()
    assert response.content_type == "text/css"


def test_a_pdf_never_fetches_outside_urls():
    html = (
        '<html lang="en-GB"><head><title>t</title>'
        '<link rel="stylesheet" href="https://example.org/evil.css"></head>'
        '<body><img src="file:///etc/passwd" alt="x"><p>Hello</p></body></html>'
    )
    with mock.patch("urllib.request.OpenerDirector.open") as opened:
        pdf = render_pdf(html)
    opened.assert_not_called()
    assert "Hello" in pdf_pages(pdf.content)[0]


# Interfaces ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_bmg_pack_command_writes_the_latest_or_named_meeting(world, tmp_path):
    output = tmp_path / "pack.pdf"
    call_command("bmg_pack", "--partnership", "NCSCP", "--output", str(output))
    latest = pdf_pages(output.read_bytes())
    assert "Wednesday 13 October 2021" in latest[0]  # the most recent BMG meeting
    assert "Generated on" in latest[0] and "by the bmg_pack command" in latest[0]

    call_command(
        "bmg_pack", "--partnership", "NCSCP", "--meeting", "2021-06-16", "--output", str(output)
    )
    june = pdf_pages(output.read_bytes())
    assert "Wednesday 16 June 2021" in june[0]
    assert PackRecord.objects.count() == 2
    assert PackRecord.objects.first().generated_by is None


@pytest.mark.django_db
def test_bmg_pack_command_explains_what_is_missing(world, nscp):
    with pytest.raises(CommandError, match="NSCP has no Business Management Group"):
        call_command("bmg_pack", "--partnership", "NSCP")
    with pytest.raises(CommandError, match="no meeting on 2021-06-17.*2021-06-16"):
        call_command("bmg_pack", "--partnership", "NCSCP", "--meeting", "2021-06-17")
    with pytest.raises(CommandError, match="No partnership 'XYZ'"):
        call_command("bmg_pack", "--partnership", "XYZ")


@pytest.mark.django_db
def test_interim_pack_as_of_another_day(world, tmp_path):
    pack = build_pack(world.meetings[1], as_of=date(2021, 3, 1))
    assert {i.ref: i.rating for i in pack.items}["1.1"] == Rating.GREEN
    assert "2.2" not in {i.ref for i in pack.items}
    html = render_pack_html(pack)
    assert "an interim pack" in html


@pytest.fixture
def future_meeting(world):
    return Meeting.objects.create(
        group=world.bmg, date=date(2099, 1, 20), update_deadline=date(2099, 1, 6)
    )


def pdf_url(meeting):
    return reverse("oversight:meeting_pack_pdf", args=[meeting.pk])


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_sign_in(client, world):
    meeting = world.meetings[1]
    for url in [
        reverse("oversight:meeting_list"),
        reverse("oversight:meeting_detail", args=[meeting.pk]),
        reverse("oversight:meeting_pack", args=[meeting.pk]),
        pdf_url(meeting),
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login"))


@pytest.mark.django_db
def test_another_partnerships_officer_gets_404(client, world, outsider):
    client.force_login(outsider)
    meeting = world.meetings[1]
    assert client.get(reverse("oversight:meeting_detail", args=[meeting.pk])).status_code == 404
    assert client.get(reverse("oversight:meeting_pack", args=[meeting.pk])).status_code == 404
    assert client.get(pdf_url(meeting)).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["viewer", "chair", "officer", "admin_user"])
def test_readers_download_a_past_meetings_pack(client, world, role, request):
    user = request.getfixturevalue(role)
    client.force_login(user)
    response = client.get(pdf_url(world.meetings[1]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="NCSCP-BMG-pack-2021-06-16.pdf"' in response["Content-Disposition"]
    cover = pdf_pages(response.content)[0]
    assert f"by {user.get_full_name() or user.get_username()}" in cover
    record = PackRecord.objects.get()
    assert (record.generated_by, record.meeting) == (user, world.meetings[1])


@pytest.mark.django_db
@pytest.mark.parametrize("role, status", [("viewer", 403), ("chair", 403), ("officer", 200)])
def test_only_officers_produce_a_draft_before_the_deadline(
    client, world, future_meeting, role, status, request
):
    client.force_login(request.getfixturevalue(role))
    assert client.get(pdf_url(future_meeting)).status_code == status
    detail = client.get(reverse("oversight:meeting_detail", args=[future_meeting.pk]))
    assert detail.status_code == 200
    assert (pdf_url(future_meeting) in detail.content.decode()) == (status == 200)


@pytest.mark.django_db
def test_a_draft_says_so_on_the_cover(client, world, future_meeting, officer):
    client.force_login(officer)
    response = client.get(reverse("oversight:meeting_pack", args=[future_meeting.pk]))
    assert response.status_code == 200
    assert "Draft: figures will change until the end of 6 January 2099" in response.content.decode()


@pytest.mark.django_db
def test_meetings_of_other_groups_have_no_pack(client, world, officer):
    other = Group.objects.create(slug="t-sub", name="A sub-group")
    other.partnerships.add(world.partnership)
    meeting = Meeting.objects.create(
        group=other, date=date(2021, 5, 5), update_deadline=date(2021, 5, 1)
    )
    client.force_login(officer)
    assert client.get(pdf_url(meeting)).status_code == 404
    page = client.get(reverse("oversight:meeting_detail", args=[meeting.pk])).content.decode()
    assert "Download the pack" not in page


@pytest.mark.django_db
def test_the_preview_is_the_same_document_with_links(client, world, viewer):
    client.force_login(viewer)
    meeting = world.meetings[1]
    response = client.get(reverse("oversight:meeting_pack", args=[meeting.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Report not received, escalated" in html
    assert f'href="{pdf_url(meeting)}"' in html
    assert "<style" not in html and "<script" not in html  # the CSP allows neither inline


@pytest.mark.django_db
def test_the_download_view_uses_a_fixed_number_of_queries(
    client, world, officer, django_assert_max_num_queries
):
    add_actions(world, 100)
    client.force_login(officer)
    # 30 before the pack's sections on decisions, highlight reports and the registers beside
    # the plan, each a fixed few (see the pack query test above).
    with django_assert_max_num_queries(33):
        response = client.get(reverse("oversight:meeting_pack", args=[world.meetings[1].pk]))
    assert response.status_code == 200


# -- Assurance (ILOR) --------------------------------------------------------------------------


def add_exercise(world, title, held_on, grades, recorded):
    """An ILOR exercise with one learning area per name in `grades` {(area, agency): grade},
    each row recorded a second after the last (history as_of needs distinct moments)."""
    moments = (recorded + timedelta(seconds=n) for n in range(1000))
    with recorded_at(next(moments)):
        exercise = AssuranceExercise.objects.create(
            partnership=world.partnership, title=title, held_on=held_on
        )
    with recorded_at(next(moments)):
        exercise.agencies.set({agency for _, agency in grades})
    areas = {}
    for (area_name, agency), grade in grades.items():
        with recorded_at(next(moments)):
            if area_name not in areas:
                areas[area_name] = LearningArea.objects.create(
                    exercise=exercise, name=area_name, position=len(areas)
                )
            AssuranceRating.objects.create(area=areas[area_name], agency=agency, grade=grade)
    return exercise


@pytest.fixture
def ilor(world):
    health = Agency.objects.get(name="Test Health Trust")
    police = Agency.objects.create(name="Test Police")
    add_exercise(
        world, "ILOR January 2021", date(2021, 1, 20),
        {("Fathers", health): "bronze", ("Fathers", police): "silver"}, at(2021, 1, 21, 9),
    )  # fmt: skip
    april = add_exercise(
        world, "ILOR April 2021", date(2021, 4, 21),
        {("Fathers", health): "silver", ("Fathers", police): "silver",
         ("Pre-birth", health): "gold"}, at(2021, 4, 22, 9),
    )  # fmt: skip
    # Graded again after the June deadline: the June pack does not see it.
    with recorded_at(at(2021, 6, 10, 9)):
        rating = AssuranceRating.objects.get(area__exercise=april, agency=police)
        rating.grade = "gold"
        rating.save()
    return world


@pytest.mark.django_db
def test_assurance_section_reports_exercises_since_the_previous_meeting(ilor):
    june = build_pack(ilor.meetings[1])
    exercises = june.assurance["exercises"]
    assert [e["title"] for e in exercises] == ["ILOR April 2021"]
    rows = [(r["area"], r["agency"], r["label"], r["before"], r["movement"])
            for r in exercises[0]["rows"]]  # fmt: skip
    assert rows == [
        ("Fathers", "Test Health Trust", "Silver", "Bronze", "Up"),
        ("Fathers", "Test Police", "Silver", "Silver", "No change"),
        ("Pre-birth", "Test Health Trust", "Gold", "", "First rated"),
    ]
    february = build_pack(ilor.meetings[0])  # no previous meeting: everything held by then
    assert [e["title"] for e in february.assurance["exercises"]] == ["ILOR January 2021"]
    october = build_pack(ilor.meetings[2])
    assert october.assurance["exercises"] == []

    pages = pdf_pages(render_pdf(render_pack_html(june), in_parts=True).content)
    text = section(pages, "5. Assurance (ILOR) results", "6. Actions from the last meeting")
    assert "ILOR April 2021, 21 April 2021" in text
    assert "Grades: Gold 1; Silver 2; Bronze 0; Not assessed 0." in text
    assert "Fathers Test Health Trust Silver Bronze ILOR January 2021 Up" in text
    assert "Pre-birth Test Health Trust Gold None First rated" in text
    october_pages = pdf_pages(render_pdf(render_pack_html(october), in_parts=True).content)
    assert "No ILOR assurance exercise was held between 3 June 2021 and 29 September 2021" in (
        flat(" ".join(october_pages))
    )
