"""The authorization matrix that tests/test_authz_matrix.py checks: one row per URL pattern.

A row names the pattern ("namespace:name", or the route for an unnamed pattern), how to
build its URL from the requesting role's objects (`Home`, built in the test module), the
body sent with POST, and what each role gets for GET and for POST.

Expected codes are written one per role, in ROLES order, separated by spaces:

    200 400 403 404 405   that status
    302                   a redirect that is not to a sign-in page (a form saved, a logout)
    L                     302 to the sign-in page, with ?next= (anonymous visitors)
    A                     302 to the admin's sign-in page

Roles and the partnership whose objects their URLs point at (`HOME_OF`):
    anonymous  nobody signed in                             NCSCP objects
    viewer     NCSCP viewer                                 NCSCP
    chair      chair of NCSCP's Children's QA subgroup      NCSCP (actions led by that group)
    lead       agency lead of Nottinghamshire HealthCare    NSCP (actions assigned to it)
               NHS Trust, in NSCP
    officer    NCSCP board officer                          NCSCP
    admin      NCSCP administrator (staff, superuser)       NCSCP
    outsider   NSCP board officer                           NCSCP: another partnership's
    cse_chair  chair of the Cross Authority CSE Group,      NSCP: the other partnership the
               shared by both partnerships, in NCSCP        group serves ("NSCP-CSE": its
                                                            action is one the group leads)

The last is least privilege across authorities (plans/access.py): a role that reaches another
partnership only through a shared group reads and updates that group's actions there, and
nothing else of it.

A forbidden POST (L, A, 403, 404, 405) must also leave every table as it was.

A new URL pattern fails the suite until it has a row here: one line. The codes come from the
code (plans/access.py, the views) and from what a user should expect; where the application
does something else that is wrong, the row keeps the right code and `WRONG` names the cell,
which then runs as a strict xfail.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.timezone import localdate

ROLES = ("anonymous", "viewer", "chair", "lead", "officer", "admin", "outsider", "cse_chair")

HOME_OF = {
    "anonymous": "NCSCP",
    "viewer": "NCSCP",
    "chair": "NCSCP",
    "lead": "NSCP",
    "officer": "NCSCP",
    "admin": "NCSCP",
    "outsider": "NCSCP",
    "cse_chair": "NSCP-CSE",
}

# Shorthands for the common lines (ROLES order).
PUBLIC = "200 200 200 200 200 200 200 200"  # open to everyone, signed in or not
READ = "L 200 200 200 200 200 200 200"  # any signed-in user; the page shows their own data
OWN = "L 200 200 200 200 200 404 404"  # an object of the reader's partnership; others': not
SHARED = "L 200 200 200 200 200 404 200"  # an action: a shared group's reaches across
OFFICER = "L 403 403 403 200 200 404 404"  # board officers' and administrators' pages
OFFICER_SAVE = "L 403 403 403 302 302 404 404"  # ... and their forms, saved
EDITOR = "L 403 200 200 200 200 404 200"  # the update form of an action (not for viewers)
EDITOR_SAVE = "L 403 302 302 302 302 404 302"  # ... saved
OFFICERS_ONLY = "L 404 404 404 200 200 404 404"  # officers' pending uploads: 404 to all others
POST_ONLY = "L 405 405 405 405 405 405 405"  # @require_POST views, after sign-in
NO_POST = "405 405 405 405 405 405 405 405"
SAFE_ONLY = "L 405 405 405 405 405 405 405"  # @require_safe pages (GET and HEAD), after sign-in


@dataclass(frozen=True)
class Row:
    url_kwargs: Callable | None  # Home -> kwargs for reverse(); None: no kwargs
    get: str
    post: str
    body: Callable | None = None  # Home -> POST data; None: an empty body

    def expected(self, method, role):
        codes = (self.get if method == "GET" else self.post).split()
        assert len(codes) == len(ROLES), f"{len(codes)} codes for {len(ROLES)} roles"
        return codes[ROLES.index(role)]


def _pk(attribute):
    return lambda home: {"pk": getattr(home, attribute)}


# URL kwargs, from the requesting role's Home.
ACTION = _pk("action")
MEETING = _pk("meeting")
REVIEW = _pk("review")
RECOMMENDATION = _pk("recommendation")
PENDING = _pk("pending")
EXERCISE = _pk("exercise")
PLAN = lambda home: {"slug": home.plan}  # noqa: E731
THEME = lambda home: {"slug": home.theme}  # noqa: E731
PARTNERSHIP = lambda home: {"short_name": home.short_name}  # noqa: E731
WORKSTREAMS = lambda home: {"partnership": home.short_name}  # noqa: E731
REVIEW_ACTION = lambda home: {"action_pk": home.review_action}  # noqa: E731
LIVE_REVIEW = lambda home: {"kind": "review", "pk": home.review}  # noqa: E731
ARCHIVED_REVIEW = lambda home: {"kind": "review", "pk": home.archived_review}  # noqa: E731
RATE_CELL = lambda home: {  # noqa: E731
    "pk": home.exercise,
    "area_pk": home.area,
    "agency_pk": home.agency,
}
CSV = lambda home: {"fmt": "csv"}  # noqa: E731
PRIORITY = _pk("priority")
OBJECTIVE = _pk("objective")
WORKSTREAM = _pk("workstream")
PARENT = lambda home: {"parent_pk": home.objective}  # noqa: E731
PERSON = _pk("person")
DRAFT_MEETING = _pk("draft_meeting")
ROLE = _pk("role")
GROUP = _pk("group")
AGENCY = _pk("own_agency")
ROLE_IN = lambda home: {"pk": home.person, "short_name": home.short_name}  # noqa: E731
INVITE_LINK = lambda home: {"uidb64": "MQ", "token": "not-a-token"}  # noqa: E731
RESET_LINK = lambda home: {"uidb64": "MQ", "token": "not-a-token"}  # noqa: E731

# Forged bodies: what the page's own form would send. A role that may not write must be
# refused even when the body is valid.
RATED = lambda home: {"rating": "green", "comment": "Matrix check"}  # noqa: E731
RATED_ROW = lambda home: {  # noqa: E731
    "action": home.action,
    f"a{home.action}-rating": "green",
    f"a{home.action}-comment": "Matrix check",
}
EVIDENCE = lambda home: {f"a{home.review_action}-summary": "Audit seen"}  # noqa: E731
REASON = lambda home: {"reason": "Matrix check"}  # noqa: E731
NOTE = lambda home: {"note": "Matrix check"}  # noqa: E731
TITLED = lambda home: {"title": "Matrix check"}  # noqa: E731
MEANINGS = lambda home: {  # noqa: E731
    "red": "Matrix red",
    "amber": "A",
    "green": "G",
    "complete": "C",
    "not_started": "N",
}
NUMBERED = lambda home: {"number": 77, "title": "Matrix check", "text": "Matrix check"}  # noqa: E731
ACTION_TEXT = lambda home: {"text": "Matrix check"}  # noqa: E731
UP = lambda home: {"direction": "up"}  # noqa: E731
MOVE_TO = lambda home: {"objective": home.other_objective}  # noqa: E731
WORKSTREAM_TEXT = lambda home: {  # noqa: E731
    "number": 77,
    "title": "Matrix check",
    "objective_text": "Matrix check",
}
INVITED = lambda home: {  # noqa: E731
    "email": "matrix@example.org",
    "first_name": "Matrix",
    "last_name": "Check",
    "kind": "viewer",
}
OFFICER_ROLE = lambda home: {"kind": "board_officer"}  # noqa: E731
ORGANISATION = lambda home: {"name": "Matrix check", "kind": "other"}  # noqa: E731
RISK = _pk("risk")
RISK_TEXT = lambda home: {  # noqa: E731
    "reference": "MX9",
    "title": "Matrix check",
    "description": "Matrix check",
    "owner_text": "Matrix check",
    "inherent_likelihood": "4",
    "inherent_impact": "4",
    "residual_likelihood": "3",
    "residual_impact": "3",
}
RISK_REVIEWED = lambda home: {  # noqa: E731
    "reviewed_on_0": localdate().day,
    "reviewed_on_1": localdate().month,
    "reviewed_on_2": localdate().year,
    "likelihood": "2",
    "impact": "3",
    "commentary": "Matrix check",
}
COLUMNS = lambda home: {"columns": ["due", "rating"]}  # noqa: E731
SAVED = "L 302 302 302 302 302 302 302"  # a form any signed-in user may save for themself
APPETITE = lambda home: {"score": "10"}  # noqa: E731
MEASURE = _pk("measure")
MEASURE_TEXT = lambda home: {  # noqa: E731
    "name": "Matrix measure 2",
    "definition": "Matrix check",
    "unit": "percent",
    "direction": "higher",
    "target": "85",
    "frequency": "quarter",
}
PERIOD_VALUES = lambda home: {f"m{home.measure}_value": "42"}  # noqa: E731
# The data set (performance/): its officers and the chairs of the group leading it (NCSCP's
# Children's QA subgroup: the `chair` role) manage it.
DATA_SET = "L 403 200 403 200 200 404 404"
DATA_SET_SAVE = "L 403 302 403 302 302 404 404"
GROUP_TEXT = lambda home: {"name": "Matrix check", "kind": "subgroup"}  # noqa: E731
MEETING_DATE = lambda home: {  # noqa: E731
    "group": home.group,
    "date_0": "4",
    "date_1": "3",
    "date_2": "2031",
}
PATTERN = lambda home: {  # noqa: E731
    "group": home.group,
    "months": [6],
    "week": 3,
    "weekday": 2,
    "notice_days": 14,
    "count": 1,
}
DECISION = _pk("decision")
# A highlight report of a group that owes the coming (draft) BMG meeting one: NCSCP's
# Children's QA subgroup (the chair's group); NSCP's cross-authority CSE group.
REPORT = lambda home: {"pk": home.draft_meeting, "group": home.report_group}  # noqa: E731
REPORTED = lambda home: {"progress": "Matrix check", "risks": "", "escalations": "", "asks": ""}  # noqa: E731
DECIDED = lambda home: {"text": "Matrix check", "needs_action": "no"}  # noqa: E731
CASE = _pk("case")
RECHECK = _pk("recheck")
BOOKED = lambda home: {  # noqa: E731
    f"s{home.review_action}-kind": "dip_test",
    f"s{home.review_action}-months": "6",
}
RECHECKED = lambda home: {f"r{home.recheck}-finding": "Matrix check"}  # noqa: E731
FIGURES = lambda home: {"short_name": home.short_name, "year": 2025}  # noqa: E731
AUDIT = _pk("audit")
AUDIT_RECOMMENDATION = _pk("audit_recommendation")
FINDING = _pk("finding")
LINE = _pk("line")
IMPACT = _pk("impact")
CYCLE = _pk("cycle")
ASSESSMENT = _pk("assessment")
QA_PARENT = lambda home: {"parent_pk": home.audit_recommendation}  # noqa: E731
QA_ACTION = lambda home: {"action_pk": home.audit_action}  # noqa: E731
AUDIT_TEXT = lambda home: {  # noqa: E731
    "subject": "Matrix check",
    "method": "case_file",
    "year": "2026/27",
    "status": "planned",
}
FINDING_TEXT = lambda home: {"text": "Matrix check", "grade": "strength"}  # noqa: E731
IMPACT_TEXT = lambda home: {  # noqa: E731
    "recorded_on_0": "4",
    "recorded_on_1": "3",
    "recorded_on_2": "2026",
    "change": "Matrix check",
}
CYCLE_TEXT = lambda home: {"name": "Matrix check"}  # noqa: E731
ASSESSMENT_TEXT = lambda home: {"agency": home.s11_agency, "summary": "Matrix check"}  # noqa: E731
LINE_TEXT = lambda home: {"number": "9.9", "text": "Matrix check", "rating": "partial"}  # noqa: E731
QA_GROUP = lambda home: {"group": home.group}  # noqa: E731
QA_EVIDENCE = lambda home: {  # noqa: E731
    f"a{home.audit_action}-summary": "Matrix check",
    f"a{home.audit_action}-seen_on_0": "4",
    f"a{home.audit_action}-seen_on_1": "3",
    f"a{home.audit_action}-seen_on_2": "2026",
}
# The QA programme and Section 11 (quality/): read by the partnership's roles, kept by its
# officers and the chair of its QA group (the matrix's chair chairs NCSCP's Children's QA).
QA_MANAGER = "L 403 200 403 200 200 404 404"
QA_MANAGER_SAVE = "L 403 302 403 302 302 404 404"
CASE_TEXT = lambda home: {  # noqa: E731
    "code": "MX-NEW",
    **{f"incident_on_{i}": part for i, part in enumerate(("5", "1", "2026"))},
    **{f"learned_on_{i}": part for i, part in enumerate(("6", "1", "2026"))},
}
RECOMMENDATION_TEXT = lambda home: {  # noqa: E731
    "number": 77,
    "source": "overview",
    "text": "Matrix check",
}

TABLE = {
    # "name": Row(URL kwargs, GET codes, POST codes[, POST body]),
    # The service and accounts (django.contrib.auth.urls).
    "healthz": Row(None, PUBLIC, NO_POST),
    "keepalive": Row(None, "L 204 204 204 204 204 204 204", SAFE_ONLY),
    "login": Row(None, PUBLIC, PUBLIC),
    "logout": Row(None, NO_POST, "302 302 302 302 302 302 302 302"),
    "password_change": Row(None, READ, READ),
    "password_change_done": Row(None, READ, "L 405 405 405 405 405 405 405"),
    "password_reset": Row(None, PUBLIC, PUBLIC),
    "password_reset_done": Row(None, PUBLIC, NO_POST),
    "password_reset_confirm": Row(RESET_LINK, PUBLIC, PUBLIC),  # the bad-link page
    "password_reset_complete": Row(None, PUBLIC, NO_POST),
    # The second factor; an administrator here has passed it already, so is sent on.
    "two_factor_verify": Row(
        None, "L 200 200 200 200 302 200 200", "L 200 200 200 200 302 200 200"
    ),
    "two_factor_setup": Row(None, READ, READ),
    # Plans: dashboards, actions and updates, plans, the archive, meetings and packs.
    "oversight:dashboard": Row(None, READ, SAFE_ONLY),
    "oversight:my_actions": Row(None, READ, EDITOR_SAVE, RATED_ROW),
    "oversight:action_list": Row(None, READ, SAFE_ONLY),
    "oversight:action_export": Row(CSV, READ, SAFE_ONLY),
    "oversight:choose_columns": Row(None, POST_ONLY, SAVED, COLUMNS),
    "plans:action_detail": Row(ACTION, SHARED, SAFE_ONLY),
    "plans:action_update": Row(ACTION, EDITOR, EDITOR_SAVE, RATED),
    "plans:plan_list": Row(None, READ, SAFE_ONLY),
    "plans:plan_detail": Row(PLAN, OWN, SAFE_ONLY),
    # Setting up plans (board officers and administrators of the plan's partnership).
    "plans:plan_create": Row(PARTNERSHIP, OFFICER, OFFICER_SAVE, TITLED),
    "plans:rating_meanings": Row(PARTNERSHIP, OFFICER, OFFICER_SAVE, MEANINGS),
    "plans:plan_edit": Row(PLAN, OFFICER, OFFICER_SAVE, TITLED),
    "plans:priority_add": Row(PLAN, OFFICER, OFFICER_SAVE, NUMBERED),
    "plans:priority_edit": Row(PRIORITY, OFFICER, OFFICER_SAVE, NUMBERED),
    "plans:objective_add": Row(PLAN, OFFICER, OFFICER_SAVE, NUMBERED),
    "plans:objective_edit": Row(OBJECTIVE, OFFICER, OFFICER_SAVE, NUMBERED),
    "plans:action_add": Row(PARENT, OFFICER, OFFICER_SAVE, ACTION_TEXT),
    "plans:action_edit": Row(ACTION, OFFICER, OFFICER_SAVE, ACTION_TEXT),
    "plans:action_reorder": Row(ACTION, POST_ONLY, OFFICER_SAVE, UP),
    "plans:action_move": Row(ACTION, OFFICER, OFFICER_SAVE, MOVE_TO),
    "plans:action_withdraw": Row(ACTION, OFFICER, OFFICER_SAVE, REASON),
    "oversight:archive_list": Row(None, "L 403 403 403 200 200 200 403", SAFE_ONLY),
    "oversight:archive_object": Row(LIVE_REVIEW, OFFICER, OFFICER_SAVE),
    "oversight:restore_object": Row(ARCHIVED_REVIEW, POST_ONLY, OFFICER_SAVE),
    "oversight:meeting_list": Row(None, READ, SAFE_ONLY),
    "oversight:meeting_detail": Row(MEETING, OWN, SAFE_ONLY),
    "oversight:meeting_pack": Row(MEETING, OWN, SAFE_ONLY),  # deadline passed: every reader
    "oversight:meeting_pack_pdf": Row(MEETING, OWN, SAFE_ONLY),
    # The render's page; POST is "Try again" (a new render only if the last one failed).
    "oversight:meeting_pack_render": Row(MEETING, OWN, "L 302 302 302 302 302 404 404"),
    "oversight:meeting_create": Row(PARTNERSHIP, OFFICER, OFFICER_SAVE, MEETING_DATE),
    "oversight:meeting_edit": Row(MEETING, OFFICER, OFFICER_SAVE, MEETING_DATE),
    "oversight:meeting_plan": Row(PARTNERSHIP, OFFICER, OFFICER_SAVE, PATTERN),
    "oversight:meeting_remind": Row(DRAFT_MEETING, POST_ONLY, OFFICER_SAVE),
    # Highlight reports: read by the partnership's roles; written by the group's chair until
    # the deadline and by officers (correcting after it). The CSE chair reaches NSCP only
    # through the shared group, so NSCP's meetings answer 404.
    "oversight:report_detail": Row(REPORT, OWN, SAFE_ONLY),
    "oversight:report_write": Row(
        REPORT, "L 403 200 403 200 200 404 404", "L 403 302 403 302 302 404 404", REPORTED
    ),
    # The decisions log: read by the partnership's roles, kept by its officers.
    "oversight:decision_log": Row(MEETING, OWN, SAFE_ONLY),
    "oversight:decision_add": Row(MEETING, OFFICER, OFFICER_SAVE, DECIDED),
    "oversight:decision_edit": Row(DECISION, OFFICER, OFFICER_SAVE, DECIDED),
    # People and access, groups and agencies (board officers and administrators).
    "plans:people_list": Row(None, "L 403 403 403 200 200 200 403", SAFE_ONLY),
    "plans:person_invite": Row(PARTNERSHIP, OFFICER, OFFICER_SAVE, INVITED),
    "plans:person_detail": Row(PERSON, OFFICER, SAFE_ONLY),
    "plans:person_reinvite": Row(PERSON, POST_ONLY, OFFICER_SAVE),
    "plans:role_add": Row(ROLE_IN, OFFICER, OFFICER_SAVE, OFFICER_ROLE),
    "plans:role_remove": Row(ROLE, OFFICER, OFFICER_SAVE),
    "plans:person_deactivate": Row(PERSON, OFFICER, OFFICER_SAVE),
    "plans:person_reactivate": Row(PERSON, POST_ONLY, OFFICER_SAVE),
    "plans:group_list": Row(PARTNERSHIP, OFFICER, SAFE_ONLY),
    "plans:group_create": Row(PARTNERSHIP, OFFICER, OFFICER_SAVE, GROUP_TEXT),
    "plans:group_edit": Row(GROUP, OFFICER, OFFICER_SAVE, GROUP_TEXT),
    "plans:agency_create": Row(PARTNERSHIP, OFFICER, OFFICER_SAVE, ORGANISATION),
    "plans:agency_edit": Row(AGENCY, OFFICER, OFFICER_SAVE, ORGANISATION),
    # The invitation's set-password page: the link is the key (a bad one gets the same page).
    "plans:invite_accept": Row(INVITE_LINK, PUBLIC, PUBLIC),
    # Workstreams.
    "workstreams:workstream_list": Row(WORKSTREAMS, OWN, SAFE_ONLY),
    "workstreams:workstream_create": Row(WORKSTREAMS, OFFICER, OFFICER_SAVE, WORKSTREAM_TEXT),
    "workstreams:workstream_edit": Row(WORKSTREAM, OFFICER, OFFICER_SAVE, WORKSTREAM_TEXT),
    # Case reviews, recommendations, evidence, themes, imports and assurance.
    "reviews:review_list": Row(None, READ, SAFE_ONLY),
    "reviews:review_detail": Row(REVIEW, OWN, SAFE_ONLY),
    "reviews:review_edit": Row(REVIEW, OFFICER, OFFICER),
    "reviews:review_pdf": Row(REVIEW, OWN, SAFE_ONLY),
    # 400 for officers: the plan is not ready to sign off (its actions are not complete).
    "reviews:review_sign_off": Row(REVIEW, POST_ONLY, "L 403 403 403 400 400 404 404", NOTE),
    "reviews:review_reopen": Row(REVIEW, POST_ONLY, OFFICER_SAVE, REASON),
    "reviews:recommendation_detail": Row(RECOMMENDATION, OWN, SAFE_ONLY),
    "reviews:recommendation_close": Row(RECOMMENDATION, POST_ONLY, OFFICER_SAVE, REASON),
    "reviews:recommendation_reopen": Row(RECOMMENDATION, POST_ONLY, OFFICER_SAVE),
    "reviews:recommendation_add": Row(REVIEW, OFFICER, OFFICER_SAVE, RECOMMENDATION_TEXT),
    "reviews:recommendation_edit": Row(RECOMMENDATION, OFFICER, OFFICER_SAVE, RECOMMENDATION_TEXT),
    "reviews:recommendation_withdraw": Row(RECOMMENDATION, OFFICER, OFFICER_SAVE, REASON),
    # The CSE chair's review action is NSCP's agency action, not their group's: 404.
    "reviews:evidence_add": Row(
        REVIEW_ACTION, POST_ONLY, "L 403 302 302 302 302 404 404", EVIDENCE
    ),
    "reviews:theme_list": Row(None, READ, SAFE_ONLY),
    "reviews:theme_detail": Row(THEME, READ, SAFE_ONLY),  # themes are shared; content is scoped
    # The risk register (risks/): read by the partnership's roles, kept by its officers.
    "risks:risk_home": Row(None, "L 302 302 302 302 302 302 302", SAFE_ONLY),
    "risks:risk_register": Row(WORKSTREAMS, OWN, SAFE_ONLY),
    "risks:risk_create": Row(WORKSTREAMS, OFFICER, OFFICER_SAVE, RISK_TEXT),
    "risks:appetite_edit": Row(WORKSTREAMS, OFFICER, OFFICER_SAVE, APPETITE),
    "risks:risk_detail": Row(RISK, OWN, SAFE_ONLY),
    "risks:risk_edit": Row(RISK, OFFICER, OFFICER_SAVE, RISK_TEXT),
    "risks:risk_review": Row(RISK, OFFICER, OFFICER_SAVE, RISK_REVIEWED),
    "risks:risk_archive": Row(RISK, OFFICER, OFFICER_SAVE),
    "risks:risk_restore": Row(RISK, POST_ONLY, OFFICER_SAVE),
    "quality:quality_home": Row(None, "L 302 302 302 302 302 302 302", SAFE_ONLY),
    "quality:programme": Row(WORKSTREAMS, OWN, SAFE_ONLY),
    "quality:audit_create": Row(WORKSTREAMS, QA_MANAGER, QA_MANAGER_SAVE, AUDIT_TEXT),
    "quality:qa_group_edit": Row(WORKSTREAMS, OFFICER, OFFICER_SAVE, QA_GROUP),
    "quality:impact_log": Row(WORKSTREAMS, OWN, SAFE_ONLY),
    "quality:impact_create": Row(WORKSTREAMS, QA_MANAGER, QA_MANAGER_SAVE, IMPACT_TEXT),
    "quality:impact_edit": Row(IMPACT, QA_MANAGER, QA_MANAGER_SAVE, IMPACT_TEXT),
    "quality:audit_detail": Row(AUDIT, OWN, SAFE_ONLY),
    "quality:audit_edit": Row(AUDIT, QA_MANAGER, QA_MANAGER_SAVE, AUDIT_TEXT),
    "quality:finding_add": Row(AUDIT, QA_MANAGER, QA_MANAGER_SAVE, FINDING_TEXT),
    "quality:finding_edit": Row(FINDING, QA_MANAGER, QA_MANAGER_SAVE, FINDING_TEXT),
    "quality:recommendation_add": Row(AUDIT, QA_MANAGER, QA_MANAGER_SAVE, ACTION_TEXT),
    "quality:recommendation_edit": Row(
        AUDIT_RECOMMENDATION, QA_MANAGER, QA_MANAGER_SAVE, ACTION_TEXT
    ),
    # 400 for managers: the audit's recommendation has an action not yet complete.
    "quality:audit_sign_off": Row(AUDIT, POST_ONLY, "L 403 400 403 400 400 404 404"),
    "quality:audit_reopen": Row(AUDIT, POST_ONLY, QA_MANAGER_SAVE, REASON),
    "quality:recommendation_close": Row(AUDIT_RECOMMENDATION, POST_ONLY, QA_MANAGER_SAVE, REASON),
    "quality:recommendation_reopen": Row(AUDIT_RECOMMENDATION, POST_ONLY, QA_MANAGER_SAVE),
    "quality:action_add": Row(QA_PARENT, QA_MANAGER, QA_MANAGER_SAVE, ACTION_TEXT),
    # The audit action is led by the QA group, so its chair records evidence too.
    "quality:evidence_add": Row(QA_ACTION, POST_ONLY, QA_MANAGER_SAVE, QA_EVIDENCE),
    "quality:cycle_list": Row(WORKSTREAMS, OWN, SAFE_ONLY),
    "quality:cycle_create": Row(WORKSTREAMS, QA_MANAGER, QA_MANAGER_SAVE, CYCLE_TEXT),
    "quality:cycle_detail": Row(CYCLE, OWN, SAFE_ONLY),
    "quality:assessment_add": Row(CYCLE, QA_MANAGER, QA_MANAGER_SAVE, ASSESSMENT_TEXT),
    "quality:assessment_detail": Row(ASSESSMENT, OWN, SAFE_ONLY),
    "quality:assessment_edit": Row(ASSESSMENT, QA_MANAGER, QA_MANAGER_SAVE, ASSESSMENT_TEXT),
    "quality:line_add": Row(ASSESSMENT, QA_MANAGER, QA_MANAGER_SAVE, LINE_TEXT),
    "quality:line_edit": Row(LINE, QA_MANAGER, QA_MANAGER_SAVE, LINE_TEXT),
    # The performance data set (performance/): read by the partnership's roles, kept by its
    # officers and the chairs of the group that leads it.
    "performance:performance_home": Row(None, "L 302 302 302 302 302 302 302", SAFE_ONLY),
    "performance:scorecard": Row(WORKSTREAMS, OWN, SAFE_ONLY),
    "performance:measure_detail": Row(MEASURE, OWN, SAFE_ONLY),
    "performance:measure_create": Row(WORKSTREAMS, DATA_SET, DATA_SET_SAVE, MEASURE_TEXT),
    "performance:measure_edit": Row(MEASURE, DATA_SET, DATA_SET_SAVE, MEASURE_TEXT),
    "performance:measure_archive": Row(MEASURE, DATA_SET, DATA_SET_SAVE),
    "performance:measure_restore": Row(MEASURE, POST_ONLY, DATA_SET_SAVE),
    "performance:enter_values": Row(WORKSTREAMS, DATA_SET, DATA_SET_SAVE, PERIOD_VALUES),
    # An upload without a file is a form error (200); confirming a preview that is not
    # signed is refused with a message (302), storing nothing.
    "performance:import_values": Row(WORKSTREAMS, DATA_SET, DATA_SET),
    "performance:import_confirm": Row(WORKSTREAMS, POST_ONLY, DATA_SET_SAVE),
    # Who leads the data set is the officers' choice: a chair cannot name their own group.
    "performance:lead_group_edit": Row(WORKSTREAMS, OFFICER, OFFICER_SAVE),
    "oversight:import_upload": Row(PARTNERSHIP, OFFICER, OFFICER),
    "oversight:import_preview": Row(PENDING, OFFICERS_ONLY, SAFE_ONLY),
    "oversight:import_reread": Row(PENDING, POST_ONLY, "L 404 404 404 302 302 404 404"),
    "oversight:import_confirm": Row(PENDING, POST_ONLY, "L 404 404 404 302 302 404 404"),
    "oversight:import_cancel": Row(PENDING, POST_ONLY, "L 404 404 404 302 302 404 404"),
    "reviews:case_list": Row(None, READ, SAFE_ONLY),
    "reviews:clock_list": Row(None, READ, SAFE_ONLY),
    "reviews:case_detail": Row(CASE, OWN, SAFE_ONLY),
    "reviews:case_create": Row(PARTNERSHIP, OFFICER, OFFICER_SAVE, CASE_TEXT),
    "reviews:case_edit": Row(CASE, OFFICER, OFFICER_SAVE, CASE_TEXT),
    "reviews:case_become_review": Row(CASE, POST_ONLY, OFFICER_SAVE),
    "reviews:figures_xlsx": Row(FIGURES, OWN, SAFE_ONLY),
    "reviews:recheck_schedule": Row(
        REVIEW_ACTION, POST_ONLY, "L 403 403 403 302 302 404 404", BOOKED
    ),
    "reviews:recheck_record": Row(RECHECK, POST_ONLY, "L 403 403 403 302 302 404 404", RECHECKED),
    "reviews:figures_pdf": Row(FIGURES, OWN, SAFE_ONLY),
    "reviews:assurance_list": Row(None, READ, SAFE_ONLY),
    "reviews:assurance_create": Row(PARTNERSHIP, OFFICER, OFFICER),
    "reviews:assurance_detail": Row(EXERCISE, OWN, SAFE_ONLY),
    "reviews:assurance_rate": Row(RATE_CELL, OFFICER, OFFICER),
}

# The Django admin: one rule for every pattern in the "admin" namespace. Only staff
# administrators get in; everyone else is sent to the admin's sign-in page.
ADMIN_NAMESPACE = "admin"
ADMIN_GET = "A A A A A 200 A A"

# (url name, method, role) -> why the application's answer is wrong today. The test for that
# cell is a strict xfail: it starts failing (as a reminder to delete the line) once fixed.
WRONG = {}
