"""Uploading a plan file, checking its preview and confirming or cancelling the import.

Only a partnership's board officers and administrators import into it (404 for an upload of
another partnership's, 403 for a reader). The parsed file waits in a PendingImport row, so any
app process can show its preview and apply it.
"""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from plans.access import get_partnership_for_user, require_officer, scope_for
from plans.importing import HEADER_KINDS, ImportFailed, max_bytes
from plans.models import Partnership
from plans.pages import page
from reviews.models import CaseReview
from reviews.views import crumbs, is_officer
from safeguarding.uploads import accepts_uploads

from ..forms import ImportForm
from ..importing import ImportOptions, apply_parsed, parse_file
from ..models import PendingImport

PENDING_LIFETIME = timedelta(days=1)
PROBLEMS_SHOWN = 200


def _pending_for_user(request, pk):
    """A pending upload: only its partnership's officers see it (404 otherwise)."""
    readable = scope_for(request.user).readable_partnerships
    pending = PendingImport.objects.filter(pk=pk, partnership__in=readable).first()
    if pending is None or not is_officer(request.user, pending.partnership):
        raise Http404("No such upload")
    if pending.created_at < timezone.now() - PENDING_LIFETIME:
        # Expired ones are deleted by the next upload (a 404 here rolls the request back).
        raise Http404("This upload has expired: upload the file again")
    return pending


def _options(pending_or_data, partnership, user, dry_run):
    data = pending_or_data
    return ImportOptions(
        partnership=partnership,
        user=user,
        review_code=data.get("review_code", ""),
        review_title=data.get("review_title", ""),
        review_kind=data.get("review_kind") or CaseReview.Kind.SCR,
        plan_name=data.get("plan_name", ""),
        create_agencies=bool(data.get("create_agencies")),
        dry_run=dry_run,
    )


def column_list(header):
    """ "Outcome, ..., Audit of implementation; optional: Progress, Provenance", from the
    importer's own definition so the page never drifts from what it accepts."""
    required = [h for name, h in header.columns if name not in header.optional]
    optional = [h for name, h in header.columns if name in header.optional]
    return ", ".join(required) + (f"; optional: {', '.join(optional)}" if optional else "")


def may_import(request, short_name):
    """Whether the upload may be stored at all (safeguarding/uploads.py): only the
    partnership's officers import, so nobody else's file is kept even briefly."""
    partnership = Partnership.objects.filter(short_name=short_name).first()
    return partnership is not None and is_officer(request.user, partnership)


@accepts_uploads(may_import)
@login_required
def import_upload(request, short_name):
    partnership = get_partnership_for_user(request, short_name)
    require_officer(request, partnership)
    initial = {"review_code": request.GET.get("review", "")}
    form = ImportForm(request.POST or None, request.FILES or None, initial=initial)
    problems = []
    if getattr(request, "upload_too_large", False):
        # safeguarding/uploads.py dropped the file while it arrived; say why it is missing.
        form.is_valid()
        form.errors.pop("file", None)
        form.add_error(
            "file", f"The selected file must be smaller than {max_bytes() / (1024 * 1024):g} MB"
        )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        options = {
            name: form.cleaned_data[name]
            for name in ("review_code", "review_title", "review_kind", "plan_name")
        }
        options["create_agencies"] = form.cleaned_data["create_agencies"]
        try:
            parsed = parse_file(
                upload.read(), upload.name, check_agencies=not options["create_agencies"]
            )
            summary = apply_parsed(parsed, _options(options, partnership, request.user, True))
        except ImportFailed as failed:
            problems = failed.problems
        else:
            PendingImport.objects.filter(created_at__lt=timezone.now() - PENDING_LIFETIME).delete()
            pending = PendingImport.objects.create(
                partnership=partnership,
                uploaded_by=request.user,
                filename=parsed["filename"][:255],
                kind=parsed["kind"],
                options=options,
                payload=parsed,
                summary=summary.as_dict(),
            )
            return redirect("oversight:import_preview", pk=pending.pk)
    title = "Import an action plan"
    return render(
        request,
        "oversight/import_upload.html",
        page(
            request,
            f"Error: {title}" if (form.errors or problems) else title,
            partnership=partnership,
            nav="reviews:review_list",
            form=form,
            problems=problems[:PROBLEMS_SHOWN],
            problem_count=len(problems),
            columns={kind: column_list(header) for kind, header in HEADER_KINDS.items()},
            breadcrumbs=crumbs(("", "Import")),
        ),
        status=400 if problems else 200,
    )


@login_required
@require_safe
def import_preview(request, pk):
    pending = _pending_for_user(request, pk)
    payload = pending.payload
    items = payload.get("recommendations") or payload.get("objectives") or []
    return render(
        request,
        "oversight/import_preview.html",
        page(
            request,
            f"Check the import of {pending.filename}",
            partnership=pending.partnership,
            nav="reviews:review_list",
            pending=pending,
            summary=pending.summary,
            items=items[:500],
            item_count=len(items),
            breadcrumbs=crumbs(
                (
                    reverse("oversight:import_upload", args=[pending.partnership.short_name]),
                    "Import",
                ),
                ("", "Check"),
            ),
        ),
    )


@login_required
@require_POST
def import_confirm(request, pk):
    pending = _pending_for_user(request, pk)
    options = _options(pending.options, pending.partnership, request.user, False)
    try:
        summary = apply_parsed(pending.payload, options)
    except ImportFailed as failed:
        for problem in failed.problems[:20]:
            messages.error(request, str(problem))
        return redirect("oversight:import_preview", pk=pending.pk)
    pending.delete()
    lines = "; ".join(summary.lines()) or "nothing changed"
    messages.success(request, f"{pending.filename} imported: {lines}")
    if summary.kind == "review":
        review = CaseReview.objects.get(
            partnership=options.partnership, code__iexact=summary.target
        )
        return redirect("reviews:review_detail", pk=review.pk)
    return redirect("reviews:review_list")


@login_required
@require_POST
def import_cancel(request, pk):
    pending = _pending_for_user(request, pk)
    short_name = pending.partnership.short_name
    pending.delete()
    messages.info(request, "Import cancelled: nothing was changed")
    return redirect("oversight:import_upload", short_name=short_name)
