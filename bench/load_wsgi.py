"""WSGI entry point for bench/load.py and tests/test_load.py only: never deploy it.

It serves the normal application (safeguarding.wsgi) with two additions for fault tests:

- a request carrying `X-Bench-Crash-Pdf: abort` makes the PDF renderer call os.abort(), so
  the worker process dies in the middle of the request as it would if the renderer crashed
  or the kernel killed it for memory; `X-Bench-Crash-Pdf: raise` makes the renderer raise an
  ordinary exception instead;
- every response says which worker process answered it (`X-Bench-Worker: <pid>`), so a
  benchmark can tell a recovered worker from a replaced one.

Production code knows nothing of either: the renderer is swapped here, in this module, for
one that checks a per-request flag before calling the real one.
"""

import os
import resource
import threading

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguarding.settings")

from django.core.wsgi import get_wsgi_application  # noqa: E402

django_application = get_wsgi_application()

import oversight.views.meetings  # noqa: E402  (it holds its own reference to render_pdf)
import plans.pdf  # noqa: E402

CRASH_HEADER = "HTTP_X_BENCH_CRASH_PDF"
WORKER_HEADER = "X-Bench-Worker"

_request = threading.local()
_real_render_pdf = plans.pdf.render_pdf


class BenchRendererError(RuntimeError):
    """The renderer failing inside the process (a bug, a bad document)."""


def render_pdf(html, **kwargs):
    mode = getattr(_request, "crash_pdf", None)
    if mode == "abort":
        # A dying process must not leave a core file in the working directory.
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        os.abort()
    if mode == "raise":
        raise BenchRendererError("bench: the PDF renderer failed on purpose")
    return _real_render_pdf(html, **kwargs)


# reviews/pdf.py imports render_pdf from plans.pdf when called; meetings.py at import time.
plans.pdf.render_pdf = render_pdf
oversight.views.meetings.render_pdf = render_pdf


def application(environ, start_response):
    _request.crash_pdf = environ.get(CRASH_HEADER)
    pid = str(os.getpid())

    def start_with_worker(status, headers, exc_info=None):
        return start_response(status, [*headers, (WORKER_HEADER, pid)], exc_info)

    try:
        return django_application(environ, start_with_worker)
    finally:
        _request.crash_pdf = None
