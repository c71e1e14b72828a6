from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.template import engines
from django.urls import path
from django.utils import timezone

from oversight.views.actions import (
    PAGE_SIZE,
    bmg_deadlines,
    bmg_meetings_by_partnership,
    tally_rows,
)
from plans.access import scope_for
from plans.models import Action
from safeguarding.urls import urlpatterns as project_urls

TABLE = engines["django"].from_string(
    "<!DOCTYPE html><html lang='en'><head><title>Ceiling</title></head><body><table>"
    "{% for row in rows %}<tr><td>{{ row.0 }}</td><td>{{ row.1 }}</td><td>{{ row.2 }}</td>"
    "</tr>{% endfor %}</table></body></html>"
)


def ceiling_page(request):
    rows = Action.objects.order_by("pk").values_list("ref", "text", "timescale")[:100]
    return HttpResponse(TABLE.render({"rows": rows}, request))


@login_required
def ceiling(request):
    """The least a logged-in Django page showing data can do: read 100 rows of the action
    table in one query and render them as a plain table."""
    return ceiling_page(request)


@login_required
def list_floor(request):
    """The ceiling plus the reads All actions cannot do without when nothing is cached: the
    count of the reader's actions and their first page (the page's own queryset), and even
    that generously: rows as tuples of the action's own columns and its latest comment, not
    model objects, and without the parents' labels; nothing of it rendered. A page that makes
    those reads on each request cannot run faster than this, whatever else it leaves out."""
    actions = (
        Action.objects.visible_to(request.user)
        .for_page()
        .values_list(
            "pk",
            "reference",
            "text",
            "lead_text",
            "due_date",
            "revised_due_date",
            "timescale",
            "current_rating",
            "current_as_of",
            "latest_update__comment",
        )
    )
    list(Paginator(actions, PAGE_SIZE).get_page(1).object_list)
    return ceiling_page(request)


@login_required
def dashboard_floor(request):
    """The ceiling plus the dashboard's one aggregate (oversight.views.actions.tally_rows,
    the counts by rating of the reader's 10,000 actions), with the reader's scope and BMG
    dates it needs; nothing of it rendered."""
    today = timezone.localdate()
    partnerships = scope_for(request.user).readable_partnerships
    since, next_bmg = bmg_deadlines(partnerships, today, bmg_meetings_by_partnership(partnerships))
    list(tally_rows(request.user, today, since, next_bmg))
    return ceiling_page(request)


urlpatterns = [
    path("bench/ceiling/", ceiling),
    path("bench/list-floor/", list_floor),
    path("bench/dashboard-floor/", dashboard_floor),
    *project_urls,
]
