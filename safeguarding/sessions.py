"""The session's own clock: when it started and when it was last used (read by
SessionExpiryMiddleware, started by the sign-in and by the second factor)."""

import time

STARTED = "_session_started"
LAST_SEEN = "_session_last_seen"


def start_session_clock(request):
    request.session[STARTED] = request.session[LAST_SEEN] = time.time()
