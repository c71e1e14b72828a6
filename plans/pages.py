"""What every page needs besides its own data: the title from one place and the navigation."""

from urllib.parse import urlsplit

from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme

from .access import scope_for
from .models import Partnership

SERVICE_NAME = "Action tracker"

# (url name, text, who sees it: "all", "editor" or "officer"). Short words: an officer sees all
# ten, and at 19 px they fit one line of the 960 px page only this short (static/src/app.scss).
NAV = [
    ("oversight:dashboard", "Dashboard", "all"),
    ("oversight:my_actions", "My actions", "editor"),
    ("oversight:action_list", "All actions", "all"),
    ("plans:plan_list", "Plans", "all"),
    ("oversight:meeting_list", "Meetings", "all"),
    ("reviews:review_list", "Case reviews", "all"),
    ("risks:risk_home", "Risks", "all"),
    ("quality:quality_home", "Quality", "all"),
    ("performance:performance_home", "Data set", "all"),
    ("plans:people_list", "People", "officer"),
]


def page_title(title, partnership=None):
    """'Page - Partnership name - Action tracker', the title every page carries."""
    parts = [title, partnership.name if partnership else "", SERVICE_NAME]
    return " - ".join(part for part in parts if part)


def current_partnership(request):
    """The partnership the header names when a page is not about one: the user's first."""
    scope = scope_for(request.user)
    if not scope.readable_partnerships:
        return None
    first = min(scope.readable_partnerships)
    if first in scope.partnerships:  # loaded with the roles: no query
        return scope.partnerships[first]
    return Partnership.objects.filter(pk=first).first()


def section_of(request):
    """The NAV entry for the request's app when that app has only one (Case reviews, Risks,
    Quality, Data set), so each of its pages marks it without naming it."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return None
    same = [name for name, _text, _audience in NAV if name.split(":")[0] == match.namespace]
    return same[0] if len(same) == 1 else None


def came_from(request, fallback):
    """Where a back link goes: the page of this site the reader came from (the Referer, same
    origin only, never a sign-in page, this page or one under it such as its form), else
    `fallback`. Returns (url, whether it is where they came from)."""
    referer = request.META.get("HTTP_REFERER", "")
    trusted = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    if not referer or not trusted:
        return fallback, False
    parts = urlsplit(referer)
    if parts.path.startswith(("/accounts/", request.path)):
        return fallback, False
    return parts.path + (f"?{parts.query}" if parts.query else ""), True


def nav_items(request, current=None):
    if not request.user.is_authenticated:
        return []
    current = current or section_of(request)
    scope = scope_for(request.user)
    shown = {
        "all": True,
        "editor": scope.can_edit_anything,
        "officer": scope.is_an_officer,
    }
    items = []
    for name, text, audience in NAV:
        if not shown[audience]:
            continue
        try:
            href = reverse(name)
        except NoReverseMatch:
            continue  # a section that is not switched on
        items.append({"href": href, "text": text, "current": name == current})
    return items


def page(request, title, *, partnership=None, nav=None, **context):
    """A page's context: its own data plus the title, header and navigation.

    The title starts "Error: " when the page's `form` has errors (GOV.UK pattern).
    """
    partnership = partnership or current_partnership(request)
    form = context.get("form")
    if form is not None and form.errors and not title.startswith("Error: "):
        title = f"Error: {title}"
    return {
        "page_title": page_title(title, partnership),
        "heading": title.removeprefix("Error: "),
        "partnership": partnership,
        "partnership_name": partnership.name if partnership else "Safeguarding partnership",
        "nav_items": nav_items(request, nav),
        **context,
    }
