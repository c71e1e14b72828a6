"""Saving the columns a person chose for All actions (oversight/columns.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from ..columns import ColumnsForm
from ..models import ColumnChoice


@login_required
@require_POST
def choose_columns(request):
    """Remember the ticked columns and go back to All actions with its filters and sort.

    The way back is rebuilt from the posted query string, so it can only ever be All actions.
    """
    form = ColumnsForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("Choose columns from the list.")
    ColumnChoice.remember(request.user, form.chosen())
    messages.success(request, "Your columns are saved.")
    query = QueryDict(request.POST.get("query", ""))
    target = reverse("oversight:action_list")
    return redirect(f"{target}?{query.urlencode()}" if query else target)
