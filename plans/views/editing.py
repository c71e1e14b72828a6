"""Setting up and maintaining business plans in the app: plans, priorities, objectives and
the actions of every kind of parent (objectives here; workstreams and recommendations use the
same action pages through ActionParent), their order, and moving an action.

Who: board officers and administrators of the plan's partnership (plans/access.py
get_managed): others who read it get 403, everyone else 404. Every save goes through a
ModelForm or a model method, and HistoryRequestMiddleware records the person.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from ..access import get_managed, get_managed_partnership
from ..forms import (
    ActionForm,
    MoveActionForm,
    ObjectiveForm,
    PlanForm,
    PriorityForm,
    RatingMeaningsForm,
    WithdrawForm,
)
from ..models import Action, ActionParent, Objective, Plan, Priority
from ..pages import page

EDIT = ["GET", "POST"]


def form_page(request, form, title, *, partnership, crumbs, **context):
    """The one template every setting-up form uses (templates/plans/manage/form_page.html)."""
    context["breadcrumbs"] = [*crumbs, ("", title)]
    return render(
        request,
        "plans/manage/form_page.html",
        page(request, title, partnership=partnership, form=form, **context),
    )


def save_or_form(request, form, title, *, saved, **page_context):
    """A valid POST: save the form by the user (with history), say `saved(object)` and go to
    the object's page. Otherwise the form page (form_page), errors and all."""
    if request.method == "POST" and form.is_valid():
        obj = form.save_by(request.user)
        messages.success(request, saved(obj))
        return redirect(obj.get_absolute_url())
    return form_page(request, form, title, **page_context)


def plan_crumbs(plan):
    return [
        (reverse("plans:plan_list"), "Plans"),
        (reverse("plans:plan_detail", args=[plan.slug]), plan.title),
    ]


def live_plan(request, **lookup):
    return get_managed(
        request, Plan.objects.select_related("partnership"), archived_at=None, **lookup
    )


@login_required
@require_http_methods(EDIT)
def plan_create(request, short_name):
    partnership = get_managed_partnership(request, short_name)
    form = PlanForm(request.POST or None, instance=Plan(partnership=partnership))
    if request.method == "POST" and form.is_valid():
        plan = form.save()
        messages.success(request, f"{plan.title} is created: add its priorities and objectives")
        return redirect("plans:plan_detail", slug=plan.slug)
    crumbs = [(reverse("plans:plan_list"), "Plans")]
    return form_page(
        request,
        form,
        "New business plan",
        partnership=partnership,
        crumbs=crumbs,
        caption=partnership.name,
        button="Create the plan",
    )


@login_required
@require_http_methods(EDIT)
def rating_meanings(request, short_name):
    """Board officers set what each rating means in their partnership (shown on update forms)."""
    partnership = get_managed_partnership(request, short_name)
    form = RatingMeaningsForm(request.POST or None, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        partnership.define_ratings(form.cleaned_data, by=request.user)
        messages.success(request, f"What the ratings mean in {partnership.short_name} is saved")
        return redirect("plans:plan_list")
    return form_page(
        request,
        form,
        "What the ratings mean",
        partnership=partnership,
        crumbs=[(reverse("plans:plan_list"), "Plans")],
        caption=partnership.name,
        intro="Shown beside the ratings on every update form of the partnership.",
        button="Save",
    )


@login_required
@require_http_methods(EDIT)
def plan_edit(request, slug):
    plan = live_plan(request, slug=slug)
    form = PlanForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"{plan.title} is saved")
        return redirect("plans:plan_detail", slug=plan.slug)
    return form_page(
        request,
        form,
        "Edit the plan's details",
        partnership=plan.partnership,
        crumbs=plan_crumbs(plan),
        caption=plan.title,
        cancel_url=reverse("plans:plan_detail", args=[plan.slug]),
    )


def _numbered(request, form, plan, title, saved):
    """Add or edit a priority or objective of `plan`."""
    if request.method == "POST" and form.is_valid():
        item = form.save()
        messages.success(request, saved.format(number=item.number))
        return redirect(reverse("plans:plan_detail", args=[plan.slug]) + "#manage")
    return form_page(
        request,
        form,
        title,
        partnership=plan.partnership,
        crumbs=plan_crumbs(plan),
        caption=plan.title,
        cancel_url=reverse("plans:plan_detail", args=[plan.slug]) + "#manage",
    )


def next_number(queryset):
    return (max(queryset.values_list("number", flat=True), default=0)) + 1


@login_required
@require_http_methods(EDIT)
def priority_add(request, slug):
    plan = live_plan(request, slug=slug)
    instance = Priority(plan=plan)
    initial = {"number": next_number(plan.priorities.all())}
    form = PriorityForm(request.POST or None, instance=instance, initial=initial)
    return _numbered(request, form, plan, "Add a priority", "Priority {number} is added")


@login_required
@require_http_methods(EDIT)
def priority_edit(request, pk):
    priority = get_managed(
        request,
        Priority.objects.select_related("plan__partnership"),
        via="plan__partnership",
        pk=pk,
        plan__archived_at=None,
    )
    form = PriorityForm(request.POST or None, instance=priority)
    title = f"Edit priority {priority.number}"
    return _numbered(request, form, priority.plan, title, "Priority {number} is saved")


@login_required
@require_http_methods(EDIT)
def objective_add(request, slug):
    plan = live_plan(request, slug=slug)
    instance = Objective(plan=plan, partnership=plan.partnership)
    initial = {"number": next_number(plan.objectives.all())}
    form = ObjectiveForm(request.POST or None, instance=instance, initial=initial)
    return _numbered(request, form, plan, "Add an objective", "Objective {number} is added")


def managed_objective(request, pk):
    return get_managed(
        request,
        Objective.objects.select_related("plan__partnership", "priority"),
        pk=pk,
        archived_at=None,
    )


@login_required
@require_http_methods(EDIT)
def objective_edit(request, pk):
    objective = managed_objective(request, pk)
    form = ObjectiveForm(request.POST or None, instance=objective)
    title = f"Objective {objective.number}"
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Objective {objective.number} is saved")
        return redirect("plans:objective_edit", pk=objective.pk)
    actions = list(objective.actions.order_by("position"))
    return render(
        request,
        "plans/manage/objective.html",
        page(
            request,
            title,
            partnership=objective.partnership,
            form=form,
            objective=objective,
            actions=actions,
            breadcrumbs=[*plan_crumbs(objective.plan), ("", title)],
        ),
    )


# -- Actions, under any parent ------------------------------------------------------------


def parent_page(parent):
    """Where a parent's actions are managed: the objective's page, the workstreams page, the
    recommendation's page. Each kind names its own (`manage_url`)."""
    child = parent.child
    return (
        child.manage_url
        if hasattr(child, "manage_url")
        else reverse("plans:objective_edit", args=[parent.pk])
    )


@login_required
@require_http_methods(EDIT)
def action_add(request, parent_pk):
    parent = get_managed(
        request, ActionParent.objects.select_related("partnership"), pk=parent_pk, archived_at=None
    )
    child = parent.child
    form = ActionForm(
        request.POST or None,
        instance=Action(parent=parent, position=parent.next_action_position()),
        partnership=parent.partnership,
    )
    if request.method == "POST" and form.is_valid():
        action = form.save_edit(by=request.user)
        messages.success(request, f"Action {action.display_ref} is added")
        return redirect("plans:action_detail", pk=action.pk)
    crumbs = [(parent_page(parent), child.section_label[:80])]
    return form_page(
        request,
        form,
        "Add an action",
        partnership=parent.partnership,
        crumbs=crumbs,
        caption=child.section_label,
        button="Add the action",
        cancel_url=parent_page(parent),
    )


def managed_action(request, pk):
    return get_managed(
        request,
        Action.objects.select_related("parent__partnership"),
        via="parent__partnership",
        pk=pk,
        parent__archived_at=None,
    )


@login_required
@require_http_methods(EDIT)
def action_edit(request, pk):
    action = managed_action(request, pk)
    partnership = action.parent.partnership
    form = ActionForm(request.POST or None, instance=action, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        form.save_edit(by=request.user)
        messages.success(request, f"Action {action.display_ref} is saved")
        return redirect("plans:action_detail", pk=action.pk)
    title = f"Edit action {action.display_ref}"
    crumbs = [(reverse("plans:action_detail", args=[action.pk]), f"Action {action.display_ref}")]
    return form_page(
        request,
        form,
        title,
        partnership=partnership,
        crumbs=crumbs,
        caption=action.parent.child.section_label,
        cancel_url=reverse("plans:action_detail", args=[action.pk]),
    )


@login_required
@require_POST
def action_reorder(request, pk):
    action = managed_action(request, pk)
    step = {"up": -1, "down": 1}.get(request.POST.get("direction"))
    if step is None:
        raise Http404("Move it up or down")
    if action.move_within(step, by=request.user):
        messages.success(
            request, f"Action {action.display_ref} is moved {request.POST['direction']}"
        )
    return redirect(parent_page(action.parent))


@login_required
@require_http_methods(EDIT)
def action_move(request, pk):
    action = managed_action(request, pk)
    if action.parent.kind != ActionParent.Kind.OBJECTIVE:
        raise Http404("Only business plan actions move between objectives")
    form = MoveActionForm(request.POST or None, action=action)
    if request.method == "POST" and form.is_valid():
        action.move_to(form.cleaned_data["objective"], by=request.user)
        messages.success(request, f"The action is now action {action.display_ref}")
        return redirect("plans:action_detail", pk=action.pk)
    title = f"Move action {action.display_ref} to another objective"
    crumbs = [(reverse("plans:action_detail", args=[action.pk]), f"Action {action.display_ref}")]
    return form_page(
        request,
        form,
        title,
        partnership=action.parent.partnership,
        crumbs=crumbs,
        intro=action.text[:300],
        button="Move the action",
        cancel_url=reverse("plans:action_detail", args=[action.pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_withdraw(request, pk):
    """Withdraw an action with a reason (the confirmation page asks for it)."""
    action = managed_action(request, pk)
    if action.is_withdrawn:
        raise Http404("This action is already withdrawn")
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        action.withdraw(form.cleaned_data["reason"], by=request.user)
        messages.success(request, f"Action {action.display_ref} is withdrawn")
        return redirect("plans:action_detail", pk=action.pk)
    detail = reverse("plans:action_detail", args=[action.pk])
    return form_page(
        request,
        form,
        f"Withdraw action {action.display_ref}",
        partnership=action.parent.partnership,
        crumbs=[(detail, f"Action {action.display_ref}")],
        caption=action.parent.child.section_label,
        intro=f"{action.text[:300]} It leaves every list, count, reminder and later pack; its "
        "page, updates and history stay.",
        button="Withdraw the action",
        cancel_url=detail,
    )
