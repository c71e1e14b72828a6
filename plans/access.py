"""Who may read and who may update what.

Every view fetches objects through these helpers (STYLE.md): outside the user's partnerships
an object answers 404; readable but not editable answers 403 on writes.

Rules (DESIGN.md user table), least privilege:
- any role in a partnership reads everything of that partnership;
- administrators and board officers update every action of their partnerships;
- group chairs and members update actions led by their groups and those groups' sub-groups,
  in the role's partnership and in the other partnerships a cross-authority group serves;
- a role that reaches another partnership only through a shared (cross-authority) group
  reads and updates that group's actions there, and nothing else of that partnership: not
  its reviews, meetings, packs, plans or other actions (they answer 404);
- agency leads update actions assigned to their agency, including those under
  recommendations addressed to it, in the partnership of their agency-lead role only;
- viewers update nothing.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import Action, Partnership, Role
from .scope import Scope  # noqa: F401  (the type scope_for gives)


def scope_for(user):
    """The user's Scope (plans/scope.py), memoised on the user object for the request."""
    return Role.objects.scope_for(user)


def visible_actions(user):
    return Action.objects.visible_to(user)


def editable_q(user):
    """A condition for Action querysets: the actions `user` may update."""
    return Action.objects.editable_q(user)


def editable_action_ids(user):
    """A subquery of the actions `user` may update (distinct, safe to use in `pk__in`)."""
    return Action.objects.editable_ids(user)


def can_edit_action(user, action):
    scope = scope_for(user)
    if not scope.can_edit_anything:
        return False
    return editable_action_ids(user).filter(pk=action.pk).exists()


def get_action_for_user(request, pk, queryset=None):
    """The action if the user may read it, else 404 (never reveal other partnerships')."""
    queryset = queryset if queryset is not None else Action.objects.all()
    scope = scope_for(request.user)
    try:
        return queryset.filter(scope.action_read_q(Action.objects.all())).get(
            pk=pk, parent__archived_at=None
        )
    except Action.DoesNotExist as exc:
        raise Http404("No such action") from exc


def get_editable_action_for_user(request, pk, queryset=None):
    """The action if the user may update it; 404 if unreadable, 403 if read-only."""
    action = get_action_for_user(request, pk, queryset)
    if not can_edit_action(request.user, action):
        raise PermissionDenied("You can read this action but not update it.")
    return action


def get_partnership_for_user(request, short_name):
    scope = scope_for(request.user)
    try:
        return Partnership.objects.get(short_name=short_name, pk__in=scope.readable_partnerships)
    except Partnership.DoesNotExist as exc:
        raise Http404("No such partnership") from exc


def require_officer(request, partnership):
    """Board officers' and administrators' pages (packs, return rates, imports)."""
    if not scope_for(request.user).is_officer_of(partnership.pk):
        raise PermissionDenied("Only board officers and administrators can do this.")


def administrator_roles():
    """Administrator roles: their holders must use a second factor
    (settings.SECOND_FACTOR_ADMIN_ROLES, read by safeguarding/second_factor.py)."""
    return Role.objects.filter(kind=Role.Kind.ADMINISTRATOR)


def get_managed_partnership(request, short_name):
    """A partnership the user manages (board officer or administrator): 404 if they cannot
    read it, 403 if they only read it."""
    partnership = get_partnership_for_user(request, short_name)
    require_officer(request, partnership)
    return partnership


def get_managed(request, queryset, *, via="partnership", **lookup):
    """An object that board officers and administrators maintain (a plan, priority, group,
    meeting ...), found by `lookup`; `via` is the path from it to its partnership(s).

    404 unless the user reads one of its partnerships, 403 unless they manage one.
    """
    scope = scope_for(request.user)
    readable = queryset.filter(**lookup, **{f"{via}__in": scope.readable_partnerships})
    found = readable.distinct().first()
    if found is None:
        raise Http404("Not found")
    managed = readable.filter(**{f"{via}__in": scope.officer_partnerships})
    if not (scope.is_superuser or managed.exists()):
        raise PermissionDenied("Only board officers and administrators can change this.")
    return found


def managed_partnerships(user):
    """The partnerships `user` manages, by name."""
    scope = scope_for(user)
    if scope.is_superuser:
        return Partnership.objects.all()
    return Partnership.objects.filter(pk__in=scope.officer_partnerships)
