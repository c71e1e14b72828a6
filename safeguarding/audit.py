"""The audit trail: who signed in, who failed to, who was locked out, who downloaded what.

One JSON object per line on the "safeguarding.audit" logger (see LOGGING in settings). Entries
name the user and the client address and carry the time from the log formatter. They never
carry a password, a one-time code, a session key, a CSRF token or a query string: only the
fields passed here by name, and those are all identifiers chosen by our own code.
"""

import json
import logging

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .security import client_ip

logger = logging.getLogger("safeguarding.audit")


def record(event, request=None, *, user=None, username=None, **fields):
    """Write one audit entry. `fields` are short identifiers (ids, codes, formats)."""
    if user is None and request is not None:
        user = getattr(request, "user", None)
    entry = {"event": event}
    if user is not None and user.is_authenticated:
        entry["user"] = user.get_username()
        entry["user_id"] = user.pk
    elif username is not None:
        entry["user"] = str(username)[:150]
    if request is not None:
        entry["ip"] = client_ip(request)
        entry["method"] = request.method
        entry["path"] = request.path  # never the query string
    entry.update(fields)
    logger.info(json.dumps(entry, sort_keys=True, default=str))


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs):
    record("sign_in", request, user=user)


@receiver(user_logged_out)
def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        record("sign_out", request, user=user)


@receiver(user_login_failed)
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked the password in `credentials`; only the username is kept.
    record("sign_in_failed", request, username=credentials.get("username", ""))


def _locked_out(sender, request, username, ip_address, **kwargs):
    record("locked_out", request, username=username)


def connect_axes():
    from axes.signals import user_locked_out

    user_locked_out.connect(_locked_out, dispatch_uid="safeguarding.audit.locked_out")
