"""People and access: inviting a person by email, their set-password link, deactivating.

Roles themselves are given and taken with `Role.grant(by=)` / `Role.remove(by=)`; what else
happens to an account is kept as AccountEvent rows. The invitation link is a password-reset
style token (it stops working once the password is set, or after settings.INVITE_DAYS) and
points at settings.SITE_URL, never at whatever host the request came in on.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ObjectDoesNotExist
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode

from .models import AccountEvent, Role


class InviteTokenGenerator(PasswordResetTokenGenerator):
    """A set-password token for an invited person, valid for settings.INVITE_DAYS (not the
    password-reset timeout) and only until a password is set (the hash is part of it)."""

    key_salt = "plans.people.InviteTokenGenerator"

    def check_token(self, user, token):
        if not (user and token):
            return False
        try:
            stamp = base36_to_int(token.split("-")[0])
        except ValueError:
            return False
        expected = self._make_token_with_timestamp(user, stamp, self.secret)
        if not constant_time_compare(expected, token):
            return False
        age = timedelta(seconds=self._num_seconds(self._now()) - stamp)
        return age <= timedelta(days=settings.INVITE_DAYS)


invite_tokens = InviteTokenGenerator()


def invite_link(user):
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("plans:invite_accept", args=[uid, invite_tokens.make_token(user)])
    return settings.SITE_URL.rstrip("/") + path


def send_invitation(user, partnership, *, by, again=False):
    """Email the set-password link and record that it went."""
    context = {
        "name": user.get_full_name() or user.email,
        "partnership": partnership,
        "by": by.get_full_name() or by.get_username(),
        "link": invite_link(user),
        "days": settings.INVITE_DAYS,
        "username": user.get_username(),
    }
    body = render_to_string("plans/people/invite_email.txt", context)
    subject = f"You are invited to the {partnership.short_name} action tracker"
    EmailMessage(subject, body, to=[user.email]).send()
    kind = AccountEvent.Kind.REINVITED if again else AccountEvent.Kind.INVITED
    AccountEvent.objects.create(user=user, kind=kind, by=by)


@transaction.atomic
def invite(*, email, first_name, last_name, role, by):
    """Make an account for `email` with no usable password, give it `role` (unsaved, its
    user left empty) and email the set-password link. The username is the email address."""
    user = get_user_model().objects.create_user(
        username=email, email=email, first_name=first_name, last_name=last_name, password=None
    )
    role.user = user
    role.grant(by=by)
    send_invitation(user, role.partnership, by=by)
    return user


def accepted(user):
    AccountEvent.objects.create(user=user, kind=AccountEvent.Kind.PASSWORD_SET, by=user)


def set_active(user, active, *, by):
    """Deactivate (no sign-in, no reminders; roles and history kept) or reactivate."""
    if user.is_active == active:
        return False
    user.is_active = active
    user.save(update_fields=["is_active"])
    kind = AccountEvent.Kind.REACTIVATED if active else AccountEvent.Kind.DEACTIVATED
    AccountEvent.objects.create(user=user, kind=kind, by=by)
    return True


def role_changes(user):
    """Who gave this person what role, and who took it away, newest first, from Role history:
    [{"when", "by", "what": "Given"/"Changed"/"Removed", "kind", "scope"}]."""
    records = (
        Role.history.filter(user_id=user.pk)
        .select_related("history_user", "partnership", "group", "agency")
        .order_by("-history_date", "-history_id")
    )
    words = {"+": "Given", "~": "Changed", "-": "Removed"}
    return [
        {
            "when": record.history_date,
            "by": record.history_user,
            "what": words[record.history_type],
            "kind": Role.Kind(record.kind).label,
            "scope": _scope_of(record),
        }
        for record in records
    ]


def _scope_of(record):
    try:
        return str(record.group or record.agency or record.partnership.name)
    except ObjectDoesNotExist:  # a group or agency since removed from the database
        return "a group or agency no longer recorded"
