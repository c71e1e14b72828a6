"""Hostile text in every user-editable field: escaped in HTML, literal in PDFs, inert in
spreadsheets.

A "hostile world" fills every text field of every model of plans/, workstreams/ and reviews/
(found by walking the models, so a field added later is filled too) with a script, an
attribute break-out and a template expression, each carrying the field's own tag. Every page
that shows those objects is rendered and must contain none of the payloads as markup, and the
escaped form of the payloads it shows. The coverage test then checks that every field's
payload was shown somewhere, so a field that no page shows has to be named in NOT_SHOWN.
"""

import csv
import io
import re
import zlib
from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import get_resolver, resolve, reverse
from django.utils import timezone
from django.utils.html import escape
from openpyxl import load_workbook
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from oversight.export import XLSX_COLUMNS, neutralise
from oversight.models import Decision, HighlightReport, Meeting, PendingImport, ReminderLog
from performance import periods
from performance.models import Measure, MeasureValue
from plans.models import (
    Action,
    ActionParent,
    Agency,
    FocusCohort,
    Group,
    Milestone,
    Objective,
    Partnership,
    Plan,
    Priority,
    RagUpdate,
    Rating,
    Role,
    Theme,
)
from quality.models import (
    Audit,
    AuditRecommendation,
    Finding,
    ImpactEntry,
    LineOfEnquiry,
    QaGroup,
    Section11Cycle,
    SelfAssessment,
)
from reviews.forms import EvidenceForm, ReviewForm
from reviews.models import (
    AssuranceExercise,
    AssuranceRating,
    CaseReview,
    Evidence,
    IntakeCase,
    LearningArea,
    ReCheck,
    Recommendation,
    SignOff,
)
from risks.models import Risk, RiskReview
from tests.factories import make_update
from workstreams.models import Workstream

APPS = ("plans", "workstreams", "reviews", "oversight", "risks", "quality", "performance")
ATTACKER = "attacker.example"

# Written by the system, never by a person: not part of the attack surface.
NOT_USER_TEXT = {("PendingImport", "kind"), ("ImportMapping", "signature")}
# A pack render's version key and the reason a render failed (shown escaped on its page).
NOT_USER_TEXT |= {("PackRender", "key"), ("PackRender", "error")}
# Typed by people (in the admin, which escapes its own output) but shown on no page, PDF or
# export. The coverage test fails when one of them starts being shown, so the list stays true.
NOT_SHOWN = {("Group", "notes"), ("Partnership", "area")}

# Raw markup that must never reach a page: each payload's opening tag, unescaped.
RAW = ("<script>alert", "<img src=x", "<svg onload")
SCHEME_IN_ATTRIBUTE = re.compile(
    r"""(?:href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.I
)


# -- Payloads -------------------------------------------------------------------------------


def text_fields(model):
    """The model's own text fields that a person types (no slugs, choices, e-mail or URLs:
    those are validated to a fixed alphabet or scheme)."""
    return [
        field
        for field in model._meta.local_concrete_fields
        if isinstance(field, (models.CharField, models.TextField))
        and not isinstance(field, (models.SlugField, models.EmailField, models.URLField))
        and not field.choices
        and field.editable
        and (model.__name__, field.name) not in NOT_USER_TEXT
    ]


def tracked_models():
    """Every model of the tracker's apps with a user-typed text field (history tables out)."""
    found = []
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            if model.__name__.startswith("Historical"):
                continue
            if text_fields(model):
                found.append(model)
    return found


def every_field():
    fields = {(m.__name__, f.name) for m in tracked_models() for f in text_fields(m)}
    return fields | {("User", "first_name"), ("User", "last_name")}


def payload(model_name, field_name, max_length=None, copy=1):
    """The hostile text for one field: a script, a break-out of an attribute and a template
    expression, naming the field; a bare markup payload where the field is too short."""
    tag = f"{model_name}.{field_name}" + (f"#{copy}" if copy > 1 else "")
    full = f'<script>alert("{tag}")</script>"><img src=x onerror=alert(1)>{{{{ 7*7 }}}}'
    if max_length is None or len(full) + 20 <= max_length:
        return full + " javascript:alert(1)"
    if len(full) <= max_length:
        return full
    return f"<svg onload={short_id(model_name, field_name)}{copy}>'&\""  # 20 characters


def short_id(model_name, field_name):
    return f"{zlib.crc32(f'{model_name}.{field_name}'.encode()):08x}"[:3]


def max_length_of(model_name, field_name):
    if model_name == "User":
        return get_user_model()._meta.get_field(field_name).max_length
    model = next(m for m in tracked_models() if m.__name__ == model_name)
    return model._meta.get_field(field_name).max_length


def identity(model_name, field_name):
    """The start of every copy of a field's payload: what shows that the field was printed."""
    text = payload(model_name, field_name, max_length_of(model_name, field_name))
    if text.startswith("<svg"):
        return f"<svg onload={short_id(model_name, field_name)}"
    return f'<script>alert("{model_name}.{field_name}'


def shows(html, model_name, field_name):
    """The field's payload is in the page, escaped."""
    return escape(identity(model_name, field_name)) in html


def fill(obj, copy=1, **values):
    """Set every user-typed text field of `obj` (inherited ones too, named after the model
    that declares them) to its payload; `values` win."""
    model = type(obj)
    for owner in [model, *model._meta.get_parent_list()]:
        for field in text_fields(owner):
            setattr(obj, field.name, payload(owner.__name__, field.name, field.max_length, copy))
    for name, value in values.items():
        setattr(obj, name, value)
    return obj


def make(model, copy=1, **values):
    obj = fill(model(), copy, **values)
    obj.save()
    if model is RagUpdate:  # as plans/updates.py does after recording an update
        Action.objects.filter(pk=obj.action_id).refresh_current_rating()
    return obj


# -- The hostile world ----------------------------------------------------------------------


@pytest.fixture(autouse=True)
def fresh_cache():
    """Rendered fragments are cached by data version; another test's data must not leak in."""
    cache.clear()
    yield
    cache.clear()


def person(username, partnership, kind, hostile=0, **role):
    """A user with a role, named with copy `hostile` of the name payloads (0: no name), and
    no password: tests sign in with force_login."""
    names = {}
    if hostile:
        names = {name: payload("User", name, 150, hostile) for name in ("first_name", "last_name")}
    user = get_user_model().objects.create_user(username, password=None, **names)
    Role.objects.create(user=user, partnership=partnership, kind=kind, **role)
    return user


@pytest.fixture
def world(db):
    w = SimpleNamespace()
    today = timezone.localdate()
    w.partnership = p = make(Partnership)
    w.agency = make(Agency)
    w.agency.partnerships.add(p)
    w.bmg = make(Group, slug="hostile-bmg", kind=Group.Kind.BMG)
    w.bmg.partnerships.add(p)
    w.group = make(Group, copy=2, slug="hostile-qa", kind=Group.Kind.SUBGROUP)
    w.group.partnerships.add(p)
    w.officer = person("t-h-officer", p, Role.Kind.BOARD_OFFICER, hostile=1)
    w.viewer = person("t-h-viewer", p, Role.Kind.VIEWER)
    w.chair = person("t-h-chair", p, Role.Kind.CHAIR, hostile=2, group=w.group)
    w.lead = person("t-h-lead", p, Role.Kind.AGENCY_LEAD, agency=w.agency)

    w.theme = make(Theme, slug="hostile-theme")
    w.plan = make(Plan, partnership=p, slug="hostile-plan", starts_on=today - timedelta(days=30))
    # An older plan, archived by the chair: the archive list names it and who archived it.
    w.old_plan = fill(Plan(), copy=2, partnership=p, slug="hostile-old", archived_at=timezone.now())
    w.old_plan._history_user = w.chair
    w.old_plan.save()
    w.priority = make(Priority, plan=w.plan, number=1)
    make(FocusCohort, plan=w.plan)
    w.objective = make(
        Objective,
        ref="hostile-o1",
        kind=ActionParent.Kind.OBJECTIVE,
        partnership=p,
        plan=w.plan,
        number=1,
        priority=w.priority,
    )
    w.action = make(
        Action,
        ref="hostile-o1-1",
        parent=w.objective,
        due_date=today - timedelta(days=10),
        revised_due_date=today + timedelta(days=10),
        withdrawn_reason="",
    )
    w.action.lead_groups.add(w.group)
    w.action.lead_agencies.add(w.agency)
    make(Milestone, action=w.action, due=today + timedelta(days=5))
    # A change by the chair, so the history table shows who (by name) and old > new.
    w.action.measure = payload("Action", "measure", None, copy=2)
    w.action._history_user = w.chair
    w.action.save()
    make(RagUpdate, action=w.action, rating=Rating.RED, as_of=today, author=w.officer)

    w.workstream = make(
        Workstream, ref="hostile-w1", kind=ActionParent.Kind.WORKSTREAM, partnership=p, number=1
    )
    w.workstream.themes.add(w.theme)
    w.ws_action = make(Action, copy=3, ref="hostile-w1-1", parent=w.workstream, withdrawn_reason="")

    w.review = make(
        CaseReview,
        partnership=p,
        kind=CaseReview.Kind.LCSPR,
        status=CaseReview.Status.IN_PROGRESS,
        publication_url=f"https://{ATTACKER}/report",
    )
    w.review.themes.add(w.theme)
    w.workstream.reviews.add(w.review)
    w.recommendation = make(
        Recommendation,
        ref="hostile-r1",
        kind=ActionParent.Kind.RECOMMENDATION,
        partnership=p,
        position=1,
        review=w.review,
        number=1,
        agency=w.agency,
        source=Recommendation.Source.ADDED,
        closed_reason="",
        withdrawn_reason="",
    )
    w.rec_action = make(
        Action, copy=4, ref="hostile-r1-1", parent=w.recommendation, withdrawn_reason=""
    )
    # A second action, withdrawn with a reason: its recommendation's page lists it apart.
    w.withdrawn_action = make(
        Action, copy=5, ref="hostile-r1-2", parent=w.recommendation, position=2, withdrawn_on=today
    )
    make(RagUpdate, copy=2, action=w.rec_action, rating=Rating.AMBER, as_of=today, author=w.officer)
    make(
        Evidence,
        action=w.rec_action,
        link=f"https://{ATTACKER}/evidence",
        seen_on=today,
        recorded_by=w.officer,
    )
    w.closed = make(
        Recommendation,
        copy=2,
        ref="hostile-r2",
        kind=ActionParent.Kind.RECOMMENDATION,
        partnership=p,
        position=2,
        review=w.review,
        number=2,
        agency=None,
        source=Recommendation.Source.OVERVIEW,
        closed_on=today,
        closed_by=w.officer,
        withdrawn_reason="",
    )
    # A third, withdrawn with a reason: the review's page lists it apart.
    make(
        Recommendation,
        copy=3,
        ref="hostile-r3",
        kind=ActionParent.Kind.RECOMMENDATION,
        partnership=p,
        position=3,
        review=w.review,
        number=3,
        agency=None,
        source=Recommendation.Source.OVERVIEW,
        closed_reason="",
        withdrawn_on=today,
        archived_at=timezone.now(),
    )
    make(
        SignOff,
        review=w.review,
        signed_off_by=w.officer,
        capacity=SignOff.Capacity.BOARD_OFFICER,
        previous_status=CaseReview.Status.IN_PROGRESS,
        reopened_by=w.officer,
        reopened_at=timezone.now(),
    )
    # A second review, signed off, so that a sign-off note in force is shown too.
    w.signed = make(
        CaseReview, copy=2, partnership=p, kind=CaseReview.Kind.SCR, status="signed_off"
    )
    make(
        SignOff,
        copy=2,
        review=w.signed,
        signed_off_by=w.officer,
        capacity=SignOff.Capacity.BOARD_OFFICER,
        previous_status=CaseReview.Status.COMPLETED,
        reopen_reason="",
    )

    # A re-check of the review action, done, with its finding shown on the recommendation.
    make(
        ReCheck,
        action=w.rec_action,
        kind=ReCheck.Kind.ILOR,
        due_on=today,
        done_on=today,
        grade="gold",
        scheduled_by=w.officer,
    )
    # An intake case with every clock running (so the clocks page lists it), linked to a review.
    w.case = make(
        IntakeCase,
        partnership=p,
        incident_on=today - timedelta(days=40),
        learned_on=today - timedelta(days=30),
        notified_on=today - timedelta(days=2),
        lcspr_decision=IntakeCase.LcsprDecision.YES,
        lcspr_decided_on=today - timedelta(days=1),
        review=w.review,
    )

    w.exercise = make(AssuranceExercise, partnership=p, held_on=today)
    w.exercise.reviews.add(w.review)
    w.exercise.agencies.add(w.agency)
    w.area = make(LearningArea, exercise=w.exercise, theme=w.theme)
    make(AssuranceRating, area=w.area, agency=w.agency, grade="gold", rated_by=w.officer)

    # A BMG meeting whose update deadline is today, so the (draft) pack sees everything.
    w.meeting = make(Meeting, group=w.bmg, date=today + timedelta(days=14), update_deadline=today)
    ReminderLog.objects.create(
        meeting=w.meeting,
        user=w.chair,
        kind=ReminderLog.Kind.MANUAL,
        days_before=0,
        email="chair@example.org",
        sent_on=today,
        sent_by=w.officer,
    )
    w.pending = make(
        PendingImport,
        partnership=p,
        uploaded_by=w.officer,
        kind="review",
        options={},
        payload={
            "kind": "review",
            "recommendations": [
                {
                    "row": 2,
                    "section": payload("Import", "section"),
                    "text": payload("Import", "recommendation"),
                    "actions": [
                        {"text": payload("Import", "action"), "lead_text": "", "timescale": ""}
                    ],
                }
            ],
        },
        summary={"target": payload("Import", "target"), "counts": {}, "changes": [], "kept": []},
    )
    w.risk = make(
        Risk,
        partnership=p,
        owner_group=w.group,
        owner_agency=w.agency,
        owner_user=w.chair,
        inherent_likelihood=5,
        inherent_impact=5,
        residual_likelihood=4,
        residual_impact=4,
        next_review_on=today,
    )
    w.risk.actions.add(w.action)
    make(
        RiskReview,
        risk=w.risk,
        reviewed_on=today,
        reviewed_by=w.chair,
        likelihood=4,
        impact=4,
        previous_likelihood=3,
        previous_impact=4,
    )
    quality_world(w, p, today)
    # A measure of the data set whose latest quarter is missing, with the reason and commentary.
    w.measure = make(
        Measure,
        partnership=p,
        owner_agency=w.agency,
        unit="percent",
        higher_is_better=True,
        target=85,
        amber_threshold=75,
        frequency="quarter",
    )
    w.measure.objectives.add(w.objective)
    w.quarter = periods.recent("quarter", today, 2)[1]
    make(
        MeasureValue,
        measure=w.measure,
        period_start=periods.previous(w.quarter, "quarter"),
        value=80,
        missing_reason="",
        entered_by=w.officer,
    )
    make(MeasureValue, copy=2, measure=w.measure, period_start=w.quarter, entered_by=w.chair)
    return w


def quality_world(w, p, today):
    """The QA programme's objects (quality/), every text field hostile."""
    QaGroup.objects.create(partnership=p, group=w.group)
    w.audit = make(
        Audit,
        partnership=p,
        lead_group=w.group,
        review=w.review,
        status=Audit.Status.REPORTED,
        reported_on=today,
    )
    w.audit.agencies.add(w.agency)
    w.dip_test = make(
        Audit, copy=2, partnership=p, method=Audit.Method.DIP_TEST, follow_up_of=w.audit
    )
    finding = w.finding = make(Finding, audit=w.audit, number=1, grade=Finding.Grade.STRENGTH)
    w.audit_rec = make(
        AuditRecommendation,
        ref="hostile-a1",
        audit=w.audit,
        number=1,
        finding=finding,
        agency=w.agency,
        closed_on=today,
        closed_by=w.officer,
        withdrawn_reason="",
    )
    make(
        AuditRecommendation,
        copy=2,
        ref="hostile-a2",
        audit=w.audit,
        number=2,
        closed_reason="",
        withdrawn_on=today,
    )
    w.audit_action = make(
        Action, copy=7, ref="hostile-a1-1", parent=w.audit_rec, withdrawn_reason=""
    )
    w.impact = make(ImpactEntry, partnership=p, recorded_on=today, audit=w.audit)
    w.cycle = make(Section11Cycle, partnership=p, deadline=today)
    w.assessment = make(
        SelfAssessment,
        ref="hostile-s11",
        cycle=w.cycle,
        agency=w.agency,
        submitted_on=today,
        lines_total=57,
        compliant=55,
        partial=2,
    )
    w.line = make(LineOfEnquiry, assessment=w.assessment, rating=LineOfEnquiry.Rating.PARTIAL)
    make(Action, copy=8, ref="hostile-s11-1", parent=w.assessment, withdrawn_reason="")
    add_reports_and_decisions(w, today)
    return w


def add_reports_and_decisions(w, today):
    """A highlight report from the hostile sub-group (under the BMG) for the meeting, and a
    decision of the previous BMG meeting with its tracked action, which the meeting's pack
    reports back on."""
    w.group.parent = w.bmg
    w.group.save()
    w.report = make(HighlightReport, meeting=w.meeting, group=w.group)
    w.report.asks = payload("HighlightReport", "asks", copy=2)
    w.report.save_by(w.chair)
    w.previous = make(
        Meeting,
        copy=2,
        group=w.bmg,
        date=today - timedelta(days=60),
        update_deadline=today - timedelta(days=74),
    )
    w.decision = make(
        Decision,
        ref="hostile-d1",
        kind=ActionParent.Kind.DECISION,
        partnership=w.partnership,
        meeting=w.previous,
        number=1,
        needs_action=True,
    )
    w.decision_action = make(
        Action, copy=6, ref="hostile-d1-1", parent=w.decision, withdrawn_reason=""
    )
    w.decision_action.lead_groups.add(w.group)
    make(
        RagUpdate,
        copy=3,
        action=w.decision_action,
        rating=Rating.GREEN,
        as_of=today,
        author=w.officer,
    )


def invitation_path(user):
    from plans.people import invite_link

    return urlsplit(invite_link(user)).path


def pages(w):
    """(name, url, user) for every page that shows the world's objects."""
    p = w.partnership
    officer_pages = [
        ("dashboard", reverse("oversight:dashboard")),
        ("action list", reverse("oversight:action_list")),
        ("action list, searched", reverse("oversight:action_list") + "?q=%3Cscript%3E"),
        (
            "action list, sorted by comment, hostile sort and dates",
            reverse("oversight:action_list")
            + "?sort=%3Cscript%3E&due_from_0=%3Cscript%3E&due_by=%3Cb%3E&sort=-comment",
        ),
        ("action detail", reverse("plans:action_detail", args=[w.action.pk])),
        ("workstream action", reverse("plans:action_detail", args=[w.ws_action.pk])),
        ("review action", reverse("plans:action_detail", args=[w.rec_action.pk])),
        ("action update", reverse("plans:action_update", args=[w.action.pk])),
        ("my actions", reverse("oversight:my_actions") + "?show=all"),
        ("plan list", reverse("plans:plan_list")),
        ("plan", reverse("plans:plan_detail", args=[w.plan.slug])),
        ("plan, sorted", reverse("plans:plan_detail", args=[w.plan.slug]) + "?sort=-comment"),
        ("workstreams", reverse("workstreams:workstream_list", args=[p.short_name])),
        ("review list", reverse("reviews:review_list")),
        ("review", reverse("reviews:review_detail", args=[w.review.pk])),
        ("signed-off review", reverse("reviews:review_detail", args=[w.signed.pk])),
        ("review edit", reverse("reviews:review_edit", args=[w.review.pk])),
        ("recommendation", reverse("reviews:recommendation_detail", args=[w.recommendation.pk])),
        ("closed recommendation", reverse("reviews:recommendation_detail", args=[w.closed.pk])),
        ("themes", reverse("reviews:theme_list")),
        ("theme", reverse("reviews:theme_detail", args=[w.theme.slug])),
        ("intake register", reverse("reviews:case_list")),
        ("clocks", reverse("reviews:clock_list")),
        ("case", reverse("reviews:case_detail", args=[w.case.pk])),
        ("case edit", reverse("reviews:case_edit", args=[w.case.pk])),
        ("case new", reverse("reviews:case_create", args=[p.short_name])),
        ("assurance list", reverse("reviews:assurance_list")),
        ("assurance", reverse("reviews:assurance_detail", args=[w.exercise.pk])),
        (
            "assurance rating",
            reverse("reviews:assurance_rate", args=[w.exercise.pk, w.area.pk, w.agency.pk]),
        ),
        ("assurance new", reverse("reviews:assurance_create", args=[p.short_name])),
        ("meetings", reverse("oversight:meeting_list")),
        ("meeting", reverse("oversight:meeting_detail", args=[w.meeting.pk])),
        ("pack preview", reverse("oversight:meeting_pack", args=[w.meeting.pk])),
        ("pack render", reverse("oversight:meeting_pack_render", args=[w.meeting.pk])),
        ("import upload", reverse("oversight:import_upload", args=[p.short_name])),
        ("archive", reverse("oversight:archive_list")),
        ("archive a plan", reverse("oversight:archive_object", args=["plan", w.plan.pk])),
        (
            "archive a workstream",
            reverse("oversight:archive_object", args=["workstream", w.workstream.pk]),
        ),
        ("archive a review", reverse("oversight:archive_object", args=["review", w.review.pk])),
        ("import preview", reverse("oversight:import_preview", args=[w.pending.pk])),
        ("plan create", reverse("plans:plan_create", args=[p.short_name])),
        ("rating meanings", reverse("plans:rating_meanings", args=[p.short_name])),
        ("plan edit", reverse("plans:plan_edit", args=[w.plan.slug])),
        ("priority add", reverse("plans:priority_add", args=[w.plan.slug])),
        ("priority edit", reverse("plans:priority_edit", args=[w.priority.pk])),
        ("objective add", reverse("plans:objective_add", args=[w.plan.slug])),
        ("objective", reverse("plans:objective_edit", args=[w.objective.pk])),
        ("action add", reverse("plans:action_add", args=[w.objective.pk])),
        ("action edit", reverse("plans:action_edit", args=[w.action.pk])),
        ("action move", reverse("plans:action_move", args=[w.action.pk])),
        ("action withdraw", reverse("plans:action_withdraw", args=[w.action.pk])),
        ("withdrawn action", reverse("plans:action_detail", args=[w.withdrawn_action.pk])),
        ("workstream new", reverse("workstreams:workstream_create", args=[p.short_name])),
        ("workstream edit", reverse("workstreams:workstream_edit", args=[w.workstream.pk])),
        ("recommendation add", reverse("reviews:recommendation_add", args=[w.review.pk])),
        (
            "recommendation edit",
            reverse("reviews:recommendation_edit", args=[w.recommendation.pk]),
        ),
        (
            "recommendation withdraw",
            reverse("reviews:recommendation_withdraw", args=[w.recommendation.pk]),
        ),
        ("meeting new", reverse("oversight:meeting_create", args=[p.short_name])),
        ("meeting edit", reverse("oversight:meeting_edit", args=[w.meeting.pk])),
        ("meeting pattern", reverse("oversight:meeting_plan", args=[p.short_name])),
        ("people", reverse("plans:people_list")),
        ("person", reverse("plans:person_detail", args=[w.chair.pk])),
        ("invite", reverse("plans:person_invite", args=[p.short_name])),
        ("role add", reverse("plans:role_add", args=[w.chair.pk, p.short_name])),
        ("role remove", reverse("plans:role_remove", args=[w.chair.roles.get().pk])),
        ("deactivate", reverse("plans:person_deactivate", args=[w.chair.pk])),
        ("groups and agencies", reverse("plans:group_list", args=[p.short_name])),
        ("group new", reverse("plans:group_create", args=[p.short_name])),
        ("group edit", reverse("plans:group_edit", args=[w.group.pk])),
        ("agency new", reverse("plans:agency_create", args=[p.short_name])),
        ("agency edit", reverse("plans:agency_edit", args=[w.agency.pk])),
        ("invitation", invitation_path(w.chair)),
        ("risk register", reverse("risks:risk_register", args=[p.short_name])),
        ("risk", reverse("risks:risk_detail", args=[w.risk.pk])),
        ("risk new", reverse("risks:risk_create", args=[p.short_name])),
        ("risk edit", reverse("risks:risk_edit", args=[w.risk.pk])),
        ("risk review", reverse("risks:risk_review", args=[w.risk.pk])),
        ("risk archive", reverse("risks:risk_archive", args=[w.risk.pk])),
        ("risk appetite", reverse("risks:appetite_edit", args=[p.short_name])),
        *quality_pages(w, p),
        ("highlight report", reverse("oversight:report_detail", args=[w.meeting.pk, w.group.slug])),
        (
            "highlight report write",
            reverse("oversight:report_write", args=[w.meeting.pk, w.group.slug]),
        ),
        ("decisions", reverse("oversight:decision_log", args=[w.previous.pk])),
        ("decision new", reverse("oversight:decision_add", args=[w.previous.pk])),
        ("decision edit", reverse("oversight:decision_edit", args=[w.decision.pk])),
        ("decision action", reverse("plans:action_detail", args=[w.decision_action.pk])),
        ("data set", reverse("performance:scorecard", args=[p.short_name])),
        ("measure", reverse("performance:measure_detail", args=[w.measure.pk])),
        ("measure new", reverse("performance:measure_create", args=[p.short_name])),
        ("measure edit", reverse("performance:measure_edit", args=[w.measure.pk])),
        ("measure archive", reverse("performance:measure_archive", args=[w.measure.pk])),
        (
            "enter values",
            reverse("performance:enter_values", args=[p.short_name])
            + f"?period=quarter:{w.quarter.isoformat()}",
        ),
        ("import values", reverse("performance:import_values", args=[p.short_name])),
        ("data set lead", reverse("performance:lead_group_edit", args=[p.short_name])),
    ]
    return [(name, url, w.officer) for name, url in officer_pages] + [
        ("my actions (chair)", reverse("oversight:my_actions") + "?show=all", w.chair),
        ("my actions (agency lead)", reverse("oversight:my_actions") + "?show=all", w.lead),
        ("dashboard (viewer)", reverse("oversight:dashboard"), w.viewer),
    ]


def quality_pages(w, p):
    return [
        ("audit programme", reverse("quality:programme", args=[p.short_name])),
        ("audit", reverse("quality:audit_detail", args=[w.audit.pk])),
        ("dip test", reverse("quality:audit_detail", args=[w.dip_test.pk])),
        ("audit new", reverse("quality:audit_create", args=[p.short_name])),
        (
            "dip test new",
            reverse("quality:audit_create", args=[p.short_name]) + f"?follow_up_of={w.audit.pk}",
        ),
        ("audit edit", reverse("quality:audit_edit", args=[w.audit.pk])),
        ("finding add", reverse("quality:finding_add", args=[w.audit.pk])),
        ("finding edit", reverse("quality:finding_edit", args=[w.finding.pk])),
        (
            "audit recommendation edit",
            reverse("quality:recommendation_edit", args=[w.audit_rec.pk]),
        ),
        ("audit recommendation add", reverse("quality:recommendation_add", args=[w.audit.pk])),
        ("audit action add", reverse("quality:action_add", args=[w.audit_rec.pk])),
        ("qa group", reverse("quality:qa_group_edit", args=[p.short_name])),
        ("impact log", reverse("quality:impact_log", args=[p.short_name])),
        ("impact new", reverse("quality:impact_create", args=[p.short_name])),
        ("impact edit", reverse("quality:impact_edit", args=[w.impact.pk])),
        ("section 11", reverse("quality:cycle_list", args=[p.short_name])),
        ("section 11 new", reverse("quality:cycle_create", args=[p.short_name])),
        ("section 11 cycle", reverse("quality:cycle_detail", args=[w.cycle.pk])),
        ("assessment", reverse("quality:assessment_detail", args=[w.assessment.pk])),
        ("assessment new", reverse("quality:assessment_add", args=[w.cycle.pk])),
        ("assessment edit", reverse("quality:assessment_edit", args=[w.assessment.pk])),
        ("line add", reverse("quality:line_add", args=[w.assessment.pk])),
        ("line edit", reverse("quality:line_edit", args=[w.line.pk])),
        ("audit action", reverse("plans:action_detail", args=[w.audit_action.pk])),
    ]


AUDIT = {"Audit.subject", "Audit.year", "Audit.timing_text", "Audit.lead_text", "Audit.theme"}
AUDIT_ALL = AUDIT | {"Audit.scope_note", "Audit.summary", "Audit.status_note"}
ASSESSMENT = {"Agency.name", "SelfAssessment.tool", "SelfAssessment.summary"}
QUALITY = {
    "audit programme": AUDIT - {"Audit.year"} | {"Partnership.name", "Group.name"},
    "audit": AUDIT_ALL
    | {"Finding.text", "AuditRecommendation.text", "AuditRecommendation.closed_reason"}
    | {"AuditRecommendation.withdrawn_reason", "Agency.name", "CaseReview.code"}
    | {"ImpactEntry.change", "ImpactEntry.evidence", "Action.text", "Action.lead_text"},
    "dip test": {"Audit.subject"},
    "audit new": {"Partnership.name", "Group.name", "Agency.name", "CaseReview.code"},
    "dip test new": {"Audit.subject", "Audit.year"},
    "audit edit": AUDIT_ALL | {"Group.name", "Agency.name"},
    "finding add": {"Audit.subject"},
    "finding edit": {"Audit.subject", "Finding.text"},
    "audit recommendation add": {"Audit.subject", "Finding.text", "Agency.name"},
    "audit recommendation edit": {
        "Audit.subject",
        "Finding.text",
        "Agency.name",
        "AuditRecommendation.text",
    },
    "audit action add": {"Audit.subject", "Group.name", "Agency.name"},
    "qa group": {"Group.name"},
    "impact log": {"ImpactEntry.change", "ImpactEntry.evidence", "Audit.subject"},
    "impact new": {"Audit.subject"},
    "impact edit": {"ImpactEntry.change", "ImpactEntry.evidence", "Audit.subject"},
    "section 11": {"Section11Cycle.name"},
    "section 11 new": {"Partnership.name"},
    "section 11 cycle": {"Section11Cycle.name", "Section11Cycle.notes", "Agency.name"}
    | {"SelfAssessment.tool", "LineOfEnquiry.text", "LineOfEnquiry.comment"},
    "assessment": ASSESSMENT
    | {"Section11Cycle.name", "LineOfEnquiry.number", "LineOfEnquiry.text"}
    | {"LineOfEnquiry.comment", "Action.text"},
    "assessment new": {"Section11Cycle.name"},
    "assessment edit": ASSESSMENT,
    "line add": {"Agency.name"},
    "line edit": {"Agency.name", "LineOfEnquiry.number", "LineOfEnquiry.text"}
    | {"LineOfEnquiry.comment"},
    "audit action": {
        "Action.text",
        "Action.lead_text",
        "AuditRecommendation.text",
        "Audit.subject",
    },
}


# What each page must show (escaped): the fields it is there to show.
ACTION = {"Action.text", "Action.lead_text", "Action.measure", "Action.timescale"}
EXPECTED = {
    "dashboard": {"Priority.title", "Workstream.title", "CaseReview.code", "Action.text"},
    "action list": ACTION - {"Action.measure"} | {"Plan.title", "Agency.name", "Group.name"},
    "action list, searched": {"Action.text", "Workstream.title", "CaseReview.code"},
    "action detail": ACTION
    | {"Action.completion_notes", "Action.revision_reason", "Agency.name", "Group.name"}
    | {"Milestone.label", "Objective.text", "Plan.title", "RagUpdate.comment"}
    | {"User.first_name", "User.last_name"},
    "workstream action": ACTION | {"Workstream.objective_text", "Workstream.title"},
    "review action": ACTION | {"Agency.name", "CaseReview.code", "Recommendation.text"},
    "action update": {"Action.text", "Action.revision_reason", "RagUpdate.comment"},
    "my actions": {"Action.text", "Plan.title", "Workstream.title", "CaseReview.code"},
    "plan list": {"Plan.title", "Partnership.name"},
    "plan": ACTION
    | {"FocusCohort.name", "Objective.text", "Plan.introduction", "Plan.title"}
    | {"Priority.title", "RagUpdate.comment"},
    "workstreams": {"Action.text", "Action.lead_text", "CaseReview.code"}
    | {"Workstream.objective_text", "Workstream.origin", "Workstream.title"},
    "review list": {"CaseReview.code", "CaseReview.title", "Theme.name"},
    "review": {"Agency.name", "CaseReview.code", "CaseReview.title", "Theme.name"}
    | {"Recommendation.provenance", "Recommendation.text", "SignOff.reopen_reason"}
    | {"Recommendation.withdrawn_reason"}
    | {"Workstream.title"},
    "signed-off review": {"CaseReview.code", "CaseReview.title", "SignOff.note"},
    "review edit": {"CaseReview.title", "Theme.name"},
    "recommendation": ACTION
    | {"Action.completion_notes", "Agency.name", "CaseReview.code", "Evidence.summary"}
    | {"Recommendation.outcome", "Recommendation.provenance", "Recommendation.text"},
    "closed recommendation": {"Recommendation.closed_reason", "Recommendation.text"},
    "themes": {"Theme.name"},
    "theme": {"Theme.name", "Theme.description", "CaseReview.code", "CaseReview.title"}
    | {"Workstream.title", "Action.text"},
    "assurance list": {"AssuranceExercise.title"},
    "assurance": {"AssuranceExercise.title", "AssuranceExercise.notes", "LearningArea.name"}
    | {"AssuranceRating.narrative", "Agency.name", "CaseReview.code"},
    "assurance rating": {"AssuranceExercise.title", "AssuranceRating.narrative"}
    | {"LearningArea.name", "Agency.name"},
    "assurance new": {"Agency.name", "CaseReview.code"},
    "meetings": {"Group.name", "Partnership.name"},
    "meeting": {"Meeting.title", "Group.name", "User.first_name"},
    "pack preview": ACTION
    | {"Action.revision_reason", "Agency.name", "CaseReview.code", "CaseReview.title"}
    | {"Group.name", "Meeting.title", "Objective.text", "Partnership.name", "Plan.title"}
    | {"Priority.title", "RagUpdate.comment", "Recommendation.text", "User.first_name"}
    | {"Workstream.objective_text", "Workstream.origin", "Workstream.title"}
    | {"HighlightReport.progress", "HighlightReport.risks", "HighlightReport.escalations"}
    | {"HighlightReport.asks", "Decision.text"}
    | {"Measure.name", "MeasureValue.missing_reason", "MeasureValue.commentary"},
    "pack render": {"Group.name", "Meeting.title", "Partnership.name"},
    "import upload": {"Partnership.name", "Partnership.short_name"},
    "archive": {"Plan.title", "Partnership.short_name", "User.first_name", "User.last_name"},
    "archive a plan": {"Plan.title"},
    "archive a workstream": {"Workstream.title"},
    "archive a review": {"CaseReview.code", "CaseReview.title"},
    "import preview": {"PendingImport.filename"},
    "plan create": {"Partnership.name"},
    "rating meanings": {"Partnership.name"},
    "plan edit": {"Plan.title", "Plan.introduction"},
    "priority add": {"Plan.title"},
    "priority edit": {"Plan.title", "Priority.title"},
    "objective add": {"Plan.title", "Priority.title"},
    "objective": {"Plan.title", "Objective.text", "Priority.title", "Action.text"},
    "action add": {"Objective.text", "Group.name", "Agency.name", "User.first_name"},
    "action edit": ACTION | {"Objective.text", "Group.name", "Agency.name"},
    "action move": {"Action.text"},
    "action withdraw": {"Action.text"},
    "withdrawn action": {"Action.text", "Action.withdrawn_reason"},
    "workstream new": {"Partnership.name", "CaseReview.code", "CaseReview.title"},
    "workstream edit": {"Workstream.title", "Workstream.objective_text", "Workstream.origin"}
    | {"CaseReview.code"},
    "recommendation add": {"CaseReview.code", "Agency.name"},
    "recommendation edit": {"CaseReview.code", "Agency.name", "Recommendation.text"}
    | {"Recommendation.outcome", "Recommendation.provenance"},
    "recommendation withdraw": {"CaseReview.code", "Recommendation.text"},
    "meeting new": {"Partnership.name", "Group.name"},
    "meeting edit": {"Meeting.title", "Group.name"},
    "meeting pattern": {"Partnership.name", "Group.name"},
    "people": {"User.first_name", "User.last_name", "Group.name", "Agency.name"}
    | {"Partnership.name"},
    "person": {"User.first_name", "User.last_name", "Group.name"},
    "invite": {"Partnership.name", "Group.name", "Agency.name"},
    "role add": {"Partnership.name", "Group.name", "Agency.name", "User.first_name"},
    "role remove": {"Group.name", "User.first_name"},
    "deactivate": {"User.first_name", "User.last_name"},
    "groups and agencies": {"Group.name", "Agency.name", "Agency.short_name", "User.first_name"},
    "group new": {"Partnership.name", "Group.name"},
    "group edit": {"Group.name"},
    "agency new": {"Partnership.name"},
    "agency edit": {"Agency.name", "Agency.short_name"},
    "invitation": {"User.first_name"},
    "risk register": {"Risk.reference", "Risk.title", "Risk.owner_text", "Group.name"}
    | {"Agency.name", "Partnership.name"},
    "risk": {"Risk.reference", "Risk.title", "Risk.description", "Risk.cause", "Risk.effect"}
    | {"Risk.owner_text", "Risk.controls", "RiskReview.commentary", "Action.text"}
    | {"Group.name", "Agency.name", "User.first_name", "User.last_name"},
    "risk new": {"Partnership.name", "Group.name", "Agency.name", "User.first_name"}
    | {"Action.text"},
    "risk edit": {"Risk.reference", "Risk.title", "Risk.description", "Risk.cause"}
    | {"Risk.effect", "Risk.owner_text", "Risk.controls", "Action.text", "Group.name"},
    "risk review": {"Risk.reference", "Risk.title"},
    "risk archive": {"Risk.reference", "Risk.title"},
    "risk appetite": {"Partnership.name"},
    "highlight report": {"HighlightReport.progress", "HighlightReport.risks"}
    | {"HighlightReport.escalations", "HighlightReport.asks", "Group.name", "Meeting.title"}
    | {"User.first_name", "User.last_name"},
    "highlight report write": {"HighlightReport.progress", "HighlightReport.risks"}
    | {"HighlightReport.escalations", "HighlightReport.asks", "Group.name", "Meeting.title"},
    "decisions": {"Decision.text", "Action.text", "Action.lead_text", "RagUpdate.comment"}
    | {"Meeting.title", "User.first_name"},
    "decision new": {"Meeting.title", "Group.name", "Agency.name"},
    "decision edit": {"Meeting.title", "Decision.text", "Action.text", "Group.name"},
    "decision action": {"Action.text", "Decision.text"},
    "data set": {"Measure.name", "MeasureValue.missing_reason", "Agency.name"}
    | {"Partnership.name"},
    "measure": {"Measure.name", "Measure.definition", "MeasureValue.commentary"}
    | {"MeasureValue.missing_reason", "Agency.name", "Objective.text", "Plan.title"}
    | {"Partnership.name"},
    "measure new": {"Partnership.name", "Agency.name", "Objective.text", "Plan.title"},
    "measure edit": {"Measure.name", "Measure.definition", "Objective.text", "Agency.name"},
    "measure archive": {"Measure.name"},
    "enter values": {"Measure.name", "MeasureValue.missing_reason", "MeasureValue.commentary"},
    "import values": {"Partnership.name"},
    "data set lead": {"Partnership.name", "Group.name"},
    "my actions (chair)": {"Action.text", "Plan.title"},
    "my actions (agency lead)": {"Action.text", "CaseReview.code"},
    "dashboard (viewer)": {"Priority.title", "Workstream.title", "CaseReview.code"},
    **QUALITY,
}
PAGE_NAMES = list(EXPECTED)


def assert_inert(html, where):
    """No payload's markup and no script link: the page shows text, never runs it."""
    raw = [r for r in RAW if r in html]
    assert not raw, f"{where}: unescaped {raw}"
    assert not SCHEME_IN_ATTRIBUTE.search(html), f"{where}: a javascript: link"


def render_all(client, world):
    out = {}
    for name, url, user in pages(world):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, f"{name}: {response.status_code}"
        out[name] = response.content.decode()
    return out


# -- The world covers every field ----------------------------------------------------------


def test_every_text_field_of_every_model_holds_a_payload(world):
    """A new model or text field gets a payload without anyone remembering to add one."""
    empty = []
    for model in tracked_models():
        for field in text_fields(model):
            values = model._default_manager.values_list(field.name, flat=True)
            if not any(value and value.startswith(("<script>", "<svg")) for value in values):
                empty.append(f"{model.__name__}.{field.name}")
    assert not empty, f"the hostile world has no payload in {empty}: build one such row"
    assert len(every_field()) >= 40  # the walk found the apps' models


# -- HTML pages ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_pages_show_hostile_text_escaped(client, world, name):
    _, url, user = next(p for p in pages(world) if p[0] == name)
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert_inert(html, name)
    missing = sorted(tag for tag in EXPECTED[name] if not shows(html, *tag.split(".")))
    assert not missing, f"{name} does not show, escaped: {missing}"
    assert "{{ 7*7 }}" in html  # the template expression is text, never evaluated
    assert "script-src" in response["Content-Security-Policy"]


# Views that are not pages: POST-only actions (each redirects to a page above), and downloads
# checked below (PDFs, spreadsheets).
NOT_PAGES = {
    "oversight:action_export",
    "oversight:choose_columns",  # a POST that redirects to All actions
    "oversight:meeting_pack_pdf",
    "oversight:restore_object",
    "reviews:review_pdf",
    "reviews:review_sign_off",
    "reviews:review_reopen",
    "reviews:recommendation_close",
    "reviews:recommendation_reopen",
    "reviews:case_become_review",
    "reviews:figures_xlsx",  # tests/reviews/test_figures.py: a hostile name stays text
    "reviews:figures_pdf",
    "reviews:recheck_schedule",
    "reviews:recheck_record",
    "reviews:evidence_add",
    "oversight:import_reread",
    "plans:action_reorder",
    "plans:person_reinvite",
    "oversight:meeting_remind",
    "plans:person_reactivate",
    "oversight:import_confirm",
    "oversight:import_cancel",
    "risks:risk_home",  # a redirect to the reader's register
    "risks:risk_restore",
    "quality:quality_home",  # a redirect to the reader's programme
    "quality:audit_sign_off",
    "quality:audit_reopen",
    "quality:recommendation_close",
    "quality:recommendation_reopen",
    "quality:evidence_add",
    "performance:performance_home",  # a redirect to the reader's scorecard
    "performance:measure_restore",
    "performance:import_confirm",  # a signed preview, posted: tests/performance/test_importing.py
}


def test_every_page_of_the_apps_is_rendered_above(world):
    """A page added later must join pages() (or NOT_PAGES, if it is not a page)."""
    resolver = get_resolver()
    names = {
        f"{namespace}:{pattern.name}"
        for namespace in APPS
        for pattern in resolver.namespace_dict[namespace][1].url_patterns
    }
    rendered = {resolve(urlsplit(url).path).view_name for _, url, _ in pages(world)}
    assert names - rendered - NOT_PAGES == set()
    assert rendered & NOT_PAGES == set()


def test_the_change_history_names_who_changed_what_escaped(client, world):
    client.force_login(world.officer)
    html = client.get(reverse("plans:action_detail", args=[world.action.pk])).content.decode()
    history = html[html.index("Change history") :]
    assert escape(payload("User", "first_name", 150, copy=2)) in history  # the chair
    assert escape(payload("User", "last_name", 150, copy=2)) in history
    assert escape(payload("Action", "measure")) in history  # old value
    assert escape(payload("Action", "measure", copy=2)) in history  # new value
    assert_inert(history, "change history")


def test_the_import_preview_escapes_what_the_file_said(client, world):
    client.force_login(world.officer)
    html = client.get(reverse("oversight:import_preview", args=[world.pending.pk])).content.decode()
    assert_inert(html, "import preview")
    for tag in ("Import.section", "Import.recommendation", "Import.action", "Import.target"):
        assert escape(f'<script>alert("{tag}")') in html, tag


def test_every_shown_field_is_shown_somewhere_and_not_shown_ones_nowhere(client, world):
    """Every user-typed field is exercised by at least one page above; a field no page shows
    must be listed in NOT_SHOWN (and stop being listed once a page shows it)."""
    rendered = render_all(client, world)
    client.force_login(world.officer)
    rendered["export"] = client.get(
        reverse("oversight:action_export", args=["csv"])
    ).content.decode()
    seen = {(m, f) for m, f in every_field() for html in rendered.values() if shows(html, m, f)}
    assert every_field() - NOT_SHOWN - seen == set()
    assert NOT_SHOWN & seen == set()


# -- PDFs ----------------------------------------------------------------------------------

ACTIVE_KEYS = {
    "/JS",
    "/JavaScript",
    "/OpenAction",
    "/AA",
    "/Launch",
    "/SubmitForm",
    "/ImportData",
    "/GoToR",
    "/GoToE",
    "/RichMedia",
    "/EmbeddedFile",
    "/XFA",
}


def pdf_objects(content):
    """Every dictionary key and every link target (/URI) reachable from the PDF's trailer."""
    reader = PdfReader(io.BytesIO(content))
    keys, uris, seen = set(), [], set()
    stack = [reader.trailer]
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            if (obj.idnum, obj.generation) in seen:
                continue
            seen.add((obj.idnum, obj.generation))
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):
            for key, value in obj.items():
                keys.add(str(key))
                if key == "/URI":
                    uris.append(str(value.get_object()))
                stack.append(value)
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
    return reader, keys, uris


def pdf_text(reader):
    """The PDF's text with all whitespace removed (cells wrap long words anywhere)."""
    return re.sub(r"\s+", "", " ".join(page.extract_text() for page in reader.pages))


def assert_pdf_is_passive(content, where):
    reader, keys, uris = pdf_objects(content)
    assert not keys & ACTIVE_KEYS, f"{where}: active content {keys & ACTIVE_KEYS}"
    bad = [u for u in uris if ATTACKER in u or urlsplit(u).scheme not in {"http", "https"}]
    assert not bad, f"{where}: links to {bad}"
    return reader


def literal(model_name, field_name):
    """A field's payload as printed text (whitespace removed, as pdf_text does)."""
    return re.sub(r"\s+", "", identity(model_name, field_name))


def test_the_pdf_check_finds_script_and_outside_links():
    """The check below can fail: a document with a script link and an outside link fails it."""
    from plans.pdf import render_pdf

    html = (
        '<p><a href="javascript:alert(1)">run</a> '
        f'<a href="https://{ATTACKER}/x">outside</a> &lt;script&gt;</p>'
    )
    content = render_pdf(html).content
    _, keys, uris = pdf_objects(content)
    assert any(ATTACKER in uri for uri in uris)
    with pytest.raises(AssertionError, match="links to"):
        assert_pdf_is_passive(content, "crafted")
    assert "<script>" in pdf_text(PdfReader(io.BytesIO(content)))


PACK_PDF = EXPECTED["pack preview"] | {"User.last_name"}
REVIEW_PDF = {"Action.text", "Action.lead_text", "Action.measure", "Action.timescale"} | {
    "Agency.name",
    "CaseReview.code",
    "CaseReview.title",
    "Partnership.name",
    "Recommendation.outcome",
    "Recommendation.provenance",
    "Recommendation.text",
}


@pytest.mark.parametrize("which", ["pack", "review plan", "yearly figures"])
def test_pdfs_print_hostile_text_literally_and_carry_nothing_active(client, world, which):
    client.force_login(world.officer)
    if which == "pack":
        url, expected = reverse("oversight:meeting_pack_pdf", args=[world.meeting.pk]), PACK_PDF
    elif which == "yearly figures":
        year = timezone.localdate().year - 1
        url = reverse("reviews:figures_pdf", args=[world.partnership.short_name, year])
        expected = {"Partnership.name"}
    else:
        url, expected = reverse("reviews:review_pdf", args=[world.review.pk]), REVIEW_PDF
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(assert_pdf_is_passive(response.content, which))
    # Printed as the characters typed: escaped on the way into the PDF, not interpreted.
    missing = sorted(tag for tag in expected if literal(*tag.split(".")) not in text)
    assert not missing, f"the {which} PDF does not print {missing}"
    assert "{{7*7}}" in text and '"><imgsrc=xonerror=alert(1)>' in text


def test_a_review_code_cannot_rewrite_the_pdf_download_name(client, db):
    """An officer can import a review with any code (reviews/importing.py keeps quotes); the
    code is part of the PDF's file name and must stay inside that one parameter."""
    from email.message import Message

    plain = Partnership.objects.create(short_name="HP", name="Plain partnership")
    officer = person("t-hp-officer", plain, Role.Kind.BOARD_OFFICER)
    code = 'x";filename="evil.html'
    review = CaseReview.objects.create(partnership=plain, code=code, kind="scr")
    client.force_login(officer)
    response = client.get(reverse("reviews:review_pdf", args=[review.pk]))
    header = Message()
    header["Content-Disposition"] = response["Content-Disposition"]
    names = [v for k, v in header.get_params(header="content-disposition") if k == "filename"]
    # One file name, still a PDF, made only of safe characters (plans/pdf.py pdf_response).
    assert len(names) == 1 and names[0].endswith("-action-plan.pdf")
    assert names[0].startswith("HP-x-") and '"' not in names[0]
    newline = CaseReview.objects.create(partnership=plain, code="a\r\nSet-Cookie: x=1", kind="scr")
    response = client.get(reverse("reviews:review_pdf", args=[newline.pk]))
    assert response.status_code == 200 and "Set-Cookie" not in response.headers


# -- Spreadsheets --------------------------------------------------------------------------

PREFIXES = ["=", "+", "-", "@", "\t", "\r"]
FORMULA = "cmd|' /C calc'!A0"


@pytest.fixture
def formula_world(db):
    """Every exported column's source text starting with a formula character."""
    p = Partnership.objects.create(short_name="=P", name="-Partnership")
    officer = person("t-f-officer", p, Role.Kind.BOARD_OFFICER)
    plan = Plan.objects.create(partnership=p, slug="f-plan", title='=HYPERLINK("x")')
    objective = Objective.objects.create(
        ref="f-o1", kind="objective", partnership=p, plan=plan, number=1, text="@SUM(1)"
    )
    actions = []
    for position, prefix in enumerate(PREFIXES, start=1):
        action = Action.objects.create(
            ref=f"f-o1-{position}",
            parent=objective,
            position=position,
            text=f"{prefix}{FORMULA}",
            lead_text=f"{prefix}lead",
            timescale=f"{prefix}1+1",
        )
        make_update(
            action=action,
            rating=Rating.GREEN,
            comment=f'{prefix}HYPERLINK("https://{ATTACKER}")',
            as_of=timezone.localdate(),
            author=officer,
        )
        actions.append(action)
    agency = Agency.objects.create(name="+Agency")
    review = CaseReview.objects.create(partnership=p, code="-R1", kind="scr")
    recommendation = Recommendation.objects.create(
        ref="f-r1", kind="recommendation", partnership=p, review=review, number=1,
        agency=agency, text="=1+1",
    )  # fmt: skip
    Action.objects.create(ref="f-r1-1", parent=recommendation, text="plain text")
    workstream = Workstream.objects.create(
        ref="f-w1", kind="workstream", partnership=p, number=1, title="@W", objective_text="-1"
    )
    Action.objects.create(ref="f-w1-1", parent=workstream, text="plain text")
    return SimpleNamespace(officer=officer, actions=actions)


def exported_rows(client, fmt):
    response = client.get(reverse("oversight:action_export", args=[fmt]))
    assert response.status_code == 200
    if fmt == "csv":
        reader = csv.reader(io.StringIO(response.content.decode(), newline=""))
        rows = list(reader)
        return rows, None
    workbook = load_workbook(io.BytesIO(response.content))
    formulas = [
        c.coordinate
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for c in row
        if c.data_type == "f"
    ]
    # A sheet per source, each with its own headings in the order of XLSX_COLUMNS.
    rows = [list(XLSX_COLUMNS)]
    for sheet in workbook.worksheets[1:]:
        values = list(sheet.iter_rows(values_only=True))[1:]
        rows += [["" if v is None else str(v) for v in row] for row in values]
    return rows, formulas


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_neutralise_every_formula_cell(client, formula_world, fmt):
    client.force_login(formula_world.officer)
    rows, formulas = exported_rows(client, fmt)
    header, body = rows[0], rows[1:]
    assert len(body) == 8
    assert formulas in (None, [])  # XLSX: every cell a value, none a formula
    for row in body:
        for column, cell in zip(header, row, strict=True):
            assert not cell.startswith(tuple(PREFIXES)), f"{column} = {cell!r}"
    records = [dict(zip(header, row, strict=True)) for row in body]
    by_action = {record["action"]: record for record in records}
    for prefix in PREFIXES:
        if fmt == "xlsx" and "'" + prefix + FORMULA not in by_action:
            # Older openpyxl reads a carriage return back as a line feed (XML's rule); newer
            # writes it escaped (_x000D_) and reads it back as it was.
            prefix = prefix.replace("\r", "\n")
        row = by_action["'" + prefix + FORMULA]
        assert row["lead"] == f"'{prefix}lead"
        assert row["timescale"] == f"'{prefix}1+1"
        assert row["comment"].startswith(f"'{prefix}HYPERLINK(")
        assert (row["partnership"], row["container"]) == ("'=P", '\'=HYPERLINK("x")')
        assert row["parent"] == "'@SUM(1)"
    sections = {record["section"] for record in records}
    containers = {record["container"] for record in records}
    assert "'+Agency" in sections and {"'-R1", "'@W"} <= containers


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_keep_hostile_text_as_literal_text(client, world, fmt):
    client.force_login(world.officer)
    rows, formulas = exported_rows(client, fmt)
    header, body = rows[0], rows[1:]
    assert formulas in (None, [])
    actions = {dict(zip(header, row, strict=True))["action"] for row in body}
    assert payload("Action", "text") in actions  # exactly as typed: nothing lost or added


def test_the_xlsx_export_escapes_markup_in_its_xml(client, world):
    import zipfile

    client.force_login(world.officer)
    content = client.get(reverse("oversight:action_export", args=["xlsx"])).content
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = " ".join(
            archive.read(name).decode() for name in archive.namelist() if name.endswith(".xml")
        )
    assert "&lt;script&gt;alert(" in xml
    assert "<script>" not in xml and "<img src=x" not in xml


def test_the_import_template_is_constant_text(tmp_path):
    """The only other spreadsheet the app writes: headings and guidance, no formulas."""
    from django.core.management import call_command

    for kind in ("review", "plan"):
        out = tmp_path / f"{kind}.xlsx"
        call_command("action_plan_template", kind=kind, output=str(out), stdout=io.StringIO())
        workbook = load_workbook(out)
        cells = [c for sheet in workbook.worksheets for row in sheet.iter_rows() for c in row]
        assert cells and all(c.data_type != "f" for c in cells)
        assert not any(str(c.value or "").startswith(tuple(PREFIXES)) for c in cells)


def test_neutralise_quotes_exactly_the_formula_starts():
    for prefix in PREFIXES:
        assert neutralise(prefix + "1") == "'" + prefix + "1"
    for safe in ("1+1", "a=b", "Red", "", "<script>alert(1)</script>", "2024-01-01"):
        assert neutralise(safe) == safe


# -- Text typed into forms, and messages built from it --------------------------------------

TYPED = '<script>alert("typed")</script>"><img src=x onerror=alert(2)>{{ 7*7 }}'


def test_a_hostile_update_is_escaped_when_the_form_comes_back_and_once_saved(client, world):
    client.force_login(world.officer)
    url = reverse("plans:action_update", args=[world.action.pk])
    before = RagUpdate.objects.count()
    response = client.post(url, {"rating": "", "comment": TYPED, "revision_reason": TYPED})
    html = response.content.decode()
    assert response.status_code == 200 and "Select a RAG rating" in html
    assert_inert(html, "update form with errors")
    assert html.count(escape(TYPED)) >= 2  # both text areas give it back, escaped
    assert RagUpdate.objects.count() == before

    response = client.post(url, {"rating": "amber", "comment": TYPED})
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert_inert(html, "action detail after saving")
    assert escape(TYPED) in html


def test_messages_that_quote_names_escape_them(client, world):
    client.force_login(world.officer)
    response = client.post(
        reverse("reviews:review_edit", args=[world.review.pk]),
        {"kind": "lcspr", "title": TYPED, "status": "in_progress"},
        follow=True,
    )
    html = response.content.decode()
    assert_inert(html, "review page after editing")
    assert escape(f"{world.review.code} saved") in html  # the code is hostile too
    assert escape(TYPED) in html

    rate = reverse(
        "reviews:assurance_rate", args=[world.exercise.pk, world.area.pk, world.agency.pk]
    )
    html = client.post(rate, {"grade": "silver", "narrative": TYPED}, follow=True).content.decode()
    assert_inert(html, "assurance after rating")
    assert escape(f"{world.agency.name}: {world.area.name} rated") in html

    url = reverse("oversight:archive_object", args=["workstream", world.workstream.pk])
    html = client.post(url, follow=True).content.decode()
    assert_inert(html, "archive after archiving")
    name = f"Workstream {world.workstream.number}: {world.workstream.title}"
    assert escape(f"{name} is archived") in html


HOSTILE_FILE_NAME = "\"><img src=x onerror=alert('file')>.csv"


def hostile_plan_csv():
    rows = [
        ["Outcome", "Recommendation", "Action", "By Whom", "Timescale", "Audit of implementation"],
        ['<script>alert("cell-agency")</script>'],
        [
            '<script>alert("cell-outcome")</script>',
            '<script>alert("cell-recommendation")</script>',
            '<script>alert("cell-action")</script>"><img src=x onerror=alert(3)>',
            '<script>alert("cell-lead")</script>',
            "By 31/12/2027",
            '<script>alert("cell-audit")</script>',
        ],
    ]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def test_an_imported_file_is_escaped_in_problems_preview_and_messages(client, world):
    client.force_login(world.officer)
    url = reverse("oversight:import_upload", args=[world.partnership.short_name])

    def send(**extra):
        data = {"file": SimpleUploadedFile(HOSTILE_FILE_NAME, hostile_plan_csv())}
        return client.post(url, {**data, "review_code": "HX1", "review_kind": "scr", **extra})

    response = send()  # the agency is unknown: a warning that quotes the cell
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert_inert(html, "import warnings")
    assert escape('"<script>alert("cell-agency")</script>" is not an agency') in html
    PendingImport.objects.all().delete()

    response = send(create_agencies="on")
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert_inert(html, "import preview")
    assert escape(HOSTILE_FILE_NAME) in html
    for cell in ("agency", "recommendation", "action", "lead"):
        assert escape(f'<script>alert("cell-{cell}")') in html, cell

    pending = PendingImport.objects.get(filename=HOSTILE_FILE_NAME)
    response = client.post(reverse("oversight:import_confirm", args=[pending.pk]), follow=True)
    html = response.content.decode()
    assert_inert(html, "page after importing")
    assert escape(f"{HOSTILE_FILE_NAME} imported") in html
    assert escape('<script>alert("cell-recommendation")') in html  # now on the review page


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
    ],
)
def test_link_fields_take_only_web_addresses(world, link):
    """Links are printed into href attributes, where escaping does not stop a script scheme:
    the forms are what keep such links out."""
    evidence = EvidenceForm({"summary": "Minutes", "link": link}, prefix=None)
    assert not evidence.is_valid() and "link" in evidence.errors
    review = ReviewForm(
        {"kind": "lcspr", "status": "in_progress", "publication_url": link}, instance=world.review
    )
    assert not review.is_valid() and "publication_url" in review.errors


def test_outside_links_are_shown_as_plain_web_links(client, world):
    client.force_login(world.officer)
    for url in (
        reverse("reviews:review_detail", args=[world.review.pk]),
        reverse("reviews:recommendation_detail", args=[world.recommendation.pk]),
    ):
        html = client.get(url).content.decode()
        links = re.findall(rf'<a [^>]*href="https://{ATTACKER}/[^"]*"[^>]*>', html)
        assert links and all('rel="noreferrer noopener"' in link for link in links)


@pytest.mark.django_db
def test_a_partnerships_own_rating_meanings_are_escaped_where_shown(client, world):
    """Rating meanings are typed by officers (a JSON field, so outside every_field())."""
    hostile = payload("Partnership", "rating_meanings")
    world.partnership.define_ratings({"red": hostile, "green": hostile}, by=world.officer)
    client.force_login(world.officer)
    for url in (
        reverse("plans:action_update", args=[world.action.pk]),
        reverse("plans:rating_meanings", args=[world.partnership.short_name]),
    ):
        html = client.get(url).content.decode()
        assert escape(hostile) in html or escape(hostile)[:40] in html
        assert not any(raw in html for raw in RAW)
