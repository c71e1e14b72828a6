"""Who is asking (the client address behind the load balancer, the username axes counts) and
how many times they may get the password wrong."""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Max, Sum
from django.shortcuts import render


def client_ip(request):
    """The client's address: REMOTE_ADDR, or with TRUSTED_PROXY_COUNT proxies in front, the
    address the outermost trusted proxy saw (counted from the right of X-Forwarded-For, so a
    client cannot choose its own address by sending the header itself)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def axes_username(request, credentials):
    """Usernames are matched case-insensitively, so 'Chair' and 'chair' share one count."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    return username.strip().lower()[:150]


class LockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler, with a limit per account besides its limit per username
    and address.

    AXES_ACCOUNT_FAILURE_LIMIT failed sign-ins for one username, from any mix of addresses,
    hold the account for AXES_ACCOUNT_COOLOFF_TIME after the last of them, whoever asks and
    from wherever: spreading guesses over many addresses gains nothing. The failures counted
    are those axes still counts for each address (AXES_COOLOFF_TIME). The hold is shorter
    than an address's lockout, and attempts refused during it are not counted
    (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT off), so it ends on time: nobody can keep
    a person out for long.
    """

    def is_locked(self, request, credentials=None):
        if super().is_locked(request, credentials):
            return True
        return self.account_held(request, credentials)

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        # The failure that reaches the account's limit is refused as a lockout at once, as
        # the one that reaches an address's limit is.
        if (
            request is not None
            and not request.axes_locked_out
            and self.account_held(request, credentials)
        ):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )

    @staticmethod
    def account_held(request, credentials=None):
        username = get_client_username(request, credentials)
        if not username:
            return False
        now = request.axes_attempt_time
        counted = AccessAttempt.objects.filter(
            username=username, attempt_time__gte=now - settings.AXES_COOLOFF_TIME
        ).aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        failures, last = counted["failures"] or 0, counted["last"]
        held = failures >= settings.AXES_ACCOUNT_FAILURE_LIMIT
        held = held and last > now - settings.AXES_ACCOUNT_COOLOFF_TIME
        request.account_held = held  # read by lockout_response, for the page's wording
        return held


def lockout_response(request, *args):
    """The page shown instead of signing in while the username and address are locked out,
    or the account is held (LockoutHandler); the address's lockout is the longer."""
    if getattr(request, "account_held", False):  # and the address is not locked out
        limit, cooloff = settings.AXES_ACCOUNT_FAILURE_LIMIT, settings.AXES_ACCOUNT_COOLOFF_TIME
    else:
        limit, cooloff = settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME
    context = {
        "failure_limit": limit,
        "cooloff_minutes": int(cooloff.total_seconds() // 60),
        "account": getattr(request, "account_held", False),
    }
    return render(
        request, "registration/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE
    )
