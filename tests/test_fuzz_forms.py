"""Fuzzing the forms people type into and the XLSX side of the plan importer.

Whatever text goes into a field (any Unicode, control characters, NUL, text far over the
limits, garbage in choice and date fields) a view must either save and redirect, or show the
form again with an error message; never a server error, and on an error nothing is written,
not even half (rows and history rows are counted before and after). The CSV importer is
fuzzed in tests/reviews/test_import_property.py; here the same guarantees are checked for
XLSX files: generated workbooks, damaged workbooks and uploads through the view.

Examples are few (max_examples 8-30) so the file runs in well under 30 seconds; set
FUZZ_THOROUGH=1 for a long search (500 examples each).
"""

import datetime
import io
import json
import os

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from oversight.importing import ImportOptions, apply_parsed, parse_file
from oversight.models import PendingImport
from plans.forms import COMMENT_MAX, UpdateForm
from plans.importing import HEADER_KINDS, ImportFailed
from plans.models import (
    Action,
    ActionParent,
    Agency,
    Group,
    Objective,
    Plan,
    RagUpdate,
    Rating,
)
from reviews.models import (
    AssuranceExercise,
    AssuranceRating,
    CaseReview,
    Evidence,
    LearningArea,
    Recommendation,
    SignOff,
)

THOROUGH = os.environ.get("FUZZ_THOROUGH") == "1"


def examples(n):
    """`n` examples and no deadline: a request can take a while.

    The suite (and so CI) draws the same examples every run, so a red build always means a
    change broke something. FUZZ_THOROUGH=1 searches 500 fresh random examples per test
    instead: run it by hand, and turn anything it finds into a plain regression test.
    """
    return settings(
        max_examples=500 if THOROUGH else n,
        derandomize=not THOROUGH,
        database=None if not THOROUGH else settings.default.database,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


# -- Strategies ------------------------------------------------------------------------------

NASTY = [
    "",
    " ",
    "\x00",
    "before\x00after",
    "\r\n\r\n",
    "\t",
    "=SUM(A1:A9)",
    "<script>alert(1)</script>",
    "\u202eevil",  # right-to-left override
    "\ufeffbom",
    "\u0000\u0001\u001f\u007f",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🙂 عربى 中文",
    "x" * (COMMENT_MAX + 1),
    "y" * 20_000,
    "%s %(x)s {0} {{ x }}",
    "'; DROP TABLE plans_action; --",
]


def mostly(good, bad):
    """`good` seven times in ten, else `bad`: both the save and the error path get explored."""
    return st.integers(0, 9).flatmap(lambda i: good if i < 7 else bad)


controls = st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=12)
hostile = st.one_of(
    st.sampled_from(NASTY),
    controls,
    st.builds(lambda c, n: c * n, st.characters(), st.integers(COMMENT_MAX - 2, COMMENT_MAX + 2)),
)
text = mostly(st.text(min_size=1, max_size=80), hostile)  # any Unicode, or worse
optional = mostly(st.just(""), text)
garbage_part = st.one_of(
    st.sampled_from(["", "0", "-1", "32", "13", "99999", "1e3", "٣", "２０２７", " 1 "]),
    st.integers(-10, 100_000).map(str),
    st.text(max_size=6),
)
real_date = st.dates(datetime.date(2000, 1, 1), datetime.date(2100, 12, 31)).map(
    lambda d: (str(d.day), str(d.month), str(d.year))
)
date_parts = mostly(
    st.one_of(st.just(("", "", "")), real_date), st.tuples(garbage_part, garbage_part, garbage_part)
)
ratings = mostly(st.sampled_from(Rating.values), st.one_of(st.just("purple"), hostile))


def date_fields(name, data):
    return {f"{name}_{i}": part for i, part in enumerate(data.draw(date_parts))}


def error_page(response):
    """The form shown again, in the GOV.UK error pattern."""
    html = response.content.decode()
    return "govuk-error-summary" in html and "Error:" in html


# -- Fixtures --------------------------------------------------------------------------------


@pytest.fixture
def plan_action(ncscp):
    plan = Plan.objects.create(partnership=ncscp, slug="fuzz-plan", title="Fuzz plan")
    objective = Objective.objects.create(
        ref="fuzz-o1", kind=ActionParent.Kind.OBJECTIVE, partnership=ncscp, plan=plan, number=1
    )
    return [
        Action.objects.create(ref=f"fuzz-o1-{n}", parent=objective, position=n, text=f"Do {n}")
        for n in (1, 2)
    ]


@pytest.fixture
def review_world(ncscp, officer):
    agency = Agency.objects.create(name="Fuzz Trust")
    agency.partnerships.add(ncscp)
    review = CaseReview.objects.create(partnership=ncscp, code="FZ1", kind="lcspr")
    recommendation = Recommendation.objects.create(
        ref="fz1-r1",
        kind=ActionParent.Kind.RECOMMENDATION,
        partnership=ncscp,
        review=review,
        number=1,
        agency=agency,
        text="Recommendation",
    )
    action = Action.objects.create(ref="fz1-r1-1", parent=recommendation, text="Act")
    exercise = AssuranceExercise.objects.create(partnership=ncscp, title="ILOR")
    exercise.agencies.add(agency)
    area = LearningArea.objects.create(exercise=exercise, name="Voice of the child")
    return review, recommendation, action, agency, exercise, area


# -- The RAG update --------------------------------------------------------------------------


@examples(60)
@given(
    rating=ratings,
    comment=text,
    reason=optional,
    parts=date_parts,
    current=st.sampled_from([None, *Rating.values]),
)
def test_the_update_form_validates_anything_without_raising(
    rating, comment, reason, parts, current
):
    data = {"rating": rating, "comment": comment, "revision_reason": reason}
    data |= {f"revised_due_date_{i}": part for i, part in enumerate(parts)}
    form = UpdateForm(data, current_rating=current)
    if not form.is_valid():
        assert form.errors and all(all(m for m in ms) for ms in form.errors.values())
        return
    clean = form.cleaned_data
    assert clean["rating"] in Rating.values
    assert len(clean["comment"]) <= COMMENT_MAX and "\x00" not in clean["comment"]
    if clean["rating"] in {Rating.RED, Rating.AMBER, Rating.COMPLETE}:
        assert clean["comment"]  # a rating that needs a reason always has one
    if clean["revision_reason"]:
        assert isinstance(clean["revised_due_date"], datetime.date)


def update_state(action):
    action.refresh_from_db()
    return (
        RagUpdate.objects.count(),
        RagUpdate.history.count(),
        Action.history.count(),
        action.revised_due_date,
        action.revision_reason,
    )


@examples(20)
@given(data=st.data())
def test_the_update_view_saves_whole_or_explains(client, officer, plan_action, data):
    action = plan_action[0]
    client.force_login(officer)
    post = {"rating": data.draw(ratings), "comment": data.draw(text)}
    post |= {"revision_reason": data.draw(optional)}
    post["seen"] = data.draw(mostly(st.just(""), st.just("0.0")))  # "0.0": someone else saved
    post |= date_fields("revised_due_date", data)
    before = update_state(action)
    response = client.post(reverse("plans:action_update", args=[action.pk]), post)
    assert response.status_code in {200, 302}
    after = update_state(action)
    event(f"status {response.status_code}")
    if response.status_code == 302:
        assert after[0] == before[0] + 1
        saved = RagUpdate.objects.filter(action=action).latest("pk")
        assert saved.rating == post["rating"] and saved.comment == post["comment"].strip()
    else:
        assert error_page(response)
        assert after == before  # nothing written, not even history


@examples(15)
@given(data=st.data())
def test_my_actions_saves_every_valid_rated_row(client, officer, plan_action, data):
    """Save all saves each card that has a valid rating and reports the others card by card."""
    client.force_login(officer)
    post = {"action": [str(a.pk) for a in plan_action]}
    for action in plan_action:
        post[f"a{action.pk}-rating"] = data.draw(mostly(ratings, st.just("")))
        post[f"a{action.pk}-comment"] = data.draw(text)
    before = [update_state(a) for a in plan_action]
    response = client.post(reverse("oversight:my_actions"), post)
    event(f"status {response.status_code}")
    assert response.status_code in {200, 302}
    if response.status_code == 302:
        rated = sum(1 for a in plan_action if post[f"a{a.pk}-rating"])
        assert RagUpdate.objects.count() == before[0][0] + rated
    else:
        assert error_page(response)
        rated = sum(1 for a in plan_action if post[f"a{a.pk}-rating"])
        assert before[0][0] <= RagUpdate.objects.count() <= before[0][0] + rated


# -- Review forms ----------------------------------------------------------------------------

CASE_STATE = [CaseReview, Recommendation, Evidence, SignOff, AssuranceExercise, AssuranceRating]


def review_state():
    """Rows and history rows of everything the review forms write."""
    counts = [model.objects.count() for model in CASE_STATE]
    counts += [model.history.count() for model in CASE_STATE]
    counts.append(LearningArea.objects.count())
    return counts


def check_saved_or_explained(response, before):
    event(f"status {response.status_code}")
    assert response.status_code in {200, 302, 400}, response.status_code
    if response.status_code != 302:
        assert error_page(response)
        assert review_state() == before


@examples(15)
@given(data=st.data())
def test_evidence_is_recorded_or_explained(client, officer, review_world, data):
    review, recommendation, action, *_ = review_world
    client.force_login(officer)
    post = {f"a{action.pk}-summary": data.draw(text)}
    post[f"a{action.pk}-link"] = data.draw(mostly(st.just("https://example.org/m"), optional))
    post |= date_fields(f"a{action.pk}-seen_on", data)
    before = review_state()
    response = client.post(reverse("reviews:evidence_add", args=[action.pk]), post)
    check_saved_or_explained(response, before)
    if response.status_code == 302:
        evidence = Evidence.objects.latest("pk")
        assert evidence.summary == post[f"a{action.pk}-summary"].strip()
        assert not evidence.link or evidence.link.startswith(("http://", "https://"))


@examples(15)
@given(reason=text, note=optional)
def test_closing_and_signing_off_save_or_explain(client, officer, review_world, reason, note):
    review, recommendation, *_ = review_world
    client.force_login(officer)
    before = review_state()
    url = reverse("reviews:recommendation_close", args=[recommendation.pk])
    response = client.post(url, {"reason": reason})
    check_saved_or_explained(response, before)
    if response.status_code != 302:
        return
    recommendation.refresh_from_db()
    assert recommendation.closed_reason == reason.strip()
    before = review_state()  # closed, so the plan is ready: sign-off takes the note
    response = client.post(reverse("reviews:review_sign_off", args=[review.pk]), {"note": note})
    check_saved_or_explained(response, before)
    # Undo for the next example.
    SignOff.objects.filter(review=review).delete()
    CaseReview.objects.filter(pk=review.pk).update(status=CaseReview.Status.COMMISSIONED)
    Recommendation.objects.filter(pk=recommendation.pk).update(
        closed_reason="", closed_on=None, closed_by=None
    )


@examples(15)
@given(data=st.data())
def test_the_review_register_entry_is_saved_or_explained(client, officer, review_world, data):
    review = review_world[0]
    client.force_login(officer)
    post = {
        "kind": data.draw(mostly(st.sampled_from(CaseReview.Kind.values), hostile)),
        "status": data.draw(mostly(st.sampled_from(CaseReview.Status.values), hostile)),
        "title": data.draw(text),
        "publication_url": data.draw(mostly(st.just("https://example.org/r"), optional)),
        "themes": data.draw(mostly(st.just([]), st.sampled_from([["abc"], ["999999"], ["-1"]]))),
    }
    for name in ("commissioned_on", "completed_on", "published_on"):
        post |= date_fields(name, data)
    before = review_state()
    response = client.post(reverse("reviews:review_edit", args=[review.pk]), post)
    check_saved_or_explained(response, before)
    review.refresh_from_db()
    if response.status_code == 302:
        assert review.title == post["title"].strip() and len(review.title) <= 200
    assert review.status != CaseReview.Status.SIGNED_OFF  # only sign-off sets that


@examples(15)
@given(grade=mostly(st.sampled_from(AssuranceRating.Grade.values), hostile), narrative=text)
def test_an_assurance_rating_is_saved_or_explained(client, officer, review_world, grade, narrative):
    *_, agency, exercise, area = review_world
    client.force_login(officer)
    before = review_state()
    url = reverse("reviews:assurance_rate", args=[exercise.pk, area.pk, agency.pk])
    response = client.post(url, {"grade": grade, "narrative": narrative})
    check_saved_or_explained(response, before)
    if response.status_code == 302:
        rating = AssuranceRating.objects.get(area=area, agency=agency)
        assert (rating.grade, rating.narrative) == (grade, narrative.strip())


@examples(12)
@given(data=st.data())
def test_an_assurance_exercise_is_created_whole_or_not_at_all(client, officer, review_world, data):
    review, _, _, agency, *_ = review_world
    client.force_login(officer)
    post = {
        "title": data.draw(text),
        "notes": data.draw(optional),
        "extra_areas": data.draw(st.lists(text, min_size=1, max_size=4).map("\n".join)),
        "agencies": data.draw(mostly(st.just([str(agency.pk)]), st.sampled_from([[], ["x"]]))),
        "reviews": data.draw(mostly(st.just([str(review.pk)]), st.sampled_from([[], ["x"]]))),
    }
    post |= date_fields("held_on", data)
    before = review_state()
    response = client.post(reverse("reviews:assurance_create", args=["NCSCP"]), post)
    check_saved_or_explained(response, before)
    if response.status_code == 302:
        exercise = AssuranceExercise.objects.latest("pk")
        assert exercise.areas.exists()  # created with its learning areas, in one go


# -- The importer, XLSX ----------------------------------------------------------------------

HEADINGS = [heading for kind in HEADER_KINDS.values() for _name, heading in kind.columns]
MEANINGFUL = [
    "Overview Report",
    "Fuzz Trust",
    "Unknown Agency Ltd",
    "\u2022 first \u2022 second",
    "By 31/12/09",
    "Completed Oct 2009 Mar 2010",
    "Red",
    "not started",
    "Purple",
    "=SUM(A1:A2)",  # a formula: read back as its (absent) cached value
    "x" * 300,
]
xlsx_cells = st.one_of(
    st.none(),
    st.sampled_from(MEANINGFUL),
    st.sampled_from(HEADINGS),
    st.text(max_size=40).map(lambda s: ILLEGAL_CHARACTERS_RE.sub("", s)),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.dates(min_value=datetime.date(1901, 1, 1), max_value=datetime.date(2099, 12, 31)),
    st.datetimes(
        min_value=datetime.datetime(1901, 1, 1), max_value=datetime.datetime(2099, 12, 31)
    ),
)
xlsx_rows = st.lists(st.lists(xlsx_cells, max_size=10), max_size=20)
PLAUSIBLE = {
    "number": st.integers(1, 9),
    "rating": st.sampled_from(["Red", "Amber", "Green", "Complete", "Not started", ""]),
    "timescale": st.sampled_from(["By 31/12/09", "June 2019 Oct 2019", "Ongoing", ""]),
    "comment": st.sampled_from(["", "On track"]),
}
clean_text = st.text(min_size=1, max_size=30).map(lambda s: ILLEGAL_CHARACTERS_RE.sub("", s))


def body_for(kind, header):
    """Rows that fill the header's columns sensibly (so some files import), or any rows."""
    names = {heading: name for name, heading in HEADER_KINDS[kind].columns}
    row = st.tuples(*[PLAUSIBLE.get(names[h], clean_text) for h in header]).map(list)
    return mostly(st.lists(row, min_size=1, max_size=8), xlsx_rows)


def workbook(header, body, blank_rows=0, sheet_title="Sheet"):
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title
    for _ in range(blank_rows):
        sheet.append([])
    if header is not None:
        sheet.append(header)
    for row in body:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def header_for(kind, data):
    return data.draw(st.permutations([h for _n, h in HEADER_KINDS[kind].columns]))


@examples(60)
@given(
    kind=st.sampled_from([None, "review", "plan"]),
    blank_rows=st.integers(0, 3),
    data=st.data(),
)
def test_the_xlsx_reader_only_ever_fails_with_a_validation_error(kind, blank_rows, data):
    header = header_for(kind, data) if kind else None
    body = data.draw(body_for(kind, header) if kind else xlsx_rows)
    try:
        parsed = parse_file(workbook(header, body, blank_rows), "plan.xlsx")
    except ImportFailed as failed:
        assert failed.problems and all(str(problem) for problem in failed.problems)
        event("refused")
        return
    event("parsed")
    assert parsed["kind"] in {"review", "plan"}
    json.dumps(parsed)  # it must fit in a pending upload's JSON field
    assert "\x00" not in json.dumps(parsed)  # PostgreSQL's JSON refuses NUL


def valid_xlsx():
    body = [["Overview Report"], ["Outcome", "Rec", "Act", "Lead", "By 31/12/09", "Audit"]]
    return workbook([h for _n, h in HEADER_KINDS["review"].columns], body)


def test_the_undamaged_workbook_imports():
    assert parse_file(valid_xlsx(), "plan.xlsx")["kind"] == "review"


@examples(80)
@given(
    flips=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=8),
    cut=st.one_of(st.none(), st.integers(0, 10**6)),
)
def test_a_damaged_xlsx_only_ever_fails_with_a_validation_error(flips, cut):
    content = bytearray(valid_xlsx())
    for position, value in flips:
        content[position % len(content)] = value
    if cut is not None:
        content = content[: cut % (len(content) + 1)]
    try:
        parse_file(bytes(content), "plan.xlsx")
    except ImportFailed as failed:
        assert failed.problems


@examples(25)
@given(kind=st.sampled_from(["review", "plan"]), data=st.data())
def test_applying_a_parsed_xlsx_only_ever_fails_with_a_validation_error(ncscp, officer, kind, data):
    header = header_for(kind, data)
    try:
        parsed = parse_file(workbook(header, data.draw(body_for(kind, header))), "plan.xlsx")
    except ImportFailed:
        event("refused")
        return
    event("parsed")
    options = ImportOptions(
        partnership=ncscp,
        user=officer,
        review_code=data.draw(mostly(st.just("FZ9"), st.sampled_from(["", "!!", "x" * 41]))),
        plan_name=data.draw(mostly(st.just("Plan"), st.sampled_from(["", "p" * 201]))),
        create_agencies=data.draw(st.booleans()),
        dry_run=True,
    )

    def state():
        return [m.objects.count() for m in (Action, Agency, Group, Plan, CaseReview)] + [
            Action.history.count()
        ]

    before = state()
    try:
        apply_parsed(parsed, options)
    except ImportFailed as failed:
        assert failed.problems
    assert state() == before  # a dry run writes nothing


@examples(10)
@given(kind=st.sampled_from(["review", "plan"]), data=st.data())
def test_an_uploaded_xlsx_is_staged_or_refused_never_half_imported(client, officer, kind, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(officer)
    header = header_for(kind, data)
    content = workbook(header, data.draw(body_for(kind, header)))
    post = {
        "file": SimpleUploadedFile("plan.xlsx", content),
        "review_code": data.draw(mostly(st.just("FZ9"), st.sampled_from(["", "x" * 41]))),
        "plan_name": data.draw(mostly(st.just("Fuzz plan 2"), st.just(""))),
        "create_agencies": data.draw(st.sampled_from(["", "on"])),
    }
    counts = (Action.objects.count(), CaseReview.objects.count(), Plan.objects.count())
    pending = PendingImport.objects.count()
    response = client.post(reverse("oversight:import_upload", args=["NCSCP"]), post)
    event(f"status {response.status_code}")
    assert response.status_code in {200, 302, 400}
    after = (Action.objects.count(), CaseReview.objects.count(), Plan.objects.count())
    assert after == counts  # an upload only stages; confirming writes
    if response.status_code == 302:
        assert PendingImport.objects.count() == pending + 1
    else:
        assert error_page(response) or "cannot be imported" in response.content.decode()
        assert PendingImport.objects.count() == pending
