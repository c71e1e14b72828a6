"""Archive and restore plans, workstreams and reviews (board officers and administrators)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from plans.access import require_officer, scope_for
from plans.models import Partnership
from plans.pages import page

from .. import archive


def _get(request, key, pk, *, archived):
    """The object if the user may read it (404 otherwise) and may archive it (403)."""
    kind = archive.kind_for(key)
    model = kind.model_class()
    scope = scope_for(request.user)
    try:
        obj = model.objects.select_related("partnership").get(
            pk=pk,
            partnership__in=scope.readable_partnerships,
            archived_at__isnull=not archived,
        )
    except model.DoesNotExist as exc:
        raise Http404(f"No such {kind.label}") from exc
    require_officer(request, obj.partnership)
    return kind, obj


@login_required
@require_safe
def archive_list(request):
    scope = scope_for(request.user)
    partnerships = [
        p
        for p in Partnership.objects.filter(pk__in=scope.readable_partnerships)
        if scope.is_officer_of(p.pk)
    ]
    if not partnerships:
        raise PermissionDenied("Only board officers and administrators can see the archive.")
    items = []
    for kind in archive.KINDS.values():
        objects = list(
            kind.model_class()
            .objects.filter(partnership__in=partnerships, archived_at__isnull=False)
            .select_related("partnership")
        )
        by = archive.archived_by(kind, objects)
        for obj in objects:
            user = by.get(obj.pk)
            items.append(
                {
                    "kind": kind,
                    "obj": obj,
                    "name": kind.name(obj),
                    "archived_by": (user.get_full_name() or user.get_username())
                    if user
                    else "unknown",
                }
            )
    items.sort(key=lambda item: item["obj"].archived_at, reverse=True)
    return render(
        request,
        "oversight/archive_list.html",
        page(request, "Archive", nav="plans:plan_list", items=items),
    )


@login_required
@require_http_methods(["GET", "POST"])
def archive_object(request, kind, pk):
    kind, obj = _get(request, kind, pk, archived=False)
    name = kind.name(obj)
    if request.method == "POST":
        obj.archive(by=request.user)
        messages.success(
            request, f"{name} is archived. You can restore it from this page at any time."
        )
        return redirect("oversight:archive_list")
    return render(
        request,
        "oversight/archive_confirm.html",
        page(
            request,
            f"Archive {name}",
            partnership=obj.partnership,
            kind=kind,
            obj=obj,
            name=name,
            back=kind.url(obj),
        ),
    )


@login_required
@require_POST
def restore_object(request, kind, pk):
    kind, obj = _get(request, kind, pk, archived=True)
    obj.restore(by=request.user)
    messages.success(request, f"{kind.name(obj)} is restored.")
    return redirect(kind.url(obj))
