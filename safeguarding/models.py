"""The project package's own table: the password-reset throttle (safeguarding/passwords.py).

Kept here, not in an app, because this package imports no app."""

from django.db import models
from django.utils import timezone


class PasswordResetRequest(models.Model):
    """One request for a password-reset link, kept for an hour so that requests can be
    throttled per email and per client address across every app server
    (safeguarding/passwords.py). It holds no email address, only a keyed digest of the one
    typed, so it says nothing about people who have no account."""

    requested_at = models.DateTimeField(default=timezone.now, db_index=True)
    ip_address = models.CharField(max_length=45, blank=True)
    email_digest = models.CharField(max_length=64)

    class Meta:
        indexes = [
            models.Index(fields=["email_digest", "requested_at"], name="reset_by_email"),
            models.Index(fields=["ip_address", "requested_at"], name="reset_by_address"),
        ]

    def __str__(self):
        return f"Password reset asked for at {self.requested_at:%Y-%m-%d %H:%M}"
