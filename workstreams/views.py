"""The workstreams in the layout their users know (seed 000): objective, origin, actions."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from plans.access import get_partnership_for_user, scope_for
from plans.models import Action
from plans.pages import page

from .models import Workstream


@login_required
@require_safe
def workstream_list(request, partnership):
    partnership = get_partnership_for_user(request, partnership)
    workstreams = list(
        Workstream.objects.filter(partnership=partnership, archived_at=None)
        .prefetch_related("reviews")
        .order_by("number")
    )
    actions = Action.objects.for_list().filter(parent__in=[ws.pk for ws in workstreams])
    by_parent = {}
    for action in actions.order_by("position"):
        by_parent.setdefault(action.parent_id, []).append(action)
    rows = [(ws, by_parent.get(ws.pk, [])) for ws in workstreams]
    return render(
        request,
        "workstreams/workstream_list.html",
        page(
            request,
            "Practice improvement workstreams",
            partnership=partnership,
            rows=rows,
            is_officer=scope_for(request.user).is_officer_of(partnership.pk),
        ),
    )
