"""Header and navigation for pages whose views do not build them (sign-in, password pages).

Views that use plans.pages.page() pass their own values, which win over these. These are
callables, so a template that never prints them costs no query.
"""

from django.conf import settings

from .pages import current_partnership, nav_items


def chrome(request):
    def partnership_name():
        partnership = current_partnership(request)
        return partnership.name if partnership else "Safeguarding partnership"

    return {
        "partnership_name": partnership_name,
        "nav_items": lambda: nav_items(request),
        "session_idle_minutes": settings.SESSION_IDLE_MINUTES,
    }
