"""People and access: who has which role, inviting a person, giving and taking roles,
deactivating; and the groups and agencies roles point at.

Who: board officers and administrators, for the partnerships they manage (403 for others
who read the partnership, 404 beyond it). A person is "of" a partnership while they have, or
once had, a role in it (Role history), so a person whose last role was removed can still be
found, given a role again or deactivated. The invitation's set-password page is public: the
link's token is the key.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from .. import people
from ..access import (
    get_managed,
    get_managed_partnership,
    managed_partnerships,
    scope_for,
)
from ..forms import AgencyForm, GroupForm, InviteForm, RoleForm
from ..models import Agency, Group, Role
from ..pages import page
from .editing import form_page

EDIT = ["GET", "POST"]
NAV = "plans:people_list"


def can_update(role):
    """What a role lets its holder update, in words (the rules of plans/access.py)."""
    if role.kind in (Role.Kind.ADMINISTRATOR, Role.Kind.BOARD_OFFICER):
        return f"Every action of {role.partnership.short_name}"
    if role.kind in (Role.Kind.CHAIR, Role.Kind.MEMBER):
        return f"Actions led by {role.group.name} and its sub-groups"
    if role.kind == Role.Kind.AGENCY_LEAD:
        return f"Actions assigned to {role.agency.name}"
    return "Nothing: reads only"


def grants_admin(request, partnership):
    scope = scope_for(request.user)
    return scope.is_superuser or partnership.pk in scope.admin_partnerships


def people_crumbs(*pairs):
    return [(reverse(NAV), "People and access"), *pairs]


@login_required
@require_safe
def people_list(request):
    """Every person with a role in the partnerships the user manages, and what they update."""
    partnerships = list(managed_partnerships(request.user))
    if not partnerships:
        raise PermissionDenied("Only board officers and administrators manage people.")
    roles = Role.objects.select_related("group", "agency", "partnership").order_by("kind")
    users = (
        get_user_model()
        .objects.filter(roles__partnership__in=partnerships)
        .distinct()
        .order_by("first_name", "last_name", "username")
        .prefetch_related(Prefetch("roles", queryset=roles))
    )
    sections = []
    for partnership in partnerships:
        rows = []
        for user in users:
            theirs = [r for r in user.roles.all() if r.partnership_id == partnership.pk]
            if theirs:
                rows.append({"user": user, "roles": [(r, can_update(r)) for r in theirs]})
        sections.append({"partnership": partnership, "rows": rows})
    return render(
        request,
        "plans/people/people_list.html",
        page(request, "People and access", nav=NAV, sections=sections),
    )


def get_person(request, pk):
    """A person of a partnership the user reads (else 404) and manages (else 403)."""
    scope = scope_for(request.user)
    ever = Role.history.filter(user_id=pk).values_list("partnership_id", flat=True)
    partnerships = set(ever)
    if not scope.is_superuser:
        partnerships &= scope.readable_partnerships
    person = get_user_model().objects.filter(pk=pk).first()
    if person is None or not partnerships:
        raise Http404("No such person")
    if not (scope.is_superuser or partnerships & scope.officer_partnerships):
        raise PermissionDenied("Only board officers and administrators manage people.")
    return person


def status_of(person):
    if not person.is_active:
        return "Deactivated"
    if not person.has_usable_password():
        return "Invited: has not set a password yet"
    return "Active"


@login_required
@require_safe
def person_detail(request, pk):
    person = get_person(request, pk)
    managed = list(managed_partnerships(request.user))
    roles = person.roles.select_related("partnership", "group", "agency")
    context = {
        "person": person,
        "status": status_of(person),
        "roles": [(r, can_update(r), r.partnership in managed) for r in roles],
        "managed": managed,
        "role_changes": people.role_changes(person),
        "events": list(person.account_events.select_related("by")),
        "is_self": person == request.user,
    }
    name = person.get_full_name() or person.get_username()
    return render(
        request,
        "plans/people/person_detail.html",
        page(request, name, nav=NAV, breadcrumbs=people_crumbs(("", name)), **context),
    )


@login_required
@require_http_methods(EDIT)
def person_invite(request, short_name):
    partnership = get_managed_partnership(request, short_name)
    form = InviteForm(
        request.POST or None,
        partnership=partnership,
        can_grant_admin=grants_admin(request, partnership),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = people.invite(
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            role=form.role(),
            by=request.user,
        )
        messages.success(request, f"Invitation sent to {person.email}")
        return redirect("plans:person_detail", pk=person.pk)
    return form_page(
        request,
        form,
        "Invite a person",
        partnership=partnership,
        crumbs=people_crumbs(),
        caption=partnership.name,
        button="Send the invitation",
        intro=f"They get an email with a link to set their password. The link works for "
        f"{settings.INVITE_DAYS} days and only once.",
    )


@login_required
@require_POST
def person_reinvite(request, pk):
    person = get_person(request, pk)
    if person.has_usable_password() or not person.is_active or not person.email:
        messages.info(request, "They have set a password already, so no invitation was sent")
    else:
        partnership = person.roles.filter(
            partnership__in=managed_partnerships(request.user)
        ).first()
        partnership = (
            partnership.partnership if partnership else managed_partnerships(request.user).first()
        )
        people.send_invitation(person, partnership, by=request.user, again=True)
        messages.success(request, f"Invitation sent again to {person.email}")
    return redirect("plans:person_detail", pk=person.pk)


@login_required
@require_http_methods(EDIT)
def role_add(request, pk, short_name):
    person = get_person(request, pk)
    partnership = get_managed_partnership(request, short_name)
    form = RoleForm(
        request.POST or None,
        partnership=partnership,
        user=person,
        can_grant_admin=grants_admin(request, partnership),
    )
    name = person.get_full_name() or person.get_username()
    if request.method == "POST" and form.is_valid():
        role = form.role().grant(by=request.user)
        messages.success(
            request, f"{name} is now {role.get_kind_display().lower()}: {role.scope_label}"
        )
        return redirect("plans:person_detail", pk=person.pk)
    link = reverse("plans:person_detail", args=[person.pk])
    return form_page(
        request,
        form,
        f"Give {name} a role",
        partnership=partnership,
        crumbs=people_crumbs((link, name)),
        caption=partnership.name,
        button="Give the role",
        cancel_url=link,
    )


@login_required
@require_http_methods(EDIT)
def role_remove(request, pk):
    """Confirm, then remove: the "-" history row keeps who took what from whom, when."""
    role = get_managed(
        request, Role.objects.select_related("user", "partnership", "group", "agency"), pk=pk
    )
    person = role.user
    name = person.get_full_name() or person.get_username()
    what = f"{role.get_kind_display()}: {role.scope_label}"
    if request.method == "POST":
        role.remove(by=request.user)
        messages.success(request, f"{name} no longer has the role {what}")
        return redirect("plans:person_detail", pk=person.pk)
    link = reverse("plans:person_detail", args=[person.pk])
    return form_page(
        request,
        forms.Form(),
        f"Remove {name}'s role?",
        partnership=role.partnership,
        crumbs=people_crumbs((link, name)),
        caption=what,
        intro=f"They will no longer be able to: {can_update(role).lower()}, through this role. "
        "The change is recorded with your name.",
        button="Remove the role",
        warning=True,
        cancel_url=link,
    )


def require_whole_person(request, person):
    """Deactivating stops every role: only for someone all of whose roles the user manages."""
    if person == request.user:
        raise PermissionDenied("You cannot deactivate yourself.")
    scope = scope_for(request.user)
    if scope.is_superuser:
        return
    if person.is_superuser or person.is_staff:
        raise PermissionDenied("Only a superuser can deactivate an administrator with /admin.")
    for partnership_id in person.roles.values_list("partnership_id", flat=True):
        if partnership_id not in scope.officer_partnerships:
            raise PermissionDenied("They also have roles in a partnership you do not manage.")


@login_required
@require_http_methods(EDIT)
def person_deactivate(request, pk):
    person = get_person(request, pk)
    require_whole_person(request, person)
    name = person.get_full_name() or person.get_username()
    if request.method == "POST":
        people.set_active(person, False, by=request.user)
        messages.success(request, f"{name} is deactivated")
        return redirect("plans:person_detail", pk=person.pk)
    link = reverse("plans:person_detail", args=[person.pk])
    return form_page(
        request,
        forms.Form(),
        f"Deactivate {name}?",
        partnership=None,
        crumbs=people_crumbs((link, name)),
        intro="They will not be able to sign in or get reminders. Their roles, updates and "
        "history are kept, and you can reactivate them later.",
        button="Deactivate",
        warning=True,
        cancel_url=link,
    )


@login_required
@require_POST
def person_reactivate(request, pk):
    person = get_person(request, pk)
    require_whole_person(request, person)
    if people.set_active(person, True, by=request.user):
        messages.success(
            request, f"{person.get_full_name() or person.get_username()} is active again"
        )
    return redirect("plans:person_detail", pk=person.pk)


# -- The invitation link ------------------------------------------------------------------


def invited_user(uidb64, token):
    try:
        pk = force_str(urlsafe_base64_decode(uidb64))
        user = get_user_model().objects.get(pk=pk, is_active=True)
    except (TypeError, ValueError, OverflowError, get_user_model().DoesNotExist):
        return None
    return user if people.invite_tokens.check_token(user, token) else None


@require_http_methods(EDIT)
def invite_accept(request, uidb64, token):
    """Set a password from the invitation email, then sign in as usual."""
    user = invited_user(uidb64, token)
    form = SetPasswordForm(user, request.POST or None) if user else None
    if form is not None and request.method == "POST" and form.is_valid():
        form.save()
        people.accepted(user)
        messages.success(request, f"Your password is set. Sign in as {user.get_username()}")
        return redirect("login")
    return render(
        request,
        "plans/people/invite_accept.html",
        page(request, "Set your password", form=form, invited=user),
    )


# -- Groups and agencies --------------------------------------------------------------------


@login_required
@require_safe
def group_list(request, short_name):
    partnership = get_managed_partnership(request, short_name)
    groups = (
        Group.objects.filter(partnerships=partnership)
        .select_related("parent")
        .prefetch_related(
            "partnerships",
            Prefetch(
                "roles", queryset=Role.objects.filter(kind=Role.Kind.CHAIR).select_related("user")
            ),
        )
    )
    agencies = Agency.objects.filter(partnerships=partnership)
    return render(
        request,
        "plans/people/group_list.html",
        page(
            request,
            "Groups and agencies",
            partnership=partnership,
            nav=NAV,
            groups=groups,
            agencies=agencies,
            breadcrumbs=people_crumbs(("", "Groups and agencies")),
        ),
    )


def _organisation_form(request, form, title, partnership, saved):
    link = reverse("plans:group_list", args=[partnership.short_name])
    if request.method == "POST" and form.is_valid():
        item = form.save()
        item.partnerships.add(partnership)
        messages.success(request, f"{item.name} is {saved}")
        return redirect(link)
    return form_page(
        request,
        form,
        title,
        partnership=partnership,
        crumbs=people_crumbs((link, "Groups and agencies")),
        caption=partnership.name,
        cancel_url=link,
    )


@login_required
@require_http_methods(EDIT)
def group_create(request, short_name):
    partnership = get_managed_partnership(request, short_name)
    form = GroupForm(request.POST or None, partnership=partnership)
    return _organisation_form(request, form, "Add a group", partnership, "added")


@login_required
@require_http_methods(EDIT)
def group_edit(request, pk):
    group = get_managed(request, Group.objects.all(), via="partnerships", pk=pk)
    partnership = managed_partnerships(request.user).filter(groups=group).first()
    form = GroupForm(request.POST or None, instance=group, partnership=partnership)
    return _organisation_form(request, form, f"Edit {group.name}", partnership, "saved")


@login_required
@require_http_methods(EDIT)
def agency_create(request, short_name):
    partnership = get_managed_partnership(request, short_name)
    form = AgencyForm(request.POST or None)
    return _organisation_form(request, form, "Add an agency", partnership, "added")


@login_required
@require_http_methods(EDIT)
def agency_edit(request, pk):
    agency = get_managed(request, Agency.objects.all(), via="partnerships", pk=pk)
    partnership = managed_partnerships(request.user).filter(agencies=agency).first()
    form = AgencyForm(request.POST or None, instance=agency)
    return _organisation_form(request, form, f"Edit {agency.name}", partnership, "saved")
