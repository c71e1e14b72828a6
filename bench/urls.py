from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template import engines
from django.urls import path

from plans.models import Action
from safeguarding.urls import urlpatterns as project_urls

TABLE = engines["django"].from_string(
    "<!DOCTYPE html><html lang='en'><head><title>Ceiling</title></head><body><table>"
    "{% for row in rows %}<tr><td>{{ row.0 }}</td><td>{{ row.1 }}</td><td>{{ row.2 }}</td>"
    "</tr>{% endfor %}</table></body></html>"
)


@login_required
def ceiling(request):
    """The least a logged-in Django page showing data can do: read 100 rows of the action
    table in one query and render them as a plain table."""
    rows = Action.objects.order_by("pk").values_list("ref", "text", "timescale")[:100]
    return HttpResponse(TABLE.render({"rows": rows}, request))


urlpatterns = [path("bench/ceiling/", ceiling), *project_urls]
