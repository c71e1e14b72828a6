"""Authorization matrix: every URL pattern the project defines, for every role, GET and POST.

The expected codes live in tests/authz_table.py. This module builds the cast and their
objects once (seed plans plus a small review, meetings, an assurance exercise and a pending
upload per partnership), then checks each (pattern, role, method) cell; any pattern without a
row, or any row without a pattern, fails the suite. The last tests look inside pages and
downloads: another partnership's objects must not show, whatever the URL.
"""

import csv
import io
from dataclasses import dataclass, replace
from datetime import date, timedelta

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, transaction
from django.shortcuts import resolve_url
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from oversight.decisions import record_decision
from oversight.importing import ImportOptions, apply_parsed, parse_file
from oversight.models import Meeting, PendingImport
from performance.models import DataSet, Measure
from plans.models import (
    Action,
    Agency,
    Group,
    Objective,
    Partnership,
    Plan,
    Priority,
    RagUpdate,
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
from reviews.models import (
    AssuranceExercise,
    CaseReview,
    IntakeCase,
    LearningArea,
    ReCheck,
    Recommendation,
)
from risks.models import Risk
from workstreams.models import Workstream

from .authz_table import ADMIN_GET, ADMIN_NAMESPACE, HOME_OF, ROLES, TABLE, WRONG
from .conftest import make_user

HEALTHCARE = "Nottinghamshire HealthCare NHS Trust"
QA_ACTION = "ncscp-bp-2019-22-2-1"  # NCSCP business plan, led by the Children's QA subgroup
CSE_ACTION = "nscp-ws-1-1"  # NSCP workstream 1, led by the cross-authority CSE group
FORBIDDEN = {"L", "A", "403", "404", "405"}


# -- Signing in ------------------------------------------------------------------------------


def sign_in(client, user):
    """Sign `user` in fully: the password step, then the one-time-password step for those
    with an authenticator app (every administrator has one, see make_cast), marked on the
    session as django-otp's own login does."""
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


def fetch(client, method, url, data=None):
    # secure=True: production is served over HTTPS only (SECURE_SSL_REDIRECT).
    if method == "GET":
        return client.get(url, secure=True)
    return client.post(url, data or {}, secure=True)


# -- The cast and their objects, built once for the module ------------------------------------


@dataclass
class Home:
    """One partnership's objects: what a role's URLs point at (authz_table.HOME_OF)."""

    short_name: str
    action: int  # an action the partnership's chair (NCSCP) or agency lead (NSCP) updates
    plan: str
    meeting: int  # a BMG meeting whose update deadline has passed
    draft_meeting: int  # a BMG meeting still before its deadline
    review: int
    archived_review: int
    recommendation: int
    review_action: int  # under `recommendation`, updated by the same chair or lead
    theme: str
    pending: int
    exercise: int
    area: int
    agency: int
    priority: int  # of `plan`
    objective: int  # of `plan`
    other_objective: int  # another objective of `plan`, where `action` could move
    workstream: int
    person: int  # a viewer of this partnership only
    role: int  # that person's role
    group: int  # a group of this partnership only
    own_agency: int  # an agency of this partnership only
    risk: int  # a risk on this partnership's register
    decision: int = 0  # a decision of `meeting`
    report_group: str = ""  # a group that owes this partnership's BMG a highlight report
    case: int = 0  # an intake case of this partnership
    recheck: int = 0  # a re-check booked for `review_action`
    # The QA programme (quality/): an audit with a recommendation and its action (led by the
    # QA group in NCSCP), an impact entry, a Section 11 cycle with one agency's assessment,
    # and another agency of the partnership with none yet.
    audit: int = 0
    audit_recommendation: int = 0
    finding: int = 0
    audit_action: int = 0
    impact: int = 0
    cycle: int = 0
    assessment: int = 0
    line: int = 0  # a line of enquiry of `assessment`
    s11_agency: int = 0
    measure: int = 0  # a measure of this partnership's data set


@dataclass
class World:
    users: dict
    homes: dict
    sessions: dict  # role -> session key, each signed in once by sign_in()

    def home_for(self, role):
        return self.homes[HOME_OF[role]]

    def act_as(self, client, role):
        """`client` as `role`: the session sign_in() made for the module (each test's
        savepoint rolls back whatever the test does to it, a logout included)."""
        if role != "anonymous":
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[role]
        return client


def sessions_for(users):
    sessions = {}
    for role, user in users.items():
        client = Client()
        sign_in(client, user)
        sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return sessions


def make_cast():
    """The cast of tests/conftest.py (same names, roles and partnerships)."""
    user_model = get_user_model()
    ncscp = Partnership.objects.get(short_name="NCSCP")
    nscp = Partnership.objects.get(short_name="NSCP")
    qa = Group.objects.get(slug="ncscp-childrens-qa")
    healthcare = Agency.objects.get(name=HEALTHCARE)
    # Passwords are never typed here (sign_in forces the login): a fast hasher saves seconds.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        cast = _make_cast(user_model, ncscp, nscp, qa, healthcare)
        cse = Group.objects.get(slug="csecag")  # shared by NCSCP and NSCP
        cast["cse_chair"] = make_user(user_model, "t-cse-chair", ncscp, Role.Kind.CHAIR, group=cse)
        return cast


def _make_cast(user_model, ncscp, nscp, qa, healthcare):
    admin = make_user(user_model, "t-admin", ncscp, Role.Kind.ADMINISTRATOR)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    # Administrators must use a second factor (safeguarding/second_factor.py).
    TOTPDevice.objects.create(user=admin, name="Authenticator app", confirmed=True)
    return {
        "viewer": make_user(user_model, "t-viewer", ncscp, Role.Kind.VIEWER),
        "chair": make_user(user_model, "t-chair", ncscp, Role.Kind.CHAIR, group=qa),
        "lead": make_user(user_model, "t-lead", nscp, Role.Kind.AGENCY_LEAD, agency=healthcare),
        "officer": make_user(user_model, "t-officer", ncscp, Role.Kind.BOARD_OFFICER),
        "admin": admin,
        "outsider": make_user(user_model, "t-outsider", nscp, Role.Kind.BOARD_OFFICER),
    }


def bmg_meetings(group):
    today = timezone.localdate()
    past = Meeting.objects.create(
        group=group, date=date(2021, 6, 16), update_deadline=date(2021, 6, 2)
    )
    draft = Meeting.objects.create(
        group=group, date=today + timedelta(days=60), update_deadline=today + timedelta(days=30)
    )
    return past, draft


def pending_upload(partnership, officer, code):
    """A checked, not yet confirmed upload of a one-recommendation review plan."""
    content = (
        b"Outcome,Recommendation,Action,By Whom,Timescale,Audit of implementation\r\n"
        b"Broxtowe Borough Council\r\n"
        b"Staff know what to do.,Training is provided.,Keep a training record.,"
        b"Managers,August 2009,Workshop\r\n"
    )
    options = {
        "review_code": code,
        "review_title": f"Review {code}",
        "review_kind": "scr",
        "plan_name": "",
        "create_agencies": False,
    }
    parsed = parse_file(content, "plan.csv", check_agencies=True)
    summary = apply_parsed(
        parsed, ImportOptions(partnership=partnership, user=officer, dry_run=True, **options)
    )
    return PendingImport.objects.create(
        partnership=partnership,
        uploaded_by=officer,
        filename="plan.csv",
        kind=parsed["kind"],
        options=options,
        payload=parsed,
        summary=summary.as_dict(),
    )


def archived_review(partnership, code):
    return CaseReview.objects.create(
        partnership=partnership,
        code=code,
        kind=CaseReview.Kind.LEARNING,
        title=f"Review {code}",
        archived_at=timezone.now(),
    ).pk


def exercise_for(partnership, agency, review):
    exercise = AssuranceExercise.objects.create(partnership=partnership, title="Matrix ILOR")
    exercise.agencies.add(agency)
    exercise.reviews.add(review)
    area = LearningArea.objects.create(exercise=exercise, name="Information sharing", position=1)
    return exercise, area


def people_of(partnership, group):
    """A person, a group and an agency of `partnership` alone, for the people pages."""
    person = make_user(
        get_user_model(), f"t-person-{partnership.short_name}", partnership, "viewer"
    )
    agency = Agency.objects.create(name=f"Matrix agency {partnership.short_name}")
    agency.partnerships.add(partnership)
    return {
        "person": person.pk,
        "role": person.roles.get().pk,
        "group": group.pk,
        "own_agency": agency.pk,
    }


def matrix_risk(partnership):
    return Risk.objects.create(
        partnership=partnership,
        reference="MX1",
        title="Matrix risk",
        description="Matrix",
        owner_text="BMG",
        inherent_likelihood=4,
        inherent_impact=4,
        residual_likelihood=3,
        residual_impact=3,
    ).pk


def quality_objects(home, lead_group=None):
    """The home partnership's QA objects (quality/); NCSCP names its QA group."""
    partnership = Partnership.objects.get(short_name=home.short_name)
    if lead_group is not None:
        QaGroup.objects.create(partnership=partnership, group=lead_group)
    audit = Audit.objects.create(
        partnership=partnership, subject="Matrix audit", year="2026/27", method="case_file"
    )
    recommendation = AuditRecommendation.objects.create(audit=audit, number=1, text="Matrix")
    action = Action.objects.create(parent=recommendation, text="Matrix audit action")
    if lead_group is not None:
        action.lead_groups.add(lead_group)
    cycle = Section11Cycle.objects.create(partnership=partnership, name="Matrix S11")
    agencies = []
    for n in (1, 2):
        agency = Agency.objects.create(name=f"Matrix S11 agency {home.short_name} {n}")
        agency.partnerships.add(partnership)
        agencies.append(agency)
    home.audit = audit.pk
    home.audit_recommendation = recommendation.pk
    home.audit_action = action.pk
    home.impact = ImpactEntry.objects.create(
        partnership=partnership, recorded_on=date(2026, 3, 4), change="Matrix change"
    ).pk
    home.cycle = cycle.pk
    assessment = SelfAssessment.objects.create(cycle=cycle, agency=agencies[0])
    home.assessment = assessment.pk
    home.line = LineOfEnquiry.objects.create(
        assessment=assessment, number="1.1", text="Matrix line", rating="partial"
    ).pk
    home.finding = Finding.objects.create(
        audit=audit, number=1, text="Matrix finding", grade="strength"
    ).pk
    home.s11_agency = agencies[1].pk


def matrix_decision(meeting_pk, officer):
    meeting = Meeting.objects.get(pk=meeting_pk)
    data = {"text": "Matrix decision", "needs_action": "no"}
    return record_decision(meeting, meeting.group.partnerships.get(), data, by=officer).pk


def intake_case(short_name):
    partnership = Partnership.objects.get(short_name=short_name)
    return IntakeCase.objects.create(
        partnership=partnership,
        code=f"MX-{short_name}",
        incident_on=date(2026, 1, 5),
        learned_on=date(2026, 1, 6),
    ).pk


def ncscp_home(officer):
    """NCSCP has a business plan in the seed; add a small review, meetings and the rest."""
    ncscp = Partnership.objects.get(short_name="NCSCP")
    qa = Group.objects.get(slug="ncscp-childrens-qa")
    agency = Agency.objects.get(name="Broxtowe Borough Council")
    review = CaseReview.objects.create(
        partnership=ncscp, code="MX01", kind=CaseReview.Kind.LCSPR, title="Review MX01"
    )
    recommendation = Recommendation.objects.create(
        ref="ncscp-mx01-r1",
        kind="recommendation",
        partnership=ncscp,
        position=1,
        review=review,
        number=1,
        agency=agency,
        text="Audit how referrals are shared",
    )
    review_action = Action.objects.create(
        ref="ncscp-mx01-r1-1", parent=recommendation, text="Run the audit", measure="Audit report"
    )
    review_action.lead_groups.add(qa)
    meeting, draft = bmg_meetings(Group.objects.get(slug="ncscp-bmg"))
    exercise, area = exercise_for(ncscp, agency, review)
    plan = Plan.objects.get(partnership=ncscp)
    action = Action.objects.get(ref=QA_ACTION)
    workstream = Workstream.objects.create(
        partnership=ncscp, number=1, title="Matrix workstream", objective_text="Matrix"
    )
    return Home(
        priority=plan.priorities.first().pk,
        objective=action.parent_id,
        other_objective=plan.objectives.exclude(pk=action.parent_id).first().pk,
        workstream=workstream.pk,
        risk=matrix_risk(ncscp),
        **people_of(ncscp, qa),
        short_name="NCSCP",
        action=Action.objects.get(ref=QA_ACTION).pk,
        plan=Plan.objects.get(partnership=ncscp).slug,
        meeting=meeting.pk,
        draft_meeting=draft.pk,
        review=review.pk,
        archived_review=archived_review(ncscp, "MX04"),
        recommendation=recommendation.pk,
        review_action=review_action.pk,
        theme=Theme.objects.order_by("slug").first().slug,
        pending=pending_upload(ncscp, officer, "MX02").pk,
        exercise=exercise.pk,
        area=area.pk,
        agency=agency.pk,
    )


def nscp_home(officer):
    """NSCP has workstreams and the AN09 review in the seed; add a plan, a BMG and the rest."""
    nscp = Partnership.objects.get(short_name="NSCP")
    healthcare = Agency.objects.get(name=HEALTHCARE)
    plan = Plan.objects.create(partnership=nscp, slug="nscp-matrix-plan", title="NSCP plan")
    bmg = Group.objects.create(slug="nscp-matrix-bmg", name="NSCP BMG", kind=Group.Kind.BMG)
    bmg.partnerships.add(nscp)
    meeting, draft = bmg_meetings(bmg)
    action = (
        Action.objects.filter(parent__recommendation__agency=healthcare).order_by("ref").first()
    )
    review = action.parent.recommendation.review
    exercise, area = exercise_for(nscp, healthcare, review)
    priority = Priority.objects.create(plan=plan, number=1, title="Matrix priority")
    objectives = [
        Objective.objects.create(plan=plan, number=n, text="Matrix objective") for n in (1, 2)
    ]
    return Home(
        priority=priority.pk,
        objective=objectives[0].pk,
        other_objective=objectives[1].pk,
        workstream=Workstream.objects.filter(partnership=nscp).order_by("number").first().pk,
        risk=matrix_risk(nscp),
        **people_of(nscp, bmg),
        short_name="NSCP",
        action=action.pk,
        plan=plan.slug,
        meeting=meeting.pk,
        draft_meeting=draft.pk,
        review=review.pk,
        archived_review=archived_review(nscp, "MX05"),
        recommendation=action.parent_id,
        review_action=action.pk,
        theme=Theme.objects.order_by("slug").first().slug,
        pending=pending_upload(nscp, officer, "MX03").pk,
        exercise=exercise.pk,
        area=area.pk,
        agency=healthcare.pk,
    )


def build_homes(users):
    """Each partnership's objects the matrix's URLs point at, keyed as HOME_OF names them
    (the browser walk of every page builds the same)."""
    homes = {"NCSCP": ncscp_home(users["officer"]), "NSCP": nscp_home(users["outsider"])}
    for home in homes.values():
        home.case = intake_case(home.short_name)
        home.decision = matrix_decision(home.meeting, users["officer"])
        home.recheck = ReCheck.objects.create(
            action_id=home.review_action,
            kind=ReCheck.Kind.DIP_TEST,
            due_on=date(2026, 1, 5),
            scheduled_by=users["officer"],
        ).pk
        home.measure = Measure.objects.create(
            partnership=Partnership.objects.get(short_name=home.short_name),
            name="Matrix measure",
            definition="Matrix",
            higher_is_better=True,
        ).pk
    quality_objects(homes["NCSCP"], Group.objects.get(slug="ncscp-childrens-qa"))
    quality_objects(homes["NSCP"])
    homes["NCSCP"].report_group = "ncscp-childrens-qa"
    homes["NSCP"].report_group = "csecag"
    # NCSCP's data set is led by the Children's QA subgroup, whose chair manages it.
    DataSet.objects.create(
        partnership=Partnership.objects.get(short_name="NCSCP"),
        lead_group=Group.objects.get(slug="ncscp-childrens-qa"),
    )
    # NSCP as the CSE group's chair meets it: the action is one that group leads.
    homes["NSCP-CSE"] = replace(homes["NSCP"], action=Action.objects.get(ref=CSE_ACTION).pk)
    return homes


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once inside a transaction that is rolled back after the module; each test runs
    in a savepoint inside it (pytest-django's `db`), so no test sees another's writes."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            call_command("load_seed", verbosity=0)
            users = make_cast()
            homes = build_homes(users)
            yield World(users=users, homes=homes, sessions=sessions_for(users))
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def matrix_db(world, db):
    """The module's world, inside this test's savepoint."""
    return world


@pytest.fixture
def quick_pdfs(monkeypatch):
    """PDF views decide who may have the PDF before WeasyPrint lays anything out; the matrix
    checks that decision, so it skips the 1-6 s layout. test_pdfs_render_for_a_reader and the
    pack and review tests render for real."""
    from oversight import renders
    from plans import pdf

    def render_pdf(html, *, variant=None, in_parts=False):
        assert html  # the page was built, only its layout is skipped
        return pdf.RenderedPdf(b"%PDF-1.7 matrix", 1)

    monkeypatch.setattr(pdf, "render_pdf", render_pdf)
    monkeypatch.setattr(renders, "render_pdf", render_pdf)


# -- Checking a response ----------------------------------------------------------------------


def check(response, expected, url):
    code = response.status_code
    where = response.get("Location", "")
    if expected == "L":
        assert code == 302, f"{url}: {code}, expected a redirect to sign in"
        assert where.startswith(resolve_url(settings.LOGIN_URL) + "?next="), where
    elif expected == "A":
        assert code == 302, f"{url}: {code}, expected a redirect to the admin sign-in"
        assert where.startswith(reverse("admin:login") + "?next="), where
    elif expected == "302":
        assert code == 302, f"{url}: {code}, expected 302"
        assert not where.startswith(resolve_url(settings.LOGIN_URL) + "?"), where
    else:
        assert code == int(expected), f"{url}: {code}, expected {expected}"


SNAPSHOT_APPS = (
    "auth",
    "plans",
    "reviews",
    "workstreams",
    "oversight",
    "risks",
    "quality",
    "performance",
    "otp_totp",
    "otp_static",
)


def _snapshot_sql():
    quote = connection.ops.quote_name
    tables = sorted(
        model._meta.db_table
        for label in SNAPSHOT_APPS
        for model in apps.get_app_config(label).get_models()
    )
    # Table names come from the models, never from input.
    counts = ", ".join(f"(SELECT COUNT(*) FROM {quote(table)})" for table in tables)  # noqa: S608
    return tables, f"SELECT {counts}"


def snapshot():
    """Row counts of every table of the tracker, its history tables and the users: one query.

    Every change to an audited row adds a history row, so updates show here too."""
    tables, sql = _snapshot_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(zip(tables, cursor.fetchone(), strict=True))


# -- Every URL pattern has a row ----------------------------------------------------------------


def url_patterns(resolver=None, namespaces=(), prefix=""):
    """(key, namespaces, route) of every pattern; key "namespace:name", or the route."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = namespaces + ((pattern.namespace,) if pattern.namespace else ())
            yield from url_patterns(pattern, inner, route)
        elif isinstance(pattern, URLPattern):
            key = ":".join([*namespaces, pattern.name]) if pattern.name else route
            yield key, namespaces, route


def test_every_url_pattern_has_a_row_and_every_row_a_pattern():
    found = list(url_patterns())
    keys = {key for key, _ns, _route in found}
    missing = sorted(
        f"{key} ({route})"
        for key, namespaces, route in found
        if key not in TABLE and namespaces[:1] != (ADMIN_NAMESPACE,)
    )
    stale = sorted(set(TABLE) - keys)
    assert not missing, "URL patterns with no row in tests/authz_table.py: " + ", ".join(missing)
    assert not stale, "rows in tests/authz_table.py for no URL pattern: " + ", ".join(stale)
    assert any(ns[:1] == (ADMIN_NAMESPACE,) for _k, ns, _r in found)  # the admin rule is used


def test_the_walk_finds_nested_and_unnamed_patterns():
    """The enumeration itself: namespaced names, and routes for unnamed patterns."""
    found = {key: route for key, _ns, route in url_patterns()}
    assert found["plans:action_update"] == "actions/<int:pk>/update/"
    assert found["reviews:evidence_add"] == "reviews/actions/<int:action_pk>/evidence/"
    assert "admin/(?P<url>.*)$" in found  # the admin's unnamed catch-all, keyed by route


# -- The matrix ---------------------------------------------------------------------------------


def matrix_cases():
    for name in TABLE:
        for method in ("GET", "POST"):
            for role in ROLES:
                marks = ()
                if (name, method, role) in WRONG:
                    marks = pytest.mark.xfail(strict=True, reason=WRONG[(name, method, role)])
                yield pytest.param(name, method, role, marks=marks, id=f"{name}-{method}-{role}")


@pytest.mark.parametrize(("name", "method", "role"), list(matrix_cases()))
def test_matrix(client, matrix_db, quick_pdfs, name, method, role):
    row = TABLE[name]
    home = matrix_db.home_for(role)
    url = reverse(name, kwargs=row.url_kwargs(home) if row.url_kwargs else None)
    matrix_db.act_as(client, role)
    expected = row.expected(method, role)
    data = row.body(home) if (method == "POST" and row.body) else None
    forbidden_write = method == "POST" and expected in FORBIDDEN
    before = snapshot() if forbidden_write else None
    response = fetch(client, method, url, data)
    check(response, expected, f"{method} {url} as {role}")
    if forbidden_write:
        assert snapshot() == before, f"refused {method} {url} as {role} changed the data"


def test_the_no_change_check_sees_a_saved_update(client, matrix_db):
    """The matrix's "changed nothing" check can fail: a permitted save shows in it."""
    home = matrix_db.homes["NCSCP"]
    matrix_db.act_as(client, "chair")
    before = snapshot()
    url = reverse("plans:action_update", args=[home.action])
    assert fetch(client, "POST", url, {"rating": "green", "comment": "Seen"}).status_code == 302
    after = snapshot()
    changed = {table for table, count in before.items() if after[table] != count}
    assert RagUpdate._meta.db_table in changed


# -- The Django admin -----------------------------------------------------------------------------


ADMIN_PAGES = {
    "index": lambda action: reverse("admin:index"),
    "changelist": lambda action: reverse("admin:plans_action_changelist"),
    "change": lambda action: reverse("admin:plans_action_change", args=[action]),
    "history": lambda action: reverse("admin:plans_action_history", args=[action]),
    "users": lambda action: reverse("admin:auth_user_changelist"),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_admin_pages_are_for_staff_administrators_only(client, matrix_db, page, role):
    url = ADMIN_PAGES[page](matrix_db.homes["NCSCP"].action)
    matrix_db.act_as(client, role)
    expected = ADMIN_GET.split()[ROLES.index(role)]
    check(fetch(client, "GET", url), expected, f"GET {url} as {role}")


@pytest.mark.parametrize("role", [role for role in ROLES if role != "admin"])
def test_admin_refuses_changes_from_everyone_else(client, matrix_db, role):
    action = Action.objects.get(pk=matrix_db.homes["NCSCP"].action)
    url = reverse("admin:plans_action_change", args=[action.pk])
    matrix_db.act_as(client, role)
    before = snapshot()
    data = {"ref": action.ref, "parent": action.parent_id, "position": 1, "text": "Forged"}
    check(fetch(client, "POST", url, data), "A", f"POST {url} as {role}")
    assert snapshot() == before
    assert Action.objects.get(pk=action.pk).text == action.text


# -- Object level: another partnership's things never show --------------------------------------


@pytest.mark.parametrize("role", ["viewer", "chair", "officer"])
def test_ncscp_readers_get_404_for_every_nscp_object(client, matrix_db, role):
    nscp = matrix_db.homes["NSCP"]
    nscp_plan = Plan.objects.get(slug=nscp.plan).pk
    matrix_db.act_as(client, role)
    urls = [
        reverse("plans:action_detail", args=[nscp.action]),  # the action and its history
        reverse("plans:action_update", args=[nscp.action]),
        reverse("oversight:meeting_detail", args=[nscp.meeting]),
        reverse("oversight:meeting_pack", args=[nscp.meeting]),
        reverse("oversight:meeting_pack_pdf", args=[nscp.meeting]),
        reverse("plans:plan_detail", args=[nscp.plan]),
        reverse("reviews:review_detail", args=[nscp.review]),
        reverse("reviews:review_pdf", args=[nscp.review]),
        reverse("reviews:recommendation_detail", args=[nscp.recommendation]),
        reverse("reviews:assurance_detail", args=[nscp.exercise]),
        reverse("workstreams:workstream_list", args=["NSCP"]),
    ]
    for url in urls:
        assert fetch(client, "GET", url).status_code == 404, url
    before = snapshot()
    assert fetch(client, "POST", urls[1], {"rating": "red", "comment": "x"}).status_code == 404
    evidence = reverse("reviews:evidence_add", args=[nscp.review_action])
    forged = {f"a{nscp.review_action}-summary": "x"}
    assert fetch(client, "POST", evidence, forged).status_code == 404
    workstream = Workstream.objects.filter(partnership__short_name="NSCP").first()
    for kind, pk in (("workstream", workstream.pk), ("review", nscp.review), ("plan", nscp_plan)):
        archive = reverse("oversight:archive_object", args=[kind, pk])
        assert fetch(client, "POST", archive).status_code == 404, archive
    restore = reverse("oversight:restore_object", args=["review", nscp.archived_review])
    assert fetch(client, "POST", restore).status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("role", ["outsider", "lead"])
def test_nscp_users_get_404_for_ncscp_objects_and_their_history(client, matrix_db, role):
    ncscp = matrix_db.homes["NCSCP"]
    action = Action.objects.get(pk=ncscp.action)
    matrix_db.act_as(client, role)
    for url in (
        reverse("plans:action_detail", args=[action.pk]),
        reverse("plans:action_update", args=[action.pk]),
        reverse("oversight:meeting_pack_pdf", args=[ncscp.meeting]),
        reverse("oversight:meeting_pack", args=[ncscp.draft_meeting]),
        reverse("reviews:review_pdf", args=[ncscp.review]),
    ):
        response = fetch(client, "GET", url)
        assert response.status_code == 404, url
        assert action.text not in response.content.decode(errors="replace")
    # The history is on the action page; the admin's history page is for staff only.
    history = reverse("admin:plans_action_history", args=[action.pk])
    check(fetch(client, "GET", history), "A", history)


def test_pdfs_render_for_a_reader(client, matrix_db):
    """The real layout, once per PDF view (the matrix skips it)."""
    ncscp = matrix_db.homes["NCSCP"]
    matrix_db.act_as(client, "viewer")
    for url in (
        reverse("oversight:meeting_pack_pdf", args=[ncscp.meeting]),
        reverse("reviews:review_pdf", args=[ncscp.review]),
    ):
        response = fetch(client, "GET", url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-") and len(response.content) > 1000


def csv_rows(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.parametrize(("role", "own"), [("viewer", "NCSCP"), ("outsider", "NSCP")])
def test_exports_hold_only_the_readers_partnership(client, matrix_db, role, own):
    matrix_db.act_as(client, role)
    rows = csv_rows(fetch(client, "GET", reverse("oversight:action_export", args=["csv"])))
    live = Action.objects.filter(parent__archived_at__isnull=True)
    assert len(rows) == live.filter(parent__partnership__short_name=own).count()
    assert {row["partnership"] for row in rows} == {own}
    # Filtering by the other partnership is not a way in: the filter ignores it.
    other = Partnership.objects.exclude(short_name=own).get()
    url = reverse("oversight:action_export", args=["csv"])
    filtered = csv_rows(fetch(client, "GET", f"{url}?partnership={other.pk}"))
    assert filtered and {row["partnership"] for row in filtered} == {own}


def test_the_action_list_links_only_the_readers_actions(client, matrix_db):
    from django.core.cache import cache

    cache.clear()  # fragments of earlier tests in this process must not answer
    matrix_db.act_as(client, "viewer")
    html = fetch(client, "GET", reverse("oversight:action_list")).content.decode()
    nscp_links = [
        reverse("plans:action_detail", args=[pk])
        for pk in Action.objects.filter(parent__partnership__short_name="NSCP").values_list(
            "pk", flat=True
        )
    ]
    own = reverse("plans:action_detail", args=[matrix_db.homes["NCSCP"].action])
    assert f'href="{own}"' in html
    assert not [link for link in nscp_links if f'href="{link}"' in html]


def test_a_draft_pack_is_for_officers_until_the_deadline(client, matrix_db):
    ncscp = matrix_db.homes["NCSCP"]
    for role, code in (("viewer", 403), ("chair", 403), ("officer", 200), ("outsider", 404)):
        matrix_db.act_as(client, role)
        url = reverse("oversight:meeting_pack", args=[ncscp.draft_meeting])
        assert fetch(client, "GET", url).status_code == code, role
    lead_draft = reverse("oversight:meeting_pack", args=[matrix_db.homes["NSCP"].draft_meeting])
    matrix_db.act_as(client, "lead")
    assert fetch(client, "GET", lead_draft).status_code == 403


def test_group_and_agency_leads_update_only_their_own_actions(client, matrix_db):
    healthcare = Agency.objects.get(name=HEALTHCARE)
    others = {
        "chair": Action.objects.filter(parent__partnership__short_name="NCSCP")
        .exclude(lead_groups__slug="ncscp-childrens-qa")
        .order_by("ref")
        .first(),
        "lead": Action.objects.filter(parent__partnership__short_name="NSCP")
        .exclude(parent__recommendation__agency=healthcare)
        .exclude(lead_agencies=healthcare)
        .order_by("ref")
        .first(),
    }
    for role, action in others.items():
        matrix_db.act_as(client, role)
        url = reverse("plans:action_update", args=[action.pk])
        assert fetch(client, "GET", url).status_code == 403, role
        before = RagUpdate.objects.count()
        assert fetch(client, "POST", url, {"rating": "red", "comment": "x"}).status_code == 403
        assert RagUpdate.objects.count() == before
        detail = reverse("plans:action_detail", args=[action.pk])
        assert fetch(client, "GET", detail).status_code == 200  # readable, so 403 not 404
