"""Who is asking: the client address behind the load balancer, and the username axes counts."""

from django.conf import settings
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


def lockout_response(request, *args):
    """The page shown instead of signing in while the username and address are locked out."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes}
    return render(
        request, "registration/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE
    )
