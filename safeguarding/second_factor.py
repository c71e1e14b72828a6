"""One-time-password second factor (django-otp): optional for everyone, required for
administrators.

After the password, a person with a confirmed authenticator app is asked for its current
6-digit code (or one of their recovery codes); an administrator without one is sent to set one
up first. SecondFactorMiddleware (safeguarding/middleware.py) holds them on those pages until
they pass.
"""

import operator
import secrets
from base64 import b32encode
from functools import reduce

import segno
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.db.models import Exists, OuterRef, Value
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.module_loading import import_string
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import device_classes, match_token, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import audit
from .sessions import start_session_clock

NONE, ENROLLED, REQUIRED = "none", "enrolled", "required"
RECOVERY_CODES = 10
APP_DEVICE_NAME = "Authenticator app"


def _administrator_roles():
    """The roles that make a person an administrator: a queryset with a `user` field, from
    settings.SECOND_FACTOR_ADMIN_ROLES (this package imports no app; the app names them)."""
    return import_string(settings.SECOND_FACTOR_ADMIN_ROLES)()


def must_use_second_factor(user):
    """Administrators: superusers, staff (the Django admin) and anyone with an admin role."""
    if user.is_superuser or user.is_staff:
        return True
    return _administrator_roles().filter(user=user).exists()


def with_second_factor_facts(users):
    """`users` annotated with what compute_state needs besides the user's own flags: whether
    each has a confirmed app (or recovery codes) and an administrator role."""
    devices = [
        Exists(model.objects.filter(user=OuterRef("pk"), confirmed=True))
        for model in device_classes()
    ]
    return users.annotate(
        second_factor_device=reduce(operator.or_, devices) if devices else Value(False),
        second_factor_admin_role=Exists(_administrator_roles().filter(user=OuterRef("pk"))),
    )


class UserBackend(ModelBackend):
    """Django's ModelBackend, reading the signed-in user for each request together with the
    facts the second factor depends on, so that they are current on every request at no
    extra query (see state())."""

    def get_user(self, user_id):
        users = with_second_factor_facts(get_user_model()._default_manager.filter(pk=user_id))
        user = users.first()
        return user if user is not None and self.user_can_authenticate(user) else None


def compute_state(user):
    """ENROLLED (has a confirmed app), REQUIRED (an administrator without one) or NONE."""
    if not hasattr(user, "second_factor_device"):  # not read through UserBackend.get_user
        users = with_second_factor_facts(user._meta.model._default_manager.filter(pk=user.pk))
        user = users.first() or user
    if getattr(user, "second_factor_device", False):
        return ENROLLED
    if user.is_superuser or user.is_staff or getattr(user, "second_factor_admin_role", False):
        return REQUIRED
    return NONE


def state(request):
    """The person's second-factor state for this request.

    Worked out on every request that has not passed the second factor, never kept in the
    session: a session opened before the person was made staff, superuser or administrator,
    or before they set up an app elsewhere, must then give a code like any new one. The
    facts come with the request's user row (UserBackend), so this costs no query.
    """
    value = getattr(request, "_second_factor_state", None)
    if value is None:
        value = request._second_factor_state = compute_state(request.user)
    return value


def _on_sign_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        start_session_clock(request)


def connect():
    user_logged_in.connect(_on_sign_in, dispatch_uid="safeguarding.second_factor.sign_in")


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=16,
        help_text="The 6-digit code your authenticator app shows now, or a recovery code.",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "spellcheck": "false",
                "class": "govuk-input--width-10",
            }
        ),
        error_messages={"required": "Enter the code from your authenticator app"},
    )

    def clean_code(self):
        return "".join(self.cleaned_data["code"].split())


def _next_url(request):
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


@never_cache
@sensitive_post_parameters("code")
@login_required
def verify(request):
    """Ask for the current code after the password."""
    if request.user.is_verified():
        return redirect(_next_url(request))
    if state(request) == REQUIRED:
        return redirect("two_factor_setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            audit.record("second_factor_passed", request, device=type(device).__name__)
            return redirect(_next_url(request))
        audit.record("second_factor_failed", request)
        form.add_error(
            "code",
            "The code is not right, or has expired. Enter the code your app shows now. "
            "After several wrong codes you must wait a little before trying again.",
        )
    return render(
        request,
        "registration/two_factor_verify.html",
        # No navigation: nothing else opens until the code is entered.
        {
            "form": form,
            "next": _next_url(request),
            "page_title": "Enter your code",
            "nav_items": [],
        },
    )


@never_cache
@sensitive_post_parameters("code")
@login_required
def setup(request):
    """Set up an authenticator app: scan the QR code, type one code back to confirm."""
    user = request.user
    if user_has_device(user, confirmed=True):
        if not user.is_verified():
            return redirect("two_factor_verify")
        return render(
            request,
            "registration/two_factor_done.html",
            {"page_title": "Two-step verification is on", "codes": None},
        )
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            codes = _confirm(user, device)
            otp_login(request, device)
            request._second_factor_state = ENROLLED
            audit.record("second_factor_set_up", request)
            return render(
                request,
                "registration/two_factor_done.html",
                {
                    "page_title": "Two-step verification is on",
                    "codes": codes,
                    "next": _next_url(request),
                },
            )
        audit.record("second_factor_failed", request, during="set_up")
        form.add_error("code", "The code is not right. Enter the code your app shows now.")
    secret = b32encode(device.bin_key).decode()
    required = must_use_second_factor(user)
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": segno.make(device.config_url, error="m").svg_inline(
                scale=5, title="QR code for your authenticator app"
            ),
            "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
            "next": _next_url(request),
            "page_title": "Set up two-step verification",
            "required": required,
            **({"nav_items": []} if required else {}),
        },
    )


@transaction.atomic
def _confirm(user, device):
    """Confirm the app and issue fresh recovery codes (shown once)."""
    device.confirmed = True
    device.save()
    TOTPDevice.objects.filter(user=user, confirmed=False).exclude(pk=device.pk).delete()
    StaticDevice.objects.filter(user=user).delete()
    recovery = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [_recovery_code() for _ in range(RECOVERY_CODES)]
    for code in codes:
        StaticToken.objects.create(device=recovery, token=code)
    return codes


def _recovery_code():
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(10))
