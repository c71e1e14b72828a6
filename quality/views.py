"""The QA programme, the impact log and Section 11: any role in the partnership reads them;
its board officers, administrators and the chairs of its QA group keep them. The actions under
audit recommendations and self-assessments are updated like any other action (plans/)."""

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from plans.access import can_edit_action, get_action_for_user, get_partnership_for_user, scope_for
from plans.access import get_managed_partnership as get_officer_partnership
from plans.changes import changes_of, latest
from plans.forms import ActionForm
from plans.models import Action, ActionParent, Rating
from plans.pages import current_partnership, page
from plans.views.editing import form_page, save_or_form
from reviews import status
from reviews.forms import EvidenceForm
from reviews.models import Evidence

from .forms import (
    AssessmentForm,
    AuditForm,
    CycleForm,
    FindingForm,
    ImpactForm,
    LineForm,
    ProgrammeFilter,
    QaGroupForm,
    ReasonForm,
    RecommendationForm,
    SignOffForm,
)
from .models import (
    Audit,
    AuditRecommendation,
    Compliance,
    Finding,
    ImpactEntry,
    LineOfEnquiry,
    QaGroup,
    Section11Cycle,
    SelfAssessment,
    can_manage,
)

EDIT = ["GET", "POST"]


# -- Access -----------------------------------------------------------------------------------


def require_manager(request, partnership):
    if not can_manage(request.user, partnership):
        raise PermissionDenied(
            "Only board officers, administrators and the QA group's chairs can change this."
        )


def managed_partnership(request, short_name):
    partnership = get_partnership_for_user(request, short_name)
    require_manager(request, partnership)
    return partnership


def _get(queryset, request, pk, *, via=""):
    """An object of a partnership the user reads as a whole, else 404. `via` reaches the
    partnership through the object's owner ("audit__", "assessment__")."""
    readable = scope_for(request.user).readable_partnerships
    found = queryset.filter(pk=pk, **{f"{via}partnership__in": readable}).first()
    if found is None:
        raise Http404("Not found")
    return found


def get_audit(request, pk, *, manage=False):
    audit = _get(Audit.objects.select_related("partnership", "review"), request, pk)
    if manage:
        require_manager(request, audit.partnership)
    return audit


def get_cycle(request, pk, *, manage=False):
    cycle = _get(Section11Cycle.objects.select_related("partnership"), request, pk)
    if manage:
        require_manager(request, cycle.partnership)
    return cycle


def get_assessment(request, pk, *, manage=False):
    queryset = SelfAssessment.objects.select_related("cycle__partnership", "agency")
    assessment = _get(queryset, request, pk)
    if manage:
        require_manager(request, assessment.partnership)
    return assessment


def get_recommendation(request, pk):
    queryset = AuditRecommendation.objects.select_related("audit__partnership")
    recommendation = _get(queryset, request, pk)
    require_manager(request, recommendation.partnership)
    return recommendation


def _of_partnership(model, partnership, pk):
    """The partnership's object named in a query string, or None (a bad number is ignored)."""
    if not (pk or "").isdigit():
        return None
    return model.objects.filter(partnership=partnership, pk=int(pk)).first()


def programme_url(partnership):
    return reverse("quality:programme", args=[partnership.short_name])


def crumbs(partnership, *more):
    return [(programme_url(partnership), "Audit programme"), *more]


def s11_crumbs(partnership, *more):
    return [(reverse("quality:cycle_list", args=[partnership.short_name]), "Section 11"), *more]


def audit_trail(audit):
    """The crumbs of a form about the audit: the programme, then the audit."""
    return crumbs(audit.partnership, (audit.get_absolute_url(), audit.subject[:60]))


def assessment_trail(assessment):
    """The crumbs of a form about the self-assessment: Section 11, its cycle, then it."""
    cycle = assessment.cycle
    return s11_crumbs(
        cycle.partnership,
        (cycle.get_absolute_url(), cycle.name),
        (assessment.get_absolute_url(), assessment.agency.name),
    )


def _form(request, form, title, partnership, trail, **context):
    return form_page(request, form, title, partnership=partnership, crumbs=trail, **context)


def _save(request, form, title, partnership, trail, *, saved):
    return save_or_form(request, form, title, saved=saved, partnership=partnership, crumbs=trail)


def actions_of(parents):
    """{parent pk: [actions with their latest update]} in one query."""
    found = defaultdict(list)
    actions = (
        Action.objects.filter(parent__in=[p.pk for p in parents], withdrawn_on=None)
        .select_related("parent__auditrecommendation", "parent__selfassessment")
        .with_latest_update()
        .with_effective_due()
        .order_by("parent_id", "position")
    )
    for action in actions:
        found[action.parent_id].append(action)
    return found


# -- The programme ----------------------------------------------------------------------------


@login_required
@require_safe
def quality_home(request):
    partnership = current_partnership(request)
    if partnership is None:
        raise Http404("No partnership's programme to show")
    return redirect(programme_url(partnership))


def by_quarter(audits):
    """[(heading, audits)] by programme year and quarter, in programme order."""
    groups = defaultdict(list)
    for audit in audits:
        quarter = audit.get_quarter_display() if audit.quarter else "(no quarter given)"
        groups[(audit.year, audit.quarter or 9)].append((quarter, audit))
    return [
        (f"{year} {rows[0][0]}", [audit for _, audit in rows])
        for (year, _), rows in sorted(groups.items())
    ]


@login_required
@require_safe
def programme(request, partnership):
    partnership = get_partnership_for_user(request, partnership)
    audits = Audit.objects.filter(partnership=partnership)
    years = sorted(set(audits.values_list("year", flat=True)))
    filters = ProgrammeFilter(request.GET or None, years=years)
    shown = list(
        filters.apply(audits)
        .select_related("review", "lead_group", "lead_agency", "follow_up_of")
        .order_by("year", "quarter", "planned_on", "subject")
    )
    return render(
        request,
        "quality/programme.html",
        page(
            request,
            "Audit programme",
            partnership=partnership,
            filters=filters,
            quarters=by_quarter(shown),
            count=len(shown),
            filtered=filters.is_bound and filters.is_valid() and any(filters.cleaned_data.values()),
            can_manage=can_manage(request.user, partnership),
            is_officer=scope_for(request.user).is_officer_of(partnership.pk),
            qa_group=QaGroup.objects.filter(partnership=partnership)
            .select_related("group")
            .first(),
        ),
    )


@login_required
@require_http_methods(EDIT)
def audit_create(request, partnership):
    partnership = managed_partnership(request, partnership)
    earlier = _of_partnership(Audit, partnership, request.GET.get("follow_up_of"))
    initial = (
        {
            "follow_up_of": earlier.pk,
            "method": Audit.Method.DIP_TEST,
            "subject": f"Dip test: {earlier.subject}"[:200],
            "year": earlier.year,
        }
        if earlier
        else {}
    )
    form = AuditForm(request.POST or None, instance=Audit(partnership=partnership), initial=initial)
    title = "Schedule a dip test" if earlier else "Add an audit"
    return _save(
        request,
        form,
        title,
        partnership,
        crumbs(partnership),
        saved=lambda audit: f"{audit.subject} is added to the programme",
    )


@login_required
@require_http_methods(EDIT)
def audit_edit(request, pk):
    audit = get_audit(request, pk, manage=True)
    form = AuditForm(request.POST or None, instance=audit)
    if request.method == "POST" and form.is_valid():
        form.save_by(request.user)
        messages.success(request, f"{audit.subject} is saved")
        return redirect(audit.get_absolute_url())
    trail = audit_trail(audit)
    return _form(request, form, "Edit the audit", audit.partnership, trail)


def _audit_context(request, audit, **forms):
    recommendations = status.annotate(
        audit.recommendations.select_related("finding", "agency", "closed_by").order_by("number")
    )
    live = [r for r in recommendations if not r.is_withdrawn]
    actions = actions_of(live)
    evidence = defaultdict(list)
    action_pks = [a.pk for group in actions.values() for a in group]
    for item in Evidence.objects.filter(action__in=action_pks).select_related("recorded_by"):
        evidence[item.action_id].append(item)
    editable = set(
        Action.objects.editable_by(request.user)
        .filter(pk__in=action_pks)
        .values_list("pk", flat=True)
    )
    for recommendation in live:
        recommendation.action_rows = actions.get(recommendation.pk, [])
        for action in recommendation.action_rows:
            action.evidence_rows = evidence.get(action.pk, [])
            action.can_edit = action.pk in editable
            bound = forms.get("evidence_action") == action.pk
            action.evidence_form = (
                forms["evidence_form"] if bound else EvidenceForm(prefix=f"a{action.pk}")
            )
    changes = changes_of(audit.history.select_related("history_user"), lambda r: "Audit")
    changes += changes_of(
        Finding.history.filter(audit_id=audit.pk).select_related("history_user"),
        lambda r: f"Finding {r.number}",
    )
    changes += changes_of(
        AuditRecommendation.history.filter(audit_id=audit.pk).select_related("history_user"),
        lambda r: f"Recommendation {r.number}",
    )
    return {
        "audit": audit,
        "agencies": list(audit.agencies.order_by("name")),
        "findings": list(audit.findings.all()),
        "recommendations": live,
        "withdrawn": [r for r in recommendations if r.is_withdrawn],
        "ready": status.ready_for_sign_off(live),
        "follow_ups": list(audit.follow_ups.order_by("planned_on", "subject")),
        "impact": list(audit.impact_entries.all()),
        "changes": latest(changes),
        "can_manage": can_manage(request.user, audit.partnership),
        "evidence_action": forms.get("evidence_action"),
        "close_form": forms.get("close_form"),
        "close_for": forms.get("close_for"),
        "sign_off_form": forms.get("sign_off_form") or SignOffForm(),
        "reopen_form": forms.get("reopen_form") or ReasonForm(label="Why reopen it?"),
    }


def _render_audit(request, audit, status_code=200, **forms):
    context = _audit_context(request, audit, **forms)
    form = next((f for f in forms.values() if hasattr(f, "errors") and f.errors), None)
    return render(
        request,
        "quality/audit_detail.html",
        page(
            request,
            audit.subject,
            partnership=audit.partnership,
            form=form,
            breadcrumbs=crumbs(audit.partnership, ("", audit.subject[:60])),
            **context,
        ),
        status=status_code,
    )


@login_required
@require_safe
def audit_detail(request, pk):
    return _render_audit(request, get_audit(request, pk))


@login_required
@require_http_methods(EDIT)
def finding_add(request, pk):
    audit = get_audit(request, pk, manage=True)
    form = FindingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            number = (audit.findings.aggregate(last=Max("number"))["last"] or 0) + 1
            finding = Finding(audit=audit, number=number, **form.cleaned_data)
            finding._history_user = request.user
            finding.save()
        messages.success(request, f"Finding {number} is added")
        return redirect(f"{audit.get_absolute_url()}#findings")
    trail = audit_trail(audit)
    return _form(request, form, "Add a finding", audit.partnership, trail, caption=audit.subject)


def _change(request, obj, form, fields, *, name, to):
    """Save a valid change form's `fields` onto `obj`, recorded in its history as the user's
    change, and go to `to`; None when there is nothing valid to save. `name(obj)` names it in
    the message. A form sent back unchanged writes nothing (no empty history entry)."""
    if request.method != "POST" or not form.is_valid():
        return None
    changed = [field for field in fields if getattr(obj, field) != form.cleaned_data[field]]
    if not changed:
        messages.info(request, f"{name(obj)} is unchanged: there was nothing to save")
        return redirect(to)
    for field in changed:
        setattr(obj, field, form.cleaned_data[field])
    obj._history_user = request.user
    obj.save()
    messages.success(request, f"{name(obj)} is saved")
    return redirect(to)


@login_required
@require_http_methods(EDIT)
def finding_edit(request, pk):
    finding = _get(Finding.objects.select_related("audit__partnership"), request, pk, via="audit__")
    audit = finding.audit
    require_manager(request, audit.partnership)
    initial = {"text": finding.text, "grade": finding.grade}
    form = FindingForm(request.POST or None, initial=initial)
    done = _change(
        request,
        finding,
        form,
        ["text", "grade"],
        name=lambda found: f"Finding {found.number}",
        to=f"{audit.get_absolute_url()}#finding-{finding.number}",
    )
    trail = audit_trail(audit)
    title = f"Change finding F{finding.number}"
    return done or _form(request, form, title, audit.partnership, trail, caption=audit.subject)


@login_required
@require_http_methods(EDIT)
def recommendation_add(request, pk):
    audit = get_audit(request, pk, manage=True)
    form = RecommendationForm(request.POST or None, audit=audit)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            number = (audit.recommendations.aggregate(last=Max("number"))["last"] or 0) + 1
            recommendation = AuditRecommendation(audit=audit, number=number, **form.cleaned_data)
            recommendation._history_user = request.user
            recommendation.save()
        messages.success(request, f"Recommendation {number} is added: add its actions")
        return redirect(recommendation.manage_url)
    trail = audit_trail(audit)
    title = "Add a recommendation"
    return _form(request, form, title, audit.partnership, trail, caption=audit.subject)


@login_required
@require_http_methods(EDIT)
def recommendation_edit(request, pk):
    recommendation = get_recommendation(request, pk)
    audit = recommendation.audit
    initial = {
        "text": recommendation.text,
        "finding": recommendation.finding_id,
        "agency": recommendation.agency_id,
    }
    form = RecommendationForm(request.POST or None, initial=initial, audit=audit)
    done = _change(
        request,
        recommendation,
        form,
        ["text", "finding", "agency"],
        name=lambda found: f"Recommendation {found.number}",
        to=f"{audit.get_absolute_url()}#recommendation-{recommendation.number}",
    )
    trail = audit_trail(audit)
    title = f"Change recommendation {recommendation.number}"
    return done or _form(request, form, title, audit.partnership, trail, caption=audit.subject)


@login_required
@require_POST
def recommendation_close(request, pk):
    recommendation = get_recommendation(request, pk)
    form = ReasonForm(
        request.POST,
        label="How was the intent met differently?",
        required_message="Enter how the intent was met differently",
    )
    if form.is_valid():
        try:
            recommendation.close(form.cleaned_data["reason"], by=request.user)
        except ValidationError as refused:
            form.add_error(None, refused)
    if form.errors:
        return _render_audit(
            request, recommendation.audit, 400, close_form=form, close_for=recommendation.pk
        )
    messages.success(request, f"Recommendation {recommendation.number} is closed")
    return redirect(recommendation.manage_url)


@login_required
@require_POST
def recommendation_reopen(request, pk):
    recommendation = get_recommendation(request, pk)
    try:
        if recommendation.reopen(by=request.user):
            messages.success(request, f"Recommendation {recommendation.number} is reopened")
    except ValidationError as refused:
        messages.error(request, refused.messages[0])
    return redirect(recommendation.manage_url)


@login_required
@require_POST
def audit_sign_off(request, pk):
    audit = get_audit(request, pk, manage=True)
    form = SignOffForm(request.POST)
    live = status.annotate(audit.live_recommendations())
    if form.is_valid() and not status.ready_for_sign_off(live):
        form.add_error(
            None,
            "Every recommendation must be complete or closed before they are signed off",
        )
    if form.is_valid():
        try:
            audit.sign_off(by=request.user, note=form.cleaned_data["note"])
        except ValidationError as refused:
            form.add_error(None, refused)
    if form.errors:
        return _render_audit(request, audit, 400, sign_off_form=form)
    messages.success(request, "The audit's recommendations are signed off")
    return redirect(audit.get_absolute_url())


@login_required
@require_POST
def audit_reopen(request, pk):
    audit = get_audit(request, pk, manage=True)
    form = ReasonForm(
        request.POST, label="Why reopen it?", required_message="Enter why it is reopened"
    )
    if not form.is_valid():
        return _render_audit(request, audit, 400, reopen_form=form)
    if audit.reopen(by=request.user, reason=form.cleaned_data["reason"]):
        messages.success(request, "The sign-off is reopened")
    return redirect(audit.get_absolute_url())


def _managed_parent(request, parent_pk):
    """An audit recommendation or self-assessment the user manages (404 / 403)."""
    parent = _get(
        ActionParent.objects.select_related("partnership").filter(
            kind__in=[ActionParent.Kind.AUDIT_RECOMMENDATION, ActionParent.Kind.SELF_ASSESSMENT],
            archived_at=None,
        ),
        request,
        parent_pk,
    )
    require_manager(request, parent.partnership)
    return parent


@login_required
@require_http_methods(EDIT)
def action_add(request, parent_pk):
    parent = _managed_parent(request, parent_pk)
    child = parent.child
    form = ActionForm(
        request.POST or None,
        instance=Action(parent=parent, position=parent.next_action_position()),
        partnership=parent.partnership,
    )
    if request.method == "POST" and form.is_valid():
        action = form.save_edit(by=request.user)
        messages.success(request, f"Action {action.display_ref} is added")
        return redirect(child.manage_url)
    return _form(
        request,
        form,
        "Add an action",
        parent.partnership,
        [(child.manage_url, child.section_label[:80])],
        caption=child.section_label,
        button="Add the action",
        cancel_url=child.manage_url,
    )


@login_required
@require_POST
def evidence_add(request, action_pk):
    action = get_action_for_user(request, action_pk)
    if action.parent.kind != ActionParent.Kind.AUDIT_RECOMMENDATION:
        raise Http404("Evidence here is for audit actions")
    if not can_edit_action(request.user, action):
        raise PermissionDenied("You can read this action but not record evidence for it.")
    audit = get_audit(request, action.parent.auditrecommendation.audit_id)
    form = EvidenceForm(request.POST, prefix=f"a{action.pk}")
    if not form.is_valid():
        return _render_audit(request, audit, 400, evidence_form=form, evidence_action=action.pk)
    evidence = form.save(commit=False)
    evidence.action = action
    evidence.recorded_by = request.user
    evidence._history_user = request.user
    evidence.save()
    messages.success(request, f"Evidence recorded for action {action.display_ref}")
    return redirect(f"{audit.get_absolute_url()}#action-{action.pk}")


@login_required
@require_http_methods(EDIT)
def qa_group_edit(request, partnership):
    partnership = get_officer_partnership(request, partnership)
    current = QaGroup.objects.filter(partnership=partnership).first()
    form = QaGroupForm(
        request.POST or None,
        partnership=partnership,
        initial={"group": current.group_id if current else None},
    )
    if request.method == "POST" and form.is_valid():
        qa = current or QaGroup(partnership=partnership)
        qa.group = form.cleaned_data["group"]
        qa._history_user = request.user
        qa.save()
        messages.success(request, f"{qa.group.name} is the QA group")
        return redirect(programme_url(partnership))
    return _form(request, form, "The QA group", partnership, crumbs(partnership))


# -- The impact log ---------------------------------------------------------------------------


@login_required
@require_safe
def impact_log(request, partnership):
    partnership = get_partnership_for_user(request, partnership)
    entries = ImpactEntry.objects.filter(partnership=partnership).select_related("audit")
    return render(
        request,
        "quality/impact_log.html",
        page(
            request,
            "Impact log",
            partnership=partnership,
            entries=list(entries),
            can_manage=can_manage(request.user, partnership),
            breadcrumbs=crumbs(partnership, ("", "Impact log")),
        ),
    )


def _save_impact(request, form, title, partnership):
    log = reverse("quality:impact_log", args=[partnership.short_name])
    if request.method == "POST" and form.is_valid():
        form.save_by(request.user)
        messages.success(request, "The impact log is saved")
        return redirect(log)
    trail = crumbs(partnership, (log, "Impact log"))
    return _form(request, form, title, partnership, trail, cancel_url=log)


@login_required
@require_http_methods(EDIT)
def impact_create(request, partnership):
    partnership = managed_partnership(request, partnership)
    audit = _of_partnership(Audit, partnership, request.GET.get("audit"))
    initial = {"audit": audit.pk} if audit else {}
    form = ImpactForm(
        request.POST or None, instance=ImpactEntry(partnership=partnership), initial=initial
    )
    return _save_impact(request, form, "Add to the impact log", partnership)


@login_required
@require_http_methods(EDIT)
def impact_edit(request, pk):
    entry = _get(ImpactEntry.objects.select_related("partnership"), request, pk)
    require_manager(request, entry.partnership)
    form = ImpactForm(request.POST or None, instance=entry)
    return _save_impact(request, form, "Edit the impact log entry", entry.partnership)


# -- Section 11 -------------------------------------------------------------------------------


@login_required
@require_safe
def cycle_list(request, partnership):
    partnership = get_partnership_for_user(request, partnership)
    cycles = list(Section11Cycle.objects.filter(partnership=partnership))
    summaries = summarise_cycles(cycles)
    for cycle in cycles:
        cycle.totals = summaries[cycle.pk]["totals"]
        cycle.agency_count = len(summaries[cycle.pk]["rows"])
    return render(
        request,
        "quality/cycle_list.html",
        page(
            request,
            "Section 11 self-assessments",
            partnership=partnership,
            cycles=cycles,
            can_manage=can_manage(request.user, partnership),
            breadcrumbs=[("", "Section 11")],
        ),
    )


def summarise_cycles(cycles):
    """{cycle pk: {"rows": [assessment with .figures_], "totals": {...}}} in two queries."""
    assessments = SelfAssessment.objects.filter(
        cycle__in=[c.pk for c in cycles], archived_at=None
    ).select_related("agency")
    ratings = defaultdict(list)
    for assessment_id, rating in LineOfEnquiry.objects.filter(
        assessment__in=assessments
    ).values_list("assessment_id", "rating"):
        ratings[assessment_id].append(rating)
    found = {c.pk: {"rows": [], "totals": dict.fromkeys(FIGURES, 0)} for c in cycles}
    for assessment in assessments.order_by("agency__name"):
        assessment.numbers = assessment.figures(ratings[assessment.pk])
        entry = found[assessment.cycle_id]
        entry["rows"].append(assessment)
        if assessment.submitted_on and assessment.numbers["reported"]:
            for key in FIGURES:
                entry["totals"][key] += assessment.numbers[key]
    for entry in found.values():
        rows = [a for a in entry["rows"] if a.submitted_on]
        entry["totals"]["submitted"] = len(rows)
        entry["totals"]["uncounted"] = sum(1 for a in rows if not a.numbers["reported"])
    return found


FIGURES = ("compliant", "partial", "not_compliant", "total")


@login_required
@require_http_methods(EDIT)
def cycle_create(request, partnership):
    partnership = managed_partnership(request, partnership)
    form = CycleForm(request.POST or None, instance=Section11Cycle(partnership=partnership))
    return _save(
        request,
        form,
        "Start a Section 11 cycle",
        partnership,
        s11_crumbs(partnership),
        saved=lambda cycle: f"{cycle.name} is created: add each agency's self-assessment",
    )


@login_required
@require_safe
def cycle_detail(request, pk):
    cycle = get_cycle(request, pk)
    summary = summarise_cycles([cycle])[cycle.pk]
    lines = LineOfEnquiry.objects.filter(
        assessment__cycle=cycle, assessment__archived_at=None
    ).exclude(rating=Compliance.COMPLIANT)
    actions = actions_of(summary["rows"])
    return render(
        request,
        "quality/cycle_detail.html",
        page(
            request,
            cycle.name,
            partnership=cycle.partnership,
            cycle=cycle,
            rows=summary["rows"],
            totals=summary["totals"],
            gaps=list(lines.select_related("assessment__agency").order_by("assessment", "number")),
            action_count=sum(len(found) for found in actions.values()),
            open_count=sum(
                1 for found in actions.values() for a in found if a.latest_rating != Rating.COMPLETE
            ),
            can_manage=can_manage(request.user, cycle.partnership),
            breadcrumbs=s11_crumbs(cycle.partnership, ("", cycle.name)),
        ),
    )


@login_required
@require_http_methods(EDIT)
def assessment_add(request, pk):
    cycle = get_cycle(request, pk, manage=True)
    form = AssessmentForm(request.POST or None, instance=SelfAssessment(cycle=cycle))
    trail = s11_crumbs(cycle.partnership, (cycle.get_absolute_url(), cycle.name))
    return _save(
        request,
        form,
        "Add a self-assessment",
        cycle.partnership,
        trail,
        saved=lambda assessment: f"{assessment.agency.name}'s self-assessment is added",
    )


@login_required
@require_http_methods(EDIT)
def assessment_edit(request, pk):
    assessment = get_assessment(request, pk, manage=True)
    form = AssessmentForm(request.POST or None, instance=assessment)
    if request.method == "POST" and form.is_valid():
        form.save_by(request.user)
        messages.success(request, f"{assessment.agency.name}'s self-assessment is saved")
        return redirect(assessment.get_absolute_url())
    trail = assessment_trail(assessment)
    partnership = assessment.cycle.partnership
    return _form(request, form, "Edit the self-assessment", partnership, trail)


@login_required
@require_safe
def assessment_detail(request, pk):
    assessment = get_assessment(request, pk)
    cycle = assessment.cycle
    lines = list(assessment.lines.all())
    changes = changes_of(
        assessment.history.select_related("history_user"), lambda r: "Self-assessment"
    )
    changes += changes_of(
        LineOfEnquiry.history.filter(assessment_id=assessment.pk).select_related("history_user"),
        lambda r: f"Line {r.number}",
    )
    return render(
        request,
        "quality/assessment_detail.html",
        page(
            request,
            f"{assessment.agency.name}: Section 11 self-assessment",
            partnership=cycle.partnership,
            assessment=assessment,
            cycle=cycle,
            numbers=assessment.figures([line.rating for line in lines]),
            lines=lines,
            actions=actions_of([assessment]).get(assessment.pk, []),
            changes=latest(changes),
            can_manage=can_manage(request.user, cycle.partnership),
            breadcrumbs=s11_crumbs(
                cycle.partnership,
                (cycle.get_absolute_url(), cycle.name),
                ("", assessment.agency.name),
            ),
        ),
    )


@login_required
@require_http_methods(EDIT)
def line_add(request, pk):
    assessment = get_assessment(request, pk, manage=True)
    form = LineForm(request.POST or None, assessment=assessment)
    if request.method == "POST" and form.is_valid():
        line = LineOfEnquiry(assessment=assessment, **form.cleaned_data)
        line._history_user = request.user
        line.save()
        messages.success(request, f"Line {line.number} is recorded")
        return redirect(f"{assessment.get_absolute_url()}#lines")
    trail = assessment_trail(assessment)
    title = "Record a line of enquiry"
    partnership = assessment.cycle.partnership
    return _form(request, form, title, partnership, trail, caption=assessment.agency.name)


@login_required
@require_http_methods(EDIT)
def line_edit(request, pk):
    queryset = LineOfEnquiry.objects.select_related(
        "assessment__partnership", "assessment__cycle__partnership", "assessment__agency"
    )
    line = _get(queryset, request, pk, via="assessment__")
    assessment = line.assessment
    require_manager(request, assessment.partnership)
    fields = ["number", "text", "rating", "comment"]
    initial = {name: getattr(line, name) for name in fields}
    form = LineForm(request.POST or None, initial=initial, assessment=assessment, line=line)
    done = _change(
        request,
        line,
        form,
        fields,
        name=lambda found: f"Line {found.number}",
        to=f"{assessment.get_absolute_url()}#lines",
    )
    trail = assessment_trail(assessment)
    title = f"Change line of enquiry {line.number}"
    partnership = assessment.cycle.partnership
    return done or _form(request, form, title, partnership, trail, caption=assessment.agency.name)
