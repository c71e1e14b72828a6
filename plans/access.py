"""Who may read and who may update what.

Every view fetches objects through these helpers (STYLE.md): outside the user's partnerships
an object answers 404; readable but not editable answers 403 on writes.

Rules (DESIGN.md user table):
- any role in a partnership reads everything of that partnership; a chair or member of a
  cross-authority group also reads the other partnerships that group serves;
- administrators and board officers update every action of their partnerships;
- group chairs and members update actions led by their groups and those groups' sub-groups;
- agency leads update actions assigned to their agency, including those under
  recommendations addressed to it;
- viewers update nothing.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from .models import Action, Group, Partnership, Role

EDIT_ALL_ROLES = {Role.Kind.ADMINISTRATOR, Role.Kind.BOARD_OFFICER}
GROUP_ROLES = {Role.Kind.CHAIR, Role.Kind.MEMBER}


@dataclass
class Scope:
    """What one user may see and change, computed once per request."""

    readable_partnerships: set[int] = field(default_factory=set)
    all_partnerships: set[int] = field(default_factory=set)  # administrator / board officer
    officer_partnerships: set[int] = field(default_factory=set)  # board officer or admin
    admin_partnerships: set[int] = field(default_factory=set)
    groups: set[int] = field(default_factory=set)  # led groups and their sub-groups
    agencies: set[int] = field(default_factory=set)
    is_superuser: bool = False

    @property
    def can_edit_anything(self):
        return self.is_superuser or bool(self.all_partnerships or self.groups or self.agencies)

    @property
    def is_an_officer(self):
        """A board officer or administrator of at least one partnership."""
        return self.is_superuser or bool(self.officer_partnerships)

    def is_officer_of(self, partnership_id):
        return self.is_superuser or partnership_id in self.officer_partnerships

    def action_edit_q(self):
        if self.is_superuser:
            return Q()
        q = Q(pk__in=[])
        if self.all_partnerships:
            q |= Q(parent__partnership__in=self.all_partnerships)
        if self.groups:
            q |= Q(lead_groups__in=self.groups)
        if self.agencies:
            q |= Q(lead_agencies__in=self.agencies) | Q(
                parent__recommendation__agency__in=self.agencies
            )
        return q


def _descendants(group_ids):
    """The groups and every sub-group below them (the group tree is small)."""
    children = {}
    for pk, parent in Group.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    found, stack = set(), list(group_ids)
    while stack:
        pk = stack.pop()
        if pk not in found:
            found.add(pk)
            stack.extend(children.get(pk, []))
    return found


def scope_for(user):
    """The user's Scope, memoised on the user object for the rest of the request."""
    cached = getattr(user, "_tracker_scope", None)
    if cached is not None:
        return cached
    scope = Scope()
    if user.is_authenticated and user.is_active:
        if user.is_superuser:
            scope.is_superuser = True
            scope.readable_partnerships = set(Partnership.objects.values_list("pk", flat=True))
        led_groups = set()
        for role in Role.objects.filter(user=user).select_related("group"):
            scope.readable_partnerships.add(role.partnership_id)
            if role.kind in EDIT_ALL_ROLES:
                scope.all_partnerships.add(role.partnership_id)
                scope.officer_partnerships.add(role.partnership_id)
                if role.kind == Role.Kind.ADMINISTRATOR:
                    scope.admin_partnerships.add(role.partnership_id)
            elif role.kind in GROUP_ROLES:
                led_groups.add(role.group_id)
            elif role.kind == Role.Kind.AGENCY_LEAD:
                scope.agencies.add(role.agency_id)
        if led_groups:
            scope.groups = _descendants(led_groups)
            scope.readable_partnerships |= set(
                Group.partnerships.through.objects.filter(group_id__in=led_groups).values_list(
                    "partnership_id", flat=True
                )
            )
    user._tracker_scope = scope
    return scope


def visible_actions(user):
    return Action.objects.visible_to(user)


def editable_q(user):
    """A condition for Action querysets: the actions `user` may update.

    Officers and administrators edit by partnership, which needs no subquery (and lets the
    database walk its indexes); group and agency links need a distinct subquery.
    """
    scope = scope_for(user)
    if scope.is_superuser:
        return Q(parent__partnership__in=scope.readable_partnerships)
    if not scope.can_edit_anything:
        return Q(pk__in=[])
    if not (scope.groups or scope.agencies):
        return Q(parent__partnership__in=scope.all_partnerships)
    return Q(pk__in=editable_action_ids(user))


def editable_action_ids(user):
    """A subquery of the actions `user` may update (distinct, safe to use in `pk__in`)."""
    scope = scope_for(user)
    return (
        visible_actions(user).filter(scope.action_edit_q()).values("pk").distinct()
        if scope.can_edit_anything
        else Action.objects.none().values("pk")
    )


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
        return queryset.get(
            pk=pk, parent__partnership__in=scope.readable_partnerships, parent__archived_at=None
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
