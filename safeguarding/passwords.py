"""Asking for a password-reset link.

Django's PasswordResetView, with three changes:

- the link in the email starts with SITE_URL, never with the host the request named;
- the answer takes the same time whether or not the email has an account: the same lookup
  and the same email rendering are done either way (for a stand-in when there is no
  account), and the sending, which waits on the mail server, happens on a thread of its own
  after the answer has been decided, for an empty list as for a full one;
- requests are throttled per email typed and per client address, in the database, so every
  app server counts them, and known and unknown emails alike.
"""

import logging
import threading
import weakref
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.contrib.auth.views import PasswordResetView
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.template import loader
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from . import audit
from .models import PasswordResetRequest
from .security import client_ip

logger = logging.getLogger(__name__)

PER_EMAIL = 3  # links asked for one email ...
PER_ADDRESS = 10  # ... or from one client address ...
WINDOW = timedelta(hours=1)  # ... in this long

_sending = weakref.WeakSet()


def email_digest(email):
    key = "safeguarding.passwords.reset"
    return salted_hmac(key, email.strip().lower(), algorithm="sha256").hexdigest()


def throttled(ip_address, email):
    """True once this email, or this address, has asked PER_EMAIL / PER_ADDRESS times within
    WINDOW. Refused requests are not counted, so a throttle ends on time."""
    since = timezone.now() - WINDOW
    PasswordResetRequest.objects.filter(requested_at__lt=since).delete()
    recent = PasswordResetRequest.objects.filter(requested_at__gte=since)
    return (
        recent.filter(email_digest=email_digest(email)).count() >= PER_EMAIL
        or recent.filter(ip_address=ip_address).count() >= PER_ADDRESS
    )


class ResetForm(PasswordResetForm):
    def reset_messages(self, *, subject_template_name, email_template_name, from_email=None):
        """The emails to send: one per active account with this email, each rendered in
        full. With no account, one is rendered for a stand-in and none is returned, so the
        work, and so the time, is the same."""
        email = self.cleaned_data["email"]
        users = list(self.get_users(email))
        stand_in = get_user_model()(email=email, password="!")  # noqa: S106 (unusable)
        messages = [
            self._message(user, subject_template_name, email_template_name, from_email)
            for user in users or [stand_in]
        ]
        return messages if users else []

    @staticmethod
    def _message(user, subject_template_name, email_template_name, from_email):
        email = getattr(user, get_user_model().get_email_field_name())
        context = {
            "email": email,
            "site_url": settings.SITE_URL.rstrip("/"),
            "uid": urlsafe_base64_encode(force_bytes(user.pk)),
            "user": user,
            "token": default_token_generator.make_token(user),
        }
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        return EmailMultiAlternatives(subject, body, from_email, [email])


def send_soon(messages):
    """Send `messages` on a thread of their own once the request's transaction has
    committed, so that the answer does not wait for the mail server. The thread is not a
    daemon: a worker that is recycled or stopped finishes sending before it exits."""

    def start():
        thread = threading.Thread(target=_send, args=(messages,), name="password-reset-email")
        _sending.add(thread)
        thread.start()

    transaction.on_commit(start)


def _send(messages):
    for message in messages:
        try:
            message.send()
        except Exception:
            logger.exception("A password reset email could not be sent")


def wait_for_sending(timeout=10):
    """Wait until the emails being sent have gone (the tests read them)."""
    for thread in list(_sending):
        thread.join(timeout)


class ResetView(PasswordResetView):
    form_class = ResetForm

    def form_valid(self, form):
        request, email = self.request, form.cleaned_data["email"]
        address = client_ip(request)
        if throttled(address, email):
            audit.record("password_reset_throttled", request)
            context = {"title": "Too many password reset links", "window_minutes": 60}
            return render(
                request, "registration/password_reset_throttled.html", context, status=429
            )
        PasswordResetRequest.objects.create(ip_address=address, email_digest=email_digest(email))
        send_soon(
            form.reset_messages(
                subject_template_name=self.subject_template_name,
                email_template_name=self.email_template_name,
                from_email=self.from_email,
            )
        )
        audit.record("password_reset_requested", request)
        return HttpResponseRedirect(self.get_success_url())
