"""Session limits, the second-factor gate and no caching of signed-in pages, applied to every
request."""

import functools
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from . import audit, second_factor
from .sessions import LAST_SEEN, STARTED

# The last-seen time is written back at most this often, so reading pages does not write
# the session on every request.
TOUCH_EVERY = 60


class NoStoreMiddleware:
    """Marks every answer to a signed-in browser, and every download, as not to be stored by
    the browser or any proxy (`Cache-Control: no-store, private`): pages, exports and PDFs
    are OFFICIAL-SENSITIVE, and a shared computer's cache or back button must not show them
    after sign-out.

    It goes by the session cookie, not request.user, so it costs no query and still marks
    the error pages shown while the database is down. Static files are answered by WhiteNoise
    before this runs and stay cacheable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.SESSION_COOKIE_NAME in request.COOKIES or response.has_header(
            "Content-Disposition"
        ):
            add_never_cache_headers(response)
        return response


class SessionExpiryMiddleware:
    """Ends a signed-in session after SESSION_IDLE_MINUTES without a request, or
    SESSION_ABSOLUTE_HOURS after sign-in however active it is, and sends the person to the
    sign-in page with a message saying why."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated:
            expired = self.check(request)
            if expired:
                return expired
        return self.get_response(request)

    def check(self, request):
        session, now = request.session, time.time()
        started, last_seen = session.get(STARTED), session.get(LAST_SEEN)
        if started is None or last_seen is None:
            session[STARTED] = session[LAST_SEEN] = now
            return None
        if now - last_seen > settings.SESSION_IDLE_MINUTES * 60:
            reason = "idle"
            text = (
                f"You were signed out because you had not done anything for "
                f"{settings.SESSION_IDLE_MINUTES} minutes. Sign in again to carry on."
            )
        elif now - started > settings.SESSION_ABSOLUTE_HOURS * 3600:
            reason = "absolute"
            text = (
                f"You were signed out because you had been signed in for "
                f"{settings.SESSION_ABSOLUTE_HOURS} hours. Sign in again to carry on."
            )
        else:
            # Only on reads: a session write after an update's transaction has committed
            # could fail on its own and show "not saved" for a saved update.
            if now - last_seen > TOUCH_EVERY and request.method in ("GET", "HEAD"):
                session[LAST_SEEN] = now
            return None
        audit.record("session_expired", request, reason=reason)
        logout(request)
        messages.info(request, text)
        if request.method == "GET":
            return redirect_to_login(request.get_full_path())
        return redirect(settings.LOGIN_URL)


class SecondFactorMiddleware:
    """Sends a signed-in person who has set up a one-time-password app, or must have one
    (administrators), to enter a code (or to set the app up) before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.SESSION_COOKIE_NAME in request.COOKIES
            and request.user.is_authenticated
            and not request.user.is_verified()
        ):
            page = self.CODE_PAGES.get(second_factor.state(request))
            if page and not request.path.startswith(self.open_paths()):
                return redirect_to_login(request.get_full_path(), reverse(page), "next")
        return self.get_response(request)

    CODE_PAGES = {
        second_factor.ENROLLED: "two_factor_verify",
        second_factor.REQUIRED: "two_factor_setup",
    }

    @staticmethod
    @functools.cache
    def open_paths():
        """What someone who still owes a code may open."""
        return (
            reverse("two_factor_verify"),
            reverse("two_factor_setup"),
            reverse("logout"),
            reverse("healthz"),
            "/" + settings.STATIC_URL.lstrip("/"),
        )
