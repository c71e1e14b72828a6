"""Views that belong to the running service rather than to any one app: the health check the
load balancer polls and the error pages."""

import sys

from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, IntegrityError, InterfaceError, connection, transaction
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import audit, clashes


@transaction.non_atomic_requests
@never_cache
@require_GET
def healthz(request):
    """200 when this server can run a query on the database, 503 when it cannot.

    Open to anyone and says nothing about the data: a load balancer takes a server out of
    rotation while it answers 503.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except (DatabaseError, InterfaceError):
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@never_cache
@login_required
@require_GET
def keepalive(request):
    """Called by the page's script while someone types (static/src/init.js): the request
    itself is what counts, as SessionExpiryMiddleware notes its time."""
    return HttpResponse(status=204)


def permission_denied(request, exception=None):
    """handler403: Django's 403 page (templates/403.html), with the refusal in the audit log."""
    audit.record("access_denied", request)
    return defaults.permission_denied(request, exception)


def server_error(request):
    """handler500: 400 saying what clashed when the database refused a write that breaks a
    rule (the request's transaction was rolled back, so nothing was written); 503 'try again
    shortly' when the database is unreachable; else 500.

    No request context: these pages must render when the database (and so the session, the
    user and the navigation) cannot be read.
    """
    error = sys.exc_info()[1]
    if isinstance(error, IntegrityError):
        page = loader.render_to_string("errors/clash.html", {"clash": clashes.describe(error)})
        return HttpResponse(page, status=400)
    if isinstance(error, DatabaseError | InterfaceError):
        response = HttpResponse(loader.render_to_string("errors/503.html"), status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponse(loader.render_to_string("errors/500.html"), status=500)
