"""Case reviews: the register, recommendations with their evidence, panel sign-off, learning
themes, assurance (ILOR) exercises, and the action-plan PDF.

Access (plans/access.py): anyone with a role in a review's partnership reads it (404 for
others); board officers and administrators import, sign off, close recommendations and edit
assurance exercises; the chair of the partnership's review panel (a group of kind "panel")
also signs off and closes; whoever may update an action (its agency's lead, its group's
chair, an officer) records evidence against it.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst, slugify
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from plans.access import (
    can_edit_action,
    get_action_for_user,
    get_managed,
    get_partnership_for_user,
    require_officer,
    scope_for,
)
from plans.models import Action, ActionParent, Agency, Group, Partnership, Rating, Role, Theme
from plans.pages import page
from plans.pdf import pdf_response
from plans.views.editing import form_page
from safeguarding import audit

from . import figures
from . import status as rec_status
from .assurance import counts as grade_counts
from .assurance import grid
from .clocks import clocks_for, open_clocks
from .forms import (
    EvidenceForm,
    ExerciseForm,
    IntakeCaseForm,
    RatingForm,
    ReasonForm,
    ReCheckRecordForm,
    ReCheckScheduleForm,
    RecommendationForm,
    ReviewForm,
    SignOffForm,
)
from .models import (
    CASE_DATE_LABELS,
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

NAV = "reviews:review_list"
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
        Recommendation.objects.filter(review__in=reviews, withdrawn_on=None).only(
            "pk", "review_id", "closed_reason"
        )
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
        Recommendation.objects.filter(review=review, withdrawn_on=None)
        .for_page()
        .order_by("number")
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
        "withdrawn": list(
            Recommendation.objects.filter(review=review)
            .exclude(withdrawn_on=None)
            .order_by("number")
        ),
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
            review.heading,
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
    review.sign_off(by=request.user, capacity=capacity, note=form.cleaned_data["note"])
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
    if not review.is_signed_off:
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
    review.reopen(by=request.user, reason=form.cleaned_data["reason"])
    messages.success(request, f"{review.code} action plan reopened")
    return redirect("reviews:review_detail", pk=review.pk)


@login_required
@require_safe
def review_pdf(request, pk):
    from .pdf import review_plan_pdf

    review = get_review_for_user(request, pk)
    context = _review_context(request, review)
    actions = (
        Action.objects.filter(parent__recommendation__review=review, withdrawn_on=None)
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


def _attach_rechecks(actions, recheck_form=None):
    """Each action's re-checks (one query), with the form of the one that failed, if any."""
    by_action = {}
    for recheck in ReCheck.objects.filter(action__in=actions).select_related("scheduled_by"):
        if recheck_form is not None and recheck_form.prefix == f"r{recheck.pk}":
            recheck.form = recheck_form
        else:
            recheck.form = ReCheckRecordForm(prefix=f"r{recheck.pk}")
        by_action.setdefault(recheck.action_id, []).append(recheck)
    for action in actions:
        action.recheck_list = by_action.get(action.pk, [])
        action.schedule_form = ReCheckScheduleForm(prefix=f"s{action.pk}")
        action.is_complete = action.latest_rating == Rating.COMPLETE


def _recommendation_context(request, recommendation, evidence_form=None, recheck_form=None):
    withdrawn = list(recommendation.actions.exclude(withdrawn_on=None).order_by("position"))
    actions = list(
        Action.objects.filter(parent=recommendation, withdrawn_on=None)
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
    _attach_rechecks(actions, recheck_form)
    return {
        "recommendation": recommendation,
        "review": recommendation.review,
        "actions": actions,
        "withdrawn_actions": withdrawn,
        "can_close": capacity is not None,
        "is_officer": is_officer(request.user, recommendation.partnership),
    }


def _render_recommendation(request, recommendation, status=200, **forms):
    context = _recommendation_context(
        request, recommendation, forms.get("evidence_form"), forms.get("recheck_form")
    )
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
            recheck_form=forms.get("recheck_form"),
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
    try:
        if recommendation.reopen(by=request.user):
            messages.success(request, f"{recommendation.display_number} reopened")
    except ValidationError as refused:
        messages.info(request, refused.messages[0])
    return redirect("reviews:recommendation_detail", pk=recommendation.pk)


# -- Setting up an action plan in the app ---------------------------------------------------


def _recommendation_form(request, form, title, review, saved):
    if request.method == "POST" and form.is_valid():
        recommendation = form.save()
        messages.success(request, saved.format(number=recommendation.display_number))
        return redirect("reviews:recommendation_detail", pk=recommendation.pk)
    link = reverse("reviews:review_detail", args=[review.pk])
    return form_page(
        request,
        form,
        title,
        partnership=review.partnership,
        crumbs=crumbs((link, review.code)),
        caption=review.code,
        cancel_url=link,
    )


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_add(request, pk):
    review = get_managed(
        request, CaseReview.objects.select_related("partnership"), pk=pk, archived_at=None
    )
    numbers = review.recommendations.values_list("number", flat=True)
    form = RecommendationForm(
        request.POST or None,
        instance=Recommendation(review=review, partnership=review.partnership),
        initial={"number": max(numbers, default=0) + 1, "source": Recommendation.Source.ADDED},
    )
    return _recommendation_form(request, form, "Add a recommendation", review, "{number} is added")


def managed_recommendation(request, pk):
    return get_managed(
        request,
        Recommendation.objects.select_related("review__partnership"),
        pk=pk,
        archived_at=None,
    )


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_edit(request, pk):
    recommendation = managed_recommendation(request, pk)
    form = RecommendationForm(request.POST or None, instance=recommendation)
    title = f"Edit recommendation {recommendation.display_number}"
    return _recommendation_form(request, form, title, recommendation.review, "{number} is saved")


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_withdraw(request, pk):
    """Withdraw with a reason (the confirmation page asks for it)."""
    recommendation = managed_recommendation(request, pk)
    review = recommendation.review
    form = ReasonForm(
        request.POST or None,
        label="Why is it withdrawn?",
        required_message="Enter why the recommendation is withdrawn",
    )
    if request.method == "POST" and form.is_valid():
        try:
            recommendation.withdraw(form.cleaned_data["reason"], by=request.user)
        except ValidationError as refused:
            form.add_error("reason", refused.messages[0])
        else:
            messages.success(request, f"{recommendation.display_number} is withdrawn")
            return redirect("reviews:review_detail", pk=review.pk)
    link = reverse("reviews:recommendation_detail", args=[recommendation.pk])
    return form_page(
        request,
        form,
        f"Withdraw recommendation {recommendation.display_number}",
        partnership=review.partnership,
        crumbs=crumbs((reverse("reviews:review_detail", args=[review.pk]), review.code)),
        caption=review.code,
        intro=f"{recommendation.text[:300]} It and its actions leave every list, pack and "
        "reminder; the review's page keeps it, with the reason.",
        button="Withdraw the recommendation",
        warning=True,
        cancel_url=link,
    )


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
        Action.objects.filter(parent__in=[w.pk for w in workstreams], withdrawn_on=None)
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


# -- Intake register and clocks -----------------------------------------------------------
# Everyone with a role in the partnership reads its cases; board officers, administrators and
# the chair of its review panel record and edit them (require_sign_off).

CASES_NAV = "reviews:case_list"


def case_crumbs(*pairs):
    return [(reverse(NAV), "Case reviews"), (reverse(CASES_NAV), "Intake register"), *pairs]


def get_case_for_user(request, pk):
    try:
        return IntakeCase.objects.visible_to(request.user).for_page().get(pk=pk)
    except IntakeCase.DoesNotExist as exc:
        raise Http404("No such case") from exc


def clock_row(clock, today):
    """What a table row shows of a clock: status words always beside the colour."""
    left = clock.days_left(today)
    return {
        "clock": clock,
        "status": clock.status(today),
        "tag": clock.tag(today),
        "days_left": left,
        "days_late": -left,
    }


def case_facts(case):
    """(field name, shown value) for each register entry of a case, in the order they happen."""
    for field in IntakeCase._meta.get_fields():
        if field.name in ("id", "partnership", "code", "review", "created_at", "updated_at"):
            continue
        if not getattr(field, "concrete", False):
            continue
        value = getattr(case, field.name)
        if field.choices:
            value = getattr(case, f"get_{field.name}_display")()
        elif hasattr(value, "strftime"):
            value = f"{value:%-d %B %Y}"
        yield field.name, value


def can_manage_cases(user, partnership):
    return sign_off_capacity(user, partnership) is not None


def figures_year(request):
    """The reporting year asked for (?year=2016 for 2016/17), else the current one."""
    asked = request.GET.get("year", "")
    if asked.isdigit() and 1990 <= int(asked) <= 2100:
        return int(asked)
    return figures.current_reporting_year()


@login_required
@require_safe
def case_list(request):
    cases = list(IntakeCase.objects.visible_to(request.user).for_page())
    today = timezone.localdate()
    for case in cases:
        running = [clock for clock in clocks_for(case) if clock.is_open]
        case.next_clock = clock_row(min(running, key=lambda c: c.due), today) if running else None
    partnerships = Partnership.objects.filter(pk__in=scope_for(request.user).readable_partnerships)
    return render(
        request,
        "reviews/case_list.html",
        page(
            request,
            "Intake register",
            nav=NAV,
            cases=cases,
            manage_partnerships=[p for p in partnerships if can_manage_cases(request.user, p)],
            figure_partnerships=partnerships,
            many_partnerships=len(partnerships) > 1,
            figures_year=figures_year(request),
        ),
    )


@login_required
@require_safe
def clock_list(request):
    cases = IntakeCase.objects.visible_to(request.user).for_page()
    today = timezone.localdate()
    clocks = [clock_row(clock, today) for clock in open_clocks(cases)]
    return render(
        request,
        "reviews/clock_list.html",
        page(
            request,
            "Clocks",
            many_partnerships=len(scope_for(request.user).readable_partnerships) > 1,
            nav=NAV,
            clocks=clocks,
            today=today,
            breadcrumbs=case_crumbs(("", "Clocks")),
        ),
    )


@login_required
@require_safe
def case_detail(request, pk):
    case = get_case_for_user(request, pk)
    today = timezone.localdate()
    clocks = [clock_row(clock, today) for clock in clocks_for(case)]
    facts = [
        (
            CASE_DATE_LABELS.get(name) or capfirst(IntakeCase._meta.get_field(name).verbose_name),
            value,
        )
        for name, value in case_facts(case)
    ]
    return render(
        request,
        "reviews/case_detail.html",
        page(
            request,
            f"Case {case.code}",
            partnership=case.partnership,
            nav=NAV,
            case=case,
            clocks=clocks,
            facts=facts,
            can_manage=can_manage_cases(request.user, case.partnership),
            breadcrumbs=case_crumbs(("", case.code)),
        ),
    )


def _case_form_page(request, form, title, partnership, crumbs):
    return form_page(
        request,
        form,
        title,
        partnership=partnership,
        crumbs=crumbs,
        nav=NAV,
        caption=partnership.name,
        intro="Record the case by its code only: no child's name or other personal details.",
        button="Save the case",
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def case_create(request, short_name):
    partnership = get_partnership_for_user(request, short_name)
    require_sign_off(request, partnership)
    case = IntakeCase(partnership=partnership)
    form = IntakeCaseForm(request.POST or None, instance=case)
    if request.method == "POST" and form.is_valid():
        case._history_user = request.user
        form.save()
        messages.success(request, f"Case {case.code} added to the intake register")
        return redirect("reviews:case_detail", pk=case.pk)
    return _case_form_page(request, form, "New case", partnership, case_crumbs())


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def case_edit(request, pk):
    case = get_case_for_user(request, pk)
    require_sign_off(request, case.partnership)
    form = IntakeCaseForm(request.POST or None, instance=case)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Case {case.code} saved")
        return redirect("reviews:case_detail", pk=case.pk)
    crumbs = case_crumbs((reverse("reviews:case_detail", args=[case.pk]), case.code))
    return _case_form_page(request, form, f"Edit case {case.code}", case.partnership, crumbs)


def _figures_for(request, short_name, year):
    partnership = get_partnership_for_user(request, short_name)
    if not 1990 <= year <= 2100:
        raise Http404("No figures for that year")
    audit.record("review_figures_download", request, partnership=short_name, year=year)
    return partnership, f"{short_name}-case-review-figures-{year}-{(year + 1) % 100:02d}"


@login_required
@require_safe
def figures_xlsx(request, short_name, year):
    partnership, name = _figures_for(request, short_name, year)
    response = HttpResponse(
        figures.figures_xlsx(partnership, year),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{slugify(name)}.xlsx"'
    return response


@login_required
@require_safe
def figures_pdf(request, short_name, year):
    partnership, name = _figures_for(request, short_name, year)
    return pdf_response(figures.figures_pdf(partnership, year), f"{name}.pdf", attachment=False)


@login_required
@require_POST
def case_become_review(request, pk):
    case = get_case_for_user(request, pk)
    require_sign_off(request, case.partnership)
    try:
        review = case.become_review(by=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("reviews:case_detail", pk=case.pk)
    messages.success(
        request, f"Review {review.code} started: add or import its recommendations and actions"
    )
    return redirect("reviews:review_detail", pk=review.pk)


# -- Re-checks of completed review actions ---------------------------------------------------


def _recommendation_of(request, action):
    if action.parent.kind != ActionParent.Kind.RECOMMENDATION:
        raise Http404("Re-checks are of review actions")
    recommendation = get_recommendation_for_user(request, action.parent_id)
    require_sign_off(request, recommendation.partnership)
    return recommendation


def _back_to(recommendation, action):
    url = reverse("reviews:recommendation_detail", args=[recommendation.pk])
    return redirect(f"{url}#action-{action.pk}")


@login_required
@require_POST
def recheck_schedule(request, action_pk):
    action = get_action_for_user(request, action_pk)
    recommendation = _recommendation_of(request, action)
    form = ReCheckScheduleForm(request.POST, prefix=f"s{action.pk}")
    try:
        if not form.is_valid():
            raise ValidationError(next(iter(form.errors.values()))[0])
        recheck = ReCheck.schedule(
            action,
            kind=form.cleaned_data["kind"],
            months=form.cleaned_data["months"],
            by=request.user,
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return _back_to(recommendation, action)
    messages.success(
        request,
        f"{recheck.get_kind_display()} of action {action.display_ref} booked for "
        f"{recheck.due_on:%-d %B %Y}",
    )
    return _back_to(recommendation, action)


@login_required
@require_POST
def recheck_record(request, pk):
    try:
        recheck = ReCheck.objects.visible_to(request.user).select_related("action").get(pk=pk)
    except ReCheck.DoesNotExist as exc:
        raise Http404("No such re-check") from exc
    recommendation = _recommendation_of(request, recheck.action)
    form = ReCheckRecordForm(request.POST, prefix=f"r{recheck.pk}")
    if not form.is_valid():
        return _render_recommendation(request, recommendation, status=400, recheck_form=form)
    recheck.record(by=request.user, **form.cleaned_data)
    messages.success(request, f"{recheck.get_kind_display()} recorded")
    return _back_to(recommendation, recheck.action)
