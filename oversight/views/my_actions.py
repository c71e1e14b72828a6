"""My actions: every action the user may update, as cards grouped by plan, workstream and review.

All the cards sit in one form, so whatever is typed in the other cards travels with a card's own
Save and comes back in the page; "Save all" saves every card that has a rating and reports card
by card. Every save goes through QuickUpdateForm.record() (plans/updates.py). It needs no
JavaScript.
"""

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from plans.access import scope_for
from plans.forms import QuickUpdateForm
from plans.models import Action, Group, Rating
from plans.pages import page
from plans.updates import UpdateConflict, edit_tokens

from ..forms import MyActionsFilter
from ..highlights import reports_due_for
from .actions import bmg_deadlines, needs_update

CONFLICT = "Someone else updated this action since you opened the page"


@dataclass
class Outcome:
    """What a POST did: the cards to show again, the actions saved and where to go next."""

    rows: list = field(default_factory=list)
    saved: list = field(default_factory=list)
    failed: int = 0
    others_typed: bool = False


@login_required
@require_http_methods(["GET", "POST"])
def my_actions(request):
    scope = scope_for(request.user)
    since, next_bmg = bmg_deadlines(scope.readable_partnerships, timezone.localdate())
    editable = Action.objects.editable_by(request.user)
    filters = MyActionsFilter(request.GET, groups=_lead_groups(editable))
    if request.method == "POST":
        outcome = _save(request, *_posted(request))
        _say_saved(request, outcome)
        done = _redirect_after(request, outcome)
        if done:
            return done
        rows = outcome.rows
    else:
        actions = _filtered(editable.for_list(), filters, since, request.GET.get("kept"))
        tokens = edit_tokens(actions)
        rows = [(a, _card(a, tokens[a.pk])) for a in actions]
    errors = [(form, action) for action, form in rows if form.is_bound and form.errors]
    context = {
        "rows": rows,
        "groups": _grouped(rows),
        "count": len(rows),
        "errors": errors,
        "filter": filters,
        "applied": [(*item, _without(request, item[2])) for item in filters.applied()],
        "last_deadline": since,
        "next_bmg": next_bmg,
        "meanings": [(Rating(r).label, m) for r, m in _meanings(rows).items()],
        "reports_due": reports_due_for(request.user),
    }
    title = "My actions" if not errors else "Error: My actions"
    return render(
        request,
        "oversight/my_actions.html",
        page(request, title, nav="oversight:my_actions", **context),
    )


def _meanings(rows):
    """The partnership's own words for the ratings when every card is of one partnership."""
    partnerships = {action.parent.partnership for action, _form in rows}
    return partnerships.pop().meanings() if len(partnerships) == 1 else Rating.meanings()


def _lead_groups(editable):
    """The groups leading any of the user's actions: the choices of the group filter."""
    return Group.objects.filter(led_actions__in=editable.values("pk")).distinct().order_by("name")


def _filtered(actions, filters, since, kept):
    """The actions the filters choose, plus `kept` (the card just saved, so the reader stays
    at it even when it no longer needs an update)."""
    chosen = actions
    show = filters.choice("show", "needs_update")
    if show == "needs_update":
        chosen = needs_update(chosen, since)
    elif show == "overdue":
        chosen = chosen.overdue(timezone.localdate())
    rating = filters.choice("rating")
    if rating == "none":
        chosen = chosen.filter(latest_rating__isnull=True)
    elif rating:
        chosen = chosen.filter(latest_rating=rating)
    group = filters.choice("group")
    if group:
        chosen = chosen.filter(pk__in=group.led_actions.values("pk"))
    if kept and kept.isdigit():
        return list(actions.filter(Q(pk__in=chosen.values("pk")) | Q(pk=int(kept))))
    return list(chosen)


def _card(action, token, data=None, typed=None):
    return QuickUpdateForm(
        data,
        prefix=f"a{action.pk}",
        initial={"seen": token, **(typed or {})},
        current_rating=action.latest_rating,
        subject=f"action {action.display_ref}",
    )


def _typed(form):
    """What was typed in a card that is not being saved, to show it again unchanged."""
    return {name: form[name].data or "" for name in ("rating", "comment", "seen")}


def _posted(request):
    """The posted actions, each once and locked for the save, with their edit tokens:
    404 for an action the user cannot even read, 403 for one they only read."""
    ids = list(dict.fromkeys(int(pk) for pk in request.POST.getlist("action") if pk.isdigit()))
    editable = {
        a.pk: a
        for a in Action.objects.editable_by(request.user)
        .for_list()
        .filter(pk__in=ids)
        .select_for_update(of=("self",))
    }
    if len(editable) != len(ids):
        readable = Action.objects.visible_to(request.user).filter(pk__in=ids).count()
        if readable != len(ids):
            raise Http404("No such action")
        raise PermissionDenied("You can read these actions but not update them all.")
    actions = [editable[pk] for pk in ids]
    return actions, edit_tokens(actions)


def _save(request, actions, tokens):
    """Save the card named by the button pressed ("save": an action id), or every card with a
    rating ("save": "all", or no button, as a script posting the form sends)."""
    target = request.POST.get("save", "all")
    if target != "all" and not (target.isdigit() and int(target) in tokens):
        raise Http404("No such action on this page")
    outcome = Outcome()
    for action in actions:
        form = _card(action, tokens[action.pk], request.POST)
        if target not in {"all", str(action.pk)}:
            typed = _typed(form)
            outcome.others_typed |= bool(typed["rating"] or typed["comment"].strip())
            outcome.rows.append((action, _card(action, typed["seen"], typed=typed)))
        elif _record(form, action, request.user):
            outcome.saved.append(action)
        else:
            outcome.failed += bool(form.errors)
            outcome.rows.append((action, form))
    if outcome.saved:
        outcome.rows = _with_saved_refreshed(request.user, actions, outcome)
    return outcome


def _record(form, action, user):
    """Save one card if it is valid and has a rating; False (with the form's errors) if not."""
    if not form.is_valid() or not form.has_update:
        return False
    try:
        form.record(action, by=user)
    except UpdateConflict:
        form.add_error(None, CONFLICT)
        return False
    except ValidationError as exc:
        for name, message in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, message)
        return False
    return True


def _with_saved_refreshed(user, actions, outcome):
    """The cards in page order, the saved ones read again (new rating, empty form)."""
    saved_ids = [a.pk for a in outcome.saved]
    fresh = {a.pk: a for a in Action.objects.editable_by(user).for_list().filter(pk__in=saved_ids)}
    tokens = edit_tokens(list(fresh.values()))
    kept = {action.pk: (action, form) for action, form in outcome.rows}
    rows = []
    for action in actions:
        if action.pk in fresh:
            card = _card(fresh[action.pk], tokens[action.pk])
            card.just_saved = True
            rows.append((fresh[action.pk], card))
        else:
            rows.append(kept[action.pk])
    return rows


def _redirect_after(request, outcome):
    """Back to the list (filters kept) when nothing typed would be lost; after one card's
    save, back at that card."""
    if outcome.failed or outcome.others_typed:
        return None
    query = request.GET.copy()
    query.pop("kept", None)
    url = reverse("oversight:my_actions")
    target = request.POST.get("save", "all")
    if target != "all" and outcome.saved:
        query["kept"] = target
        return redirect(f"{url}?{query.urlencode()}#action-{target}")
    return redirect(f"{url}?{query.urlencode()}" if query else url)


def _say_saved(request, outcome):
    saved = outcome.saved
    if saved:
        refs = ", ".join(f"action {a.display_ref}" for a in saved)
        count = f"{len(saved)} update{'s' if len(saved) != 1 else ''}"
        messages.success(request, f"{count} saved: {refs}")
    elif not outcome.failed:
        messages.info(
            request, "No updates to save: choose a rating for each action you want to update"
        )


def _grouped(rows):
    """The cards under their plan, workstream or review, in document order, with counts."""
    groups = {}
    for action, form in rows:
        child = action.parent.child
        key = (action.parent.partnership_id, child.source_kind, child.container_label)
        if key not in groups:
            title = f"{child.source_kind.capitalize()}: {child.container_label}"
            groups[key] = {
                "title": title,
                "partnership": action.parent.partnership.short_name,
                "rows": [],
            }
        groups[key]["rows"].append((action, form))
    return [group | {"id": f"group-{n}"} for n, group in enumerate(groups.values(), 1)]


def _without(request, name):
    """This page's address without one filter (for "needs update", showing all instead)."""
    query = request.GET.copy()
    query.pop(name, None)
    query.pop("kept", None)
    if name == "show":
        query["show"] = "all"
    url = reverse("oversight:my_actions")
    return f"{url}?{query.urlencode()}" if query else url
