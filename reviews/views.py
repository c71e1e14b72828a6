"""Case reviews: the register, recommendations with their evidence, panel sign-off, learning
themes, assurance (ILOR) exercises, the action-plan PDF and importing plan spreadsheets.

Access (plans/access.py): anyone with a role in a review's partnership reads it (404 for
others); board officers and administrators import, sign off, close recommendations and edit
assurance exercises; the chair of the partnership's review panel (a group of kind "panel")
also signs off and closes; whoever may update an action (its agency's lead, its group's
chair, an officer) records evidence against it.
"""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from plans.access import (
    can_edit_action,
    get_action_for_user,
    get_partnership_for_user,
    require_officer,
    scope_for,
)
from plans.importing import HEADER_KINDS, ImportFailed, max_bytes
from plans.models import Action, ActionParent, Agency, Group, Partnership, Role, Theme
from plans.pages import page
from plans.pdf import pdf_response
from safeguarding import audit
from safeguarding.uploads import accepts_uploads

from . import status as rec_status
from .assurance import counts as grade_counts
from .assurance import grid
from .forms import (
    EvidenceForm,
    ExerciseForm,
    ImportForm,
    RatingForm,
    ReasonForm,
    ReviewForm,
    SignOffForm,
)
from .importing import ImportOptions, apply_parsed, parse_file
from .models import (
    AssuranceExercise,
    AssuranceRating,
    CaseReview,
    Evidence,
    LearningArea,
    PendingImport,
    Recommendation,
    SignOff,
)

NAV = "reviews:review_list"
PENDING_LIFETIME = timedelta(days=1)
PROBLEMS_SHOWN = 200


# -- Access --------------------------------------------------------------------------------


def get_review_for_user(request, pk):
    try:
        return CaseReview.objects.visible_to(request.user).select_related("partnership").get(pk=pk)
    except CaseReview.DoesNotExist as exc:
        raise Http404("No such review") from exc


def get_recommendation_for_user(request, pk):
    try:
        return Recommendation.objects.visible_to(request.user).for_page().get(pk=pk)
    except Recommendation.DoesNotExist as exc:
        raise Http404("No such recommendation") from exc


def is_panel_chair(user, partnership):
    """Chair of a review panel (a group of kind "panel") serving the partnership."""
    return Role.objects.filter(
        user=user,
        kind=Role.Kind.CHAIR,
        group__kind=Group.Kind.PANEL,
        group__partnerships=partnership,
    ).exists()


def sign_off_capacity(user, partnership):
    """In what capacity `user` may sign off the partnership's action plans, or None."""
    scope = scope_for(user)
    if scope.is_superuser or partnership.pk in scope.admin_partnerships:
        return SignOff.Capacity.ADMINISTRATOR
    if partnership.pk in scope.officer_partnerships:
        return SignOff.Capacity.BOARD_OFFICER
    if is_panel_chair(user, partnership):
        return SignOff.Capacity.PANEL_CHAIR
    return None


def require_sign_off(request, partnership):
    capacity = sign_off_capacity(request.user, partnership)
    if capacity is None:
        raise PermissionDenied("Only the review panel's chair or a board officer can do this.")
    return capacity


def is_officer(user, partnership):
    return scope_for(user).is_officer_of(partnership.pk)


def crumbs(*pairs):
    return [(reverse(NAV), "Case reviews"), *pairs]


# -- Register ------------------------------------------------------------------------------


def review_progress(reviews):
    """Each review's recommendations tallied by derived status, in two queries."""
    reviews = list(reviews)
    recommendations = list(
        Recommendation.objects.filter(review__in=reviews).only("pk", "review_id", "closed_reason")
    )
    rec_status.annotate(
        recommendations,
        rec_status.latest_ratings({"parent__recommendation__review__in": reviews}),
    )
    by_review = {}
    for recommendation in recommendations:
        by_review.setdefault(recommendation.review_id, []).append(recommendation)
    for review in reviews:
        own = by_review.get(review.pk, [])
        review.recommendation_count = len(own)
        review.done_count = sum(1 for r in own if r.status in rec_status.DONE)
        review.tally = rec_status.tally(own)
    return reviews


@login_required
@require_safe
def review_list(request):
    reviews = (
        CaseReview.objects.visible_to(request.user)
        .select_related("partnership")
        .prefetch_related("themes")
        .order_by("partnership__short_name", "-published_on", "code")
    )
    scope = scope_for(request.user)
    partnerships = Partnership.objects.filter(pk__in=scope.readable_partnerships)
    filters = {
        "partnership": request.GET.get("partnership", ""),
        "kind": request.GET.get("kind", ""),
        "status": request.GET.get("status", ""),
        "theme": request.GET.get("theme", ""),
    }
    if filters["partnership"]:
        reviews = reviews.filter(partnership__short_name=filters["partnership"])
    if filters["kind"] in CaseReview.Kind.values:
        reviews = reviews.filter(kind=filters["kind"])
    if filters["status"] in CaseReview.Status.values:
        reviews = reviews.filter(status=filters["status"])
    if filters["theme"]:
        reviews = reviews.filter(themes__slug=filters["theme"])
    officer_of = [p for p in partnerships if scope.is_officer_of(p.pk)]
    return render(
        request,
        "reviews/review_list.html",
        page(
            request,
            "Case reviews",
            nav=NAV,
            reviews=review_progress(reviews.distinct()),
            filters=filters,
            partnerships=partnerships,
            kinds=CaseReview.Kind.choices,
            statuses=CaseReview.Status.choices,
            themes=Theme.objects.filter(reviews__partnership__in=partnerships).distinct(),
            import_partnerships=officer_of,
        ),
    )


def _review_context(request, review):
    recommendations = rec_status.annotate(
        Recommendation.objects.filter(review=review).for_page().order_by("number")
    )
    sections = []
    for recommendation in recommendations:
        label = recommendation.section_label
        if not sections or sections[-1]["label"] != label:
            sections.append({"label": label, "recommendations": []})
            previous_outcome = None
        # As printed plans do: an outcome shared by several recommendations is written once.
        recommendation.show_outcome = recommendation.outcome != previous_outcome
        previous_outcome = recommendation.outcome
        sections[-1]["recommendations"].append(recommendation)
    sign_offs = list(
        review.sign_offs.select_related("signed_off_by", "reopened_by").order_by("-signed_off_at")
    )
    in_force = next((s for s in sign_offs if s.in_force), None)
    return {
        "review": review,
        "sections": sections,
        "recommendations": recommendations,
        "tally": rec_status.tally(recommendations),
        "ready": rec_status.ready_for_sign_off(recommendations),
        "sign_offs": sign_offs,
        "in_force": in_force,
        "capacity": sign_off_capacity(request.user, review.partnership),
        "is_officer": is_officer(request.user, review.partnership),
        "workstreams": review.workstreams.filter(archived_at=None).order_by("number"),
        "themes": review.themes.all(),
    }


@login_required
@require_safe
def review_detail(request, pk):
    review = get_review_for_user(request, pk)
    context = _review_context(request, review)
    context.setdefault("sign_off_form", SignOffForm())
    context.setdefault(
        "reopen_form",
        ReasonForm(label="Why is the action plan reopened?", required_message="Enter why"),
    )
    return render(
        request,
        "reviews/review_detail.html",
        page(
            request,
            f"{review.code}: {review.title}" if review.title else review.code,
            partnership=review.partnership,
            nav=NAV,
            breadcrumbs=crumbs(("", review.code)),
            **context,
        ),
    )


@login_required
def review_edit(request, pk):
    review = get_review_for_user(request, pk)
    require_officer(request, review.partnership)
    form = ReviewForm(request.POST or None, instance=review)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"{review.code} saved")
        return redirect("reviews:review_detail", pk=review.pk)
    title = f"Edit {review.code}"
    return render(
        request,
        "reviews/review_form.html",
        page(
            request,
            title,
            partnership=review.partnership,
            nav=NAV,
            form=form,
            review=review,
            breadcrumbs=crumbs(
                (reverse("reviews:review_detail", args=[review.pk]), review.code), ("", "Edit")
            ),
        ),
    )


@login_required
@require_POST
def review_sign_off(request, pk):
    review = get_review_for_user(request, pk)
    capacity = require_sign_off(request, review.partnership)
    context = _review_context(request, review)
    form = SignOffForm(request.POST)
    problem = None
    if context["in_force"] is not None:
        problem = "This action plan is already signed off"
    elif not context["ready"]:
        problem = (
            "The action plan cannot be signed off until every action is complete or its "
            "recommendation is closed with a reason"
        )
    if problem or not form.is_valid():
        if problem:
            form.add_error(None, problem)
        return review_with_errors(
            request,
            review,
            context,
            sign_off_form=form,
            reopen_form=ReasonForm(label="Why is the action plan reopened?"),
        )
    with transaction.atomic():
        SignOff.objects.create(
            review=review,
            signed_off_by=request.user,
            capacity=capacity,
            note=form.cleaned_data["note"],
            previous_status=review.status,
        )
        review.status = CaseReview.Status.SIGNED_OFF
        review.save(update_fields=["status", "updated_at"])
    messages.success(request, f"{review.code} action plan signed off")
    return redirect("reviews:review_detail", pk=review.pk)


def review_with_errors(request, review, context, *, sign_off_form, reopen_form):
    """The review page again, with the sign-off or reopening form showing its errors."""
    return render(
        request,
        "reviews/review_detail.html",
        page(
            request,
            f"Error: {review.code}",
            partnership=review.partnership,
            nav=NAV,
            breadcrumbs=crumbs(("", review.code)),
            sign_off_form=sign_off_form,
            reopen_form=reopen_form,
            **context,
        ),
        status=400,
    )


@login_required
@require_POST
def review_reopen(request, pk):
    review = get_review_for_user(request, pk)
    require_sign_off(request, review.partnership)
    sign_off = review.sign_offs.filter(reopened_at__isnull=True).first()
    if sign_off is None:
        messages.info(request, f"{review.code} is not signed off")
        return redirect("reviews:review_detail", pk=review.pk)
    form = ReasonForm(
        request.POST, label="Why is the action plan reopened?", required_message="Enter why"
    )
    if not form.is_valid():
        return review_with_errors(
            request,
            review,
            _review_context(request, review),
            sign_off_form=SignOffForm(),
            reopen_form=form,
        )
    with transaction.atomic():
        sign_off.reopened_by = request.user
        sign_off.reopened_at = timezone.now()
        sign_off.reopen_reason = form.cleaned_data["reason"]
        sign_off.save(update_fields=["reopened_by", "reopened_at", "reopen_reason", "updated_at"])
        review.status = sign_off.previous_status
        review.save(update_fields=["status", "updated_at"])
    messages.success(request, f"{review.code} action plan reopened")
    return redirect("reviews:review_detail", pk=review.pk)


@login_required
@require_safe
def review_pdf(request, pk):
    from .pdf import review_plan_pdf

    review = get_review_for_user(request, pk)
    context = _review_context(request, review)
    actions = (
        Action.objects.filter(parent__recommendation__review=review)
        .with_latest_update()
        .order_by("parent__position", "position")
    )
    by_parent = {}
    for action in actions:
        by_parent.setdefault(action.parent_id, []).append(action)
    for recommendation in context["recommendations"]:
        recommendation.plan_actions = by_parent.get(recommendation.pk, [])
    audit.record(
        "review_pdf_download",
        request,
        partnership=review.partnership.short_name,
        review=review.code,
    )
    filename = f"{review.partnership.short_name}-{review.code}-action-plan.pdf"
    return pdf_response(review_plan_pdf(review, context), filename, attachment=False)


# -- Recommendations and evidence -----------------------------------------------------------


def _recommendation_context(request, recommendation, evidence_form=None):
    actions = list(
        Action.objects.filter(parent=recommendation)
        .with_latest_update()
        .prefetch_related(
            Prefetch(
                "evidence",
                queryset=Evidence.objects.select_related("recorded_by").order_by(
                    "-seen_on", "-created_at"
                ),
            )
        )
        .order_by("position")
    )
    rec_status.annotate([recommendation], {recommendation.pk: [a.latest_rating for a in actions]})
    for action in actions:
        action.can_edit = can_edit_action(request.user, action)
        if evidence_form is not None and evidence_form.prefix == f"a{action.pk}":
            action.evidence_form = evidence_form
        elif action.can_edit:
            action.evidence_form = EvidenceForm(prefix=f"a{action.pk}")
    capacity = sign_off_capacity(request.user, recommendation.partnership)
    return {
        "recommendation": recommendation,
        "review": recommendation.review,
        "actions": actions,
        "can_close": capacity is not None,
    }


def _render_recommendation(request, recommendation, status=200, **forms):
    context = _recommendation_context(request, recommendation, forms.get("evidence_form"))
    review = recommendation.review
    has_errors = any(form.errors for form in forms.values())
    title = f"{review.code} {recommendation.display_number}"
    return render(
        request,
        "reviews/recommendation_detail.html",
        page(
            request,
            f"Error: {title}" if has_errors else title,
            partnership=review.partnership,
            nav=NAV,
            breadcrumbs=crumbs(
                (reverse("reviews:review_detail", args=[review.pk]), review.code),
                ("", recommendation.display_number),
            ),
            evidence_form=forms.get("evidence_form") or EvidenceForm(),
            evidence_action=forms.get("evidence_action"),
            close_form=forms.get("close_form")
            or ReasonForm(label="How was the intent met differently?"),
            **context,
        ),
        status=status,
    )


@login_required
@require_safe
def recommendation_detail(request, pk):
    return _render_recommendation(request, get_recommendation_for_user(request, pk))


@login_required
@require_POST
def evidence_add(request, action_pk):
    action = get_action_for_user(request, action_pk)
    if action.parent.kind != ActionParent.Kind.RECOMMENDATION:
        raise Http404("Evidence is recorded against review actions")
    if not can_edit_action(request.user, action):
        raise PermissionDenied("You can read this action but not record evidence for it.")
    recommendation = get_recommendation_for_user(request, action.parent_id)
    form = EvidenceForm(request.POST, prefix=f"a{action.pk}")
    if not form.is_valid():
        return _render_recommendation(
            request, recommendation, status=400, evidence_form=form, evidence_action=action.pk
        )
    evidence = form.save(commit=False)
    evidence.action = action
    evidence.recorded_by = request.user
    evidence.save()
    messages.success(request, f"Evidence recorded for action {action.display_ref}")
    return redirect(
        f"{reverse('reviews:recommendation_detail', args=[recommendation.pk])}#action-{action.pk}"
    )


@login_required
@require_POST
def recommendation_close(request, pk):
    recommendation = get_recommendation_for_user(request, pk)
    require_sign_off(request, recommendation.partnership)
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
        return _render_recommendation(request, recommendation, status=400, close_form=form)
    messages.success(request, f"{recommendation.display_number} closed: intent met differently")
    return redirect("reviews:recommendation_detail", pk=recommendation.pk)


@login_required
@require_POST
def recommendation_reopen(request, pk):
    recommendation = get_recommendation_for_user(request, pk)
    require_sign_off(request, recommendation.partnership)
    if recommendation.review.status == CaseReview.Status.SIGNED_OFF:
        messages.info(request, "Reopen the signed-off action plan first")
    elif recommendation.is_closed:
        recommendation.closed_reason = ""
        recommendation.closed_on = None
        recommendation.closed_by = None
        recommendation.save()
        messages.success(request, f"{recommendation.display_number} reopened")
    return redirect("reviews:recommendation_detail", pk=recommendation.pk)


# -- Themes --------------------------------------------------------------------------------


@login_required
@require_safe
def theme_list(request):
    readable = scope_for(request.user).readable_partnerships
    themes = Theme.objects.annotate(
        review_count=Count(
            "reviews",
            filter=Q(reviews__partnership__in=readable, reviews__archived_at=None),
            distinct=True,
        ),
        workstream_count=Count(
            "workstreams",
            filter=Q(workstreams__partnership__in=readable, workstreams__archived_at=None),
            distinct=True,
        ),
    )
    return render(
        request,
        "reviews/theme_list.html",
        page(
            request, "Learning themes", nav=NAV, themes=themes, breadcrumbs=crumbs(("", "Themes"))
        ),
    )


@login_required
@require_safe
def theme_detail(request, slug):
    """Follow a theme from the reviews that raised it to the workstreams and actions answering
    it."""
    theme = get_object_or_404(Theme, slug=slug)
    readable = scope_for(request.user).readable_partnerships
    # Archived reviews and workstreams are hidden everywhere else, so not here either.
    reviews = review_progress(
        theme.reviews.filter(partnership__in=readable, archived_at=None)
        .select_related("partnership")
        .order_by("code")
    )
    workstreams = list(
        theme.workstreams.filter(partnership__in=readable, archived_at=None)
        .select_related("partnership")
        .order_by("partnership__short_name", "number")
    )
    actions = (
        Action.objects.filter(parent__in=[w.pk for w in workstreams])
        .with_latest_update()
        .order_by("parent__position", "position")
    )
    by_parent = {}
    for action in actions:
        by_parent.setdefault(action.parent_id, []).append(action)
    for workstream in workstreams:
        workstream.theme_actions = by_parent.get(workstream.pk, [])
    return render(
        request,
        "reviews/theme_detail.html",
        page(
            request,
            f"Theme: {theme.name}",
            nav=NAV,
            theme=theme,
            reviews=reviews,
            workstreams=workstreams,
            breadcrumbs=crumbs((reverse("reviews:theme_list"), "Themes"), ("", theme.name)),
        ),
    )


# -- Import --------------------------------------------------------------------------------


def _pending_for_user(request, pk):
    """A pending upload: only its partnership's officers see it (404 otherwise)."""
    readable = scope_for(request.user).readable_partnerships
    pending = PendingImport.objects.filter(pk=pk, partnership__in=readable).first()
    if pending is None or not is_officer(request.user, pending.partnership):
        raise Http404("No such upload")
    if pending.created_at < timezone.now() - PENDING_LIFETIME:
        # Expired ones are deleted by the next upload (a 404 here rolls the request back).
        raise Http404("This upload has expired: upload the file again")
    return pending


def _options(pending_or_data, partnership, user, dry_run):
    data = pending_or_data
    return ImportOptions(
        partnership=partnership,
        user=user,
        review_code=data.get("review_code", ""),
        review_title=data.get("review_title", ""),
        review_kind=data.get("review_kind") or CaseReview.Kind.SCR,
        plan_name=data.get("plan_name", ""),
        create_agencies=bool(data.get("create_agencies")),
        dry_run=dry_run,
    )


def column_list(header):
    """ "Outcome, ..., Audit of implementation; optional: Progress, Provenance", from the
    importer's own definition so the page never drifts from what it accepts."""
    required = [h for name, h in header.columns if name not in header.optional]
    optional = [h for name, h in header.columns if name in header.optional]
    return ", ".join(required) + (f"; optional: {', '.join(optional)}" if optional else "")


def may_import(request, short_name):
    """Whether the upload may be stored at all (safeguarding/uploads.py): only the
    partnership's officers import, so nobody else's file is kept even briefly."""
    partnership = Partnership.objects.filter(short_name=short_name).first()
    return partnership is not None and is_officer(request.user, partnership)


@accepts_uploads(may_import)
@login_required
def import_upload(request, short_name):
    partnership = get_partnership_for_user(request, short_name)
    require_officer(request, partnership)
    initial = {"review_code": request.GET.get("review", "")}
    form = ImportForm(request.POST or None, request.FILES or None, initial=initial)
    problems = []
    if getattr(request, "upload_too_large", False):
        # safeguarding/uploads.py dropped the file while it arrived; say why it is missing.
        form.is_valid()
        form.errors.pop("file", None)
        form.add_error(
            "file", f"The selected file must be smaller than {max_bytes() / (1024 * 1024):g} MB"
        )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        options = {
            name: form.cleaned_data[name]
            for name in ("review_code", "review_title", "review_kind", "plan_name")
        }
        options["create_agencies"] = form.cleaned_data["create_agencies"]
        try:
            parsed = parse_file(
                upload.read(), upload.name, check_agencies=not options["create_agencies"]
            )
            summary = apply_parsed(parsed, _options(options, partnership, request.user, True))
        except ImportFailed as failed:
            problems = failed.problems
        else:
            PendingImport.objects.filter(created_at__lt=timezone.now() - PENDING_LIFETIME).delete()
            pending = PendingImport.objects.create(
                partnership=partnership,
                uploaded_by=request.user,
                filename=parsed["filename"][:255],
                kind=parsed["kind"],
                options=options,
                payload=parsed,
                summary=summary.as_dict(),
            )
            return redirect("reviews:import_preview", pk=pending.pk)
    title = "Import an action plan"
    return render(
        request,
        "reviews/import_upload.html",
        page(
            request,
            f"Error: {title}" if (form.errors or problems) else title,
            partnership=partnership,
            nav=NAV,
            form=form,
            problems=problems[:PROBLEMS_SHOWN],
            problem_count=len(problems),
            columns={kind: column_list(header) for kind, header in HEADER_KINDS.items()},
            breadcrumbs=crumbs(("", "Import")),
        ),
        status=400 if problems else 200,
    )


@login_required
@require_safe
def import_preview(request, pk):
    pending = _pending_for_user(request, pk)
    payload = pending.payload
    items = payload.get("recommendations") or payload.get("objectives") or []
    return render(
        request,
        "reviews/import_preview.html",
        page(
            request,
            f"Check the import of {pending.filename}",
            partnership=pending.partnership,
            nav=NAV,
            pending=pending,
            summary=pending.summary,
            items=items[:500],
            item_count=len(items),
            breadcrumbs=crumbs(
                (reverse("reviews:import_upload", args=[pending.partnership.short_name]), "Import"),
                ("", "Check"),
            ),
        ),
    )


@login_required
@require_POST
def import_confirm(request, pk):
    pending = _pending_for_user(request, pk)
    options = _options(pending.options, pending.partnership, request.user, False)
    try:
        summary = apply_parsed(pending.payload, options)
    except ImportFailed as failed:
        for problem in failed.problems[:20]:
            messages.error(request, str(problem))
        return redirect("reviews:import_preview", pk=pending.pk)
    pending.delete()
    lines = "; ".join(summary.lines()) or "nothing changed"
    messages.success(request, f"{pending.filename} imported: {lines}")
    if summary.kind == "review":
        review = CaseReview.objects.get(
            partnership=options.partnership, code__iexact=summary.target
        )
        return redirect("reviews:review_detail", pk=review.pk)
    return redirect("reviews:review_list")


@login_required
@require_POST
def import_cancel(request, pk):
    pending = _pending_for_user(request, pk)
    short_name = pending.partnership.short_name
    pending.delete()
    messages.info(request, "Import cancelled: nothing was changed")
    return redirect("reviews:import_upload", short_name=short_name)


# -- Assurance (ILOR) ----------------------------------------------------------------------


def get_exercise_for_user(request, pk):
    readable = scope_for(request.user).readable_partnerships
    try:
        return AssuranceExercise.objects.select_related("partnership").get(
            pk=pk, partnership__in=readable
        )
    except AssuranceExercise.DoesNotExist as exc:
        raise Http404("No such exercise") from exc


@login_required
@require_safe
def assurance_list(request):
    scope = scope_for(request.user)
    exercises = (
        AssuranceExercise.objects.filter(partnership__in=scope.readable_partnerships)
        .select_related("partnership")
        .annotate(area_count=Count("areas", distinct=True))
    )
    partnerships = Partnership.objects.filter(pk__in=scope.readable_partnerships)
    return render(
        request,
        "reviews/assurance_list.html",
        page(
            request,
            "Assurance exercises",
            nav=NAV,
            exercises=exercises,
            create_partnerships=[p for p in partnerships if scope.is_officer_of(p.pk)],
            breadcrumbs=crumbs(("", "Assurance")),
        ),
    )


@login_required
def assurance_create(request, short_name):
    partnership = get_partnership_for_user(request, short_name)
    require_officer(request, partnership)
    form = ExerciseForm(request.POST or None, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            exercise = form.save(commit=False)
            exercise.partnership = partnership
            exercise.save()
            form.save_m2m()
            names, position = set(), 0
            themes = Theme.objects.filter(reviews__in=form.cleaned_data["reviews"]).distinct()
            for theme in themes.order_by("name"):
                position += 1
                names.add(theme.name)
                LearningArea.objects.create(
                    exercise=exercise, name=theme.name, theme=theme, position=position
                )
            for name in form.cleaned_data["extra_areas"]:
                if name not in names:
                    position += 1
                    names.add(name)
                    LearningArea.objects.create(exercise=exercise, name=name, position=position)
        messages.success(request, f"{exercise.title} created")
        return redirect("reviews:assurance_detail", pk=exercise.pk)
    title = "New assurance exercise"
    return render(
        request,
        "reviews/assurance_form.html",
        page(
            request,
            title,
            partnership=partnership,
            nav=NAV,
            form=form,
            breadcrumbs=crumbs((reverse("reviews:assurance_list"), "Assurance"), ("", "New")),
        ),
    )


@login_required
@require_safe
def assurance_detail(request, pk):
    exercise = get_exercise_for_user(request, pk)
    areas = list(exercise.areas.select_related("theme"))
    agencies = list(exercise.agencies.order_by("name"))
    ratings = list(AssuranceRating.objects.filter(area__exercise=exercise))
    return render(
        request,
        "reviews/assurance_detail.html",
        page(
            request,
            exercise.title,
            partnership=exercise.partnership,
            nav=NAV,
            exercise=exercise,
            agencies=agencies,
            rows=grid(exercise, areas, agencies, ratings),
            counts=grade_counts(ratings),
            reviews=exercise.reviews.all(),
            can_edit=is_officer(request.user, exercise.partnership),
            breadcrumbs=crumbs(
                (reverse("reviews:assurance_list"), "Assurance"), ("", exercise.title)
            ),
        ),
    )


@login_required
def assurance_rate(request, pk, area_pk, agency_pk):
    exercise = get_exercise_for_user(request, pk)
    require_officer(request, exercise.partnership)
    area = get_object_or_404(LearningArea, pk=area_pk, exercise=exercise)
    agency = get_object_or_404(Agency, pk=agency_pk, assurance_exercises=exercise)
    rating = AssuranceRating.objects.filter(area=area, agency=agency).first()
    initial = {"grade": rating.grade, "narrative": rating.narrative} if rating else {}
    form = RatingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = {"grade": form.cleaned_data["grade"], "narrative": form.cleaned_data["narrative"]}
        if rating is None:
            AssuranceRating.objects.create(
                area=area, agency=agency, rated_by=request.user, **values
            )
        elif any(getattr(rating, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(rating, name, value)
            rating.rated_by = request.user
            rating.save()
        messages.success(request, f"{agency.name}: {area.name} rated")
        return redirect("reviews:assurance_detail", pk=exercise.pk)
    title = f"Rate {agency.name}: {area.name}"
    return render(
        request,
        "reviews/assurance_rate.html",
        page(
            request,
            title,
            partnership=exercise.partnership,
            nav=NAV,
            form=form,
            exercise=exercise,
            area=area,
            agency=agency,
            breadcrumbs=crumbs(
                (reverse("reviews:assurance_list"), "Assurance"),
                (reverse("reviews:assurance_detail", args=[exercise.pk]), exercise.title),
                ("", "Rate"),
            ),
        ),
    )
