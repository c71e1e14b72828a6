"""The workstreams in the layout their users know (seed 000): objective, origin, actions; and
their setting up by board officers (their actions use the shared pages in plans/)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from plans.access import get_managed, get_managed_partnership, get_partnership_for_user, scope_for
from plans.models import Action
from plans.pages import page
from plans.sorting import Sorter, severity
from plans.views.editing import form_page

from .forms import WorkstreamForm
from .models import Workstream

# Each workstream's table sorts the same way; its own numbering is the default.
SORTER = Sorter(
    {
        "no": ("No.", ("position",)),
        "action": ("Action", ("text",)),
        "lead": ("Lead", ("lead_text",)),
        "rating": ("Rating", (severity,)),
    },
    default="no",
)


@login_required
@require_safe
def workstream_list(request, partnership):
    partnership = get_partnership_for_user(request, partnership)
    workstreams = list(
        Workstream.objects.filter(partnership=partnership, archived_at=None)
        .prefetch_related("reviews")
        .order_by("number")
    )
    actions = Action.objects.for_list().filter(
        parent__in=[ws.pk for ws in workstreams], withdrawn_on=None
    )
    sort = request.GET.get("sort")
    by_parent = {}
    for action in SORTER.apply(actions, sort):
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
            headings=SORTER.headings(request.GET, sort),
            # Moving actions up and down makes sense only in their own order.
            in_own_order=SORTER.is_default(sort),
            is_officer=scope_for(request.user).is_officer_of(partnership.pk),
        ),
    )


def _save(request, form, title, partnership, saved):
    if request.method == "POST" and form.is_valid():
        workstream = form.save()
        messages.success(request, saved.format(number=workstream.number))
        return redirect(workstream.manage_url)
    link = reverse("workstreams:workstream_list", args=[partnership.short_name])
    return form_page(
        request,
        form,
        title,
        partnership=partnership,
        crumbs=[(link, "Workstreams")],
        caption=partnership.name,
        cancel_url=link,
    )


@login_required
@require_http_methods(["GET", "POST"])
def workstream_create(request, partnership):
    partnership = get_managed_partnership(request, partnership)
    taken = Workstream.objects.filter(partnership=partnership, archived_at=None)
    number = max(taken.values_list("number", flat=True), default=0) + 1
    form = WorkstreamForm(
        request.POST or None,
        instance=Workstream(partnership=partnership),
        initial={"number": number},
    )
    return _save(request, form, "Add a workstream", partnership, "Workstream {number} is added")


@login_required
@require_http_methods(["GET", "POST"])
def workstream_edit(request, pk):
    workstream = get_managed(
        request, Workstream.objects.select_related("partnership"), pk=pk, archived_at=None
    )
    form = WorkstreamForm(request.POST or None, instance=workstream)
    title = f"Edit workstream {workstream.number}"
    return _save(request, form, title, workstream.partnership, "Workstream {number} is saved")
