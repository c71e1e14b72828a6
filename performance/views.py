"""The data set: any role in the partnership reads the scorecard and measures; its board
officers, administrators and the chairs of the group leading the data set add and edit
measures, enter values and import them."""

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from plans.access import get_managed_partnership, get_partnership_for_user, scope_for
from plans.changes import changes_of, latest
from plans.models import Partnership
from plans.pages import current_partnership, page
from plans.spreadsheets import ImportFailed, max_bytes
from plans.views.editing import form_page, save_or_form
from safeguarding.uploads import accepts_uploads

from . import charts, importing, periods, trend
from .forms import ArchiveForm, ImportForm, LeadGroupForm, MeasureForm, PeriodForm, ValuesForm
from .models import DataSet, Measure, MeasureValue, can_manage

EDIT = ["GET", "POST"]
SCORECARD_PERIODS = 8


def scorecard_url(partnership):
    return reverse("performance:scorecard", args=[partnership.short_name])


def crumbs(partnership):
    return [(scorecard_url(partnership), "Data set")]


def require_manager(request, partnership):
    if not can_manage(request.user, partnership):
        raise PermissionDenied(
            "Only board officers, administrators and the chairs of the group leading the "
            "data set can change it."
        )


def managed_partnership(request, short_name):
    partnership = get_partnership_for_user(request, short_name)
    require_manager(request, partnership)
    return partnership


def get_measure(request, pk, *, manage=False, **lookup):
    """A measure of a partnership the user reads as a whole (else 404); with `manage`, one
    they may change (else 403)."""
    measure = (
        Measure.objects.visible_to(request.user)
        .select_related("partnership", "owner_agency")
        .filter(pk=pk, **lookup)
        .first()
    )
    if measure is None:
        raise Http404("No such measure")
    if manage:
        require_manager(request, measure.partnership)
    return measure


@login_required
@require_safe
def performance_home(request):
    """The nav's "Data set": the scorecard of the user's (first) partnership."""
    partnership = current_partnership(request)
    if partnership is None:
        raise Http404("No partnership's data set to show")
    return redirect(scorecard_url(partnership))


def scorecard_rows(measures, today):
    """One row per measure: its latest recorded period, rating and movement, and a sparkline
    of its last periods; two queries in all."""
    values = defaultdict(list)
    for row in MeasureValue.objects.filter(measure__in=measures).order_by("period_start"):
        values[row.measure_id].append(row)
    rows = []
    for measure in measures:
        series = trend.points(measure, values[measure.pk])
        newest = trend.latest(series)
        rows.append(
            {
                "measure": measure,
                "latest": newest,
                "sparkline": charts.sparkline(series[-SCORECARD_PERIODS:]),
                "due": periods.previous(
                    periods.start_of(today, measure.frequency), measure.frequency
                ),  # fmt: skip
            }
        )
    return rows


@login_required
@require_safe
def scorecard(request, partnership):
    partnership = get_partnership_for_user(request, partnership)
    measures = list(Measure.objects.live().filter(partnership=partnership).for_scorecard())
    today = timezone.localdate()
    return render(
        request,
        "performance/scorecard.html",
        page(
            request,
            "Performance data set",
            nav="performance:performance_home",
            partnership=partnership,
            rows=scorecard_rows(measures, today),
            archived=Measure.objects.filter(partnership=partnership).exclude(archived_at=None),
            can_manage=can_manage(request.user, partnership),
            is_officer=scope_for(request.user).is_officer_of(partnership.pk),
            lead_group=DataSet.objects.filter(partnership=partnership)
            .values_list("lead_group__name", flat=True)
            .first(),
        ),
    )


@login_required
@require_safe
def measure_detail(request, pk):
    measure = get_measure(request, pk)
    series = trend.points(measure, list(measure.values.all()))
    changes = changes_of(
        measure.history.select_related("history_user"), lambda record: f"Measure {record.name}"
    )
    value_changes = changes_of(
        MeasureValue.history.filter(measure_id=measure.pk).select_related("history_user"),
        lambda record: f"Value for {measure.period_label(record.period_start)}",
    )
    objectives = measure.objectives.select_related("plan").order_by("plan__title", "number")
    return render(
        request,
        "performance/measure_detail.html",
        page(
            request,
            measure.name,
            nav="performance:performance_home",
            partnership=measure.partnership,
            measure=measure,
            series=series,
            newest=list(reversed(series)),
            latest=trend.latest(series),
            chart=charts.trend_chart(measure, series) if series else "",
            objectives=objectives,
            changes=latest(changes, value_changes),
            can_manage=can_manage(request.user, measure.partnership),
            breadcrumbs=[*crumbs(measure.partnership), ("", measure.name)],
        ),
    )


def _save_measure(request, form, title, partnership):
    return save_or_form(
        request,
        form,
        title,
        saved=lambda measure: f"{measure.name} is saved",
        partnership=partnership,
        crumbs=crumbs(partnership),
        caption=partnership.name,
        cancel_url=scorecard_url(partnership),
    )


@login_required
@require_http_methods(EDIT)
def measure_create(request, partnership):
    partnership = managed_partnership(request, partnership)
    form = MeasureForm(request.POST or None, instance=Measure(partnership=partnership))
    return _save_measure(request, form, "Add a measure", partnership)


@login_required
@require_http_methods(EDIT)
def measure_edit(request, pk):
    measure = get_measure(request, pk, manage=True, archived_at=None)
    form = MeasureForm(request.POST or None, instance=measure)
    return _save_measure(request, form, f"Edit {measure.name}", measure.partnership)


@login_required
@require_http_methods(EDIT)
def measure_archive(request, pk):
    measure = get_measure(request, pk, manage=True, archived_at=None)
    if request.method == "POST":
        measure.archive(by=request.user)
        messages.success(request, f"{measure.name} is archived")
        return redirect(scorecard_url(measure.partnership))
    return form_page(
        request,
        ArchiveForm(),
        f"Archive {measure.name}?",
        partnership=measure.partnership,
        crumbs=[*crumbs(measure.partnership), (measure.get_absolute_url(), measure.name)],
        caption=measure.partnership.name,
        intro="It leaves the scorecard and the pack and keeps its values and history; it can "
        "be restored.",
        cancel_url=measure.get_absolute_url(),
        button="Archive the measure",
        warning=True,
    )


@login_required
@require_POST
def measure_restore(request, pk):
    measure = get_measure(request, pk, manage=True)
    live = Measure.objects.live().filter(partnership=measure.partnership, name__iexact=measure.name)
    if live.exclude(pk=measure.pk).exists():
        messages.error(request, f"A live measure is called {measure.name}: rename that one first")
    else:
        measure.restore(by=request.user)
        messages.success(request, f"{measure.name} is restored")
    return redirect(measure.get_absolute_url())


@login_required
@require_http_methods(EDIT)
def enter_values(request, partnership):
    """Values of every live measure of one frequency for one period, in one form."""
    partnership = managed_partnership(request, partnership)
    today = timezone.localdate()
    chooser = PeriodForm(request.GET or None, today=today)
    if chooser.is_bound and chooser.is_valid():
        frequency, start = chooser.chosen()
    else:
        frequency = periods.QUARTER
        start = periods.previous(periods.start_of(today, frequency), frequency)
        chooser = PeriodForm(initial={"period": f"{frequency}:{start.isoformat()}"}, today=today)
    measures = list(
        Measure.objects.live().filter(partnership=partnership, frequency=frequency).for_scorecard()
    )
    current = {
        row.measure_id: row
        for row in MeasureValue.objects.filter(measure__in=measures, period_start=start)
    }
    form = ValuesForm(request.POST or None, measures=measures, start=start, current=current)
    if request.method == "POST" and form.is_valid():
        counts = form.save_by(request.user)
        label = periods.label(start, frequency)
        messages.success(
            request,
            f"Values for {label} are saved: {counts['added']} added, "
            f"{counts['changed']} changed, {counts['unchanged']} unchanged",
        )
        return redirect(scorecard_url(partnership))
    return render(
        request,
        "performance/enter_values.html",
        page(
            request,
            "Enter values for a period",
            nav="performance:performance_home",
            partnership=partnership,
            form=form,
            chooser=chooser,
            period_label=periods.label(start, frequency),
            frequency_word="quarterly" if frequency == periods.QUARTER else "monthly",
            breadcrumbs=[*crumbs(partnership), ("", "Enter values")],
        ),
    )


def _import_page(request, partnership, form, **context):
    return render(
        request,
        "performance/import.html",
        page(
            request,
            "Import values from a spreadsheet",
            nav="performance:performance_home",
            partnership=partnership,
            form=form,
            breadcrumbs=[*crumbs(partnership), ("", "Import values")],
            **context,
        ),
    )


def may_import(request, partnership):
    """Whether an upload may be stored at all (safeguarding/uploads.py): only those who
    manage the data set import into it, so nobody else's file is kept even briefly."""
    found = Partnership.objects.filter(short_name=partnership).first()
    return found is not None and can_manage(request.user, found)


@accepts_uploads(may_import)
@login_required
@require_http_methods(EDIT)
def import_values(request, partnership):
    """Upload a file; every problem is listed with its place, or a preview of what would be
    stored is shown with a button to confirm it. Nothing is stored here."""
    partnership = managed_partnership(request, partnership)
    if request.method != "POST":
        return _import_page(request, partnership, ImportForm())
    form = ImportForm(request.POST, request.FILES)  # a file alone leaves POST empty
    if getattr(request, "upload_too_large", False):
        form.is_valid()
        form.errors.pop("file", None)
        form.add_error(
            "file", f"The selected file must be smaller than {max_bytes() / (1024 * 1024):g} MB"
        )
    if not form.is_valid():
        return _import_page(request, partnership, form)
    upload = form.cleaned_data["file"]
    try:
        entries = importing.read_values(
            upload.read(), upload.name, partnership, timezone.localdate()
        )
    except ImportFailed as failed:
        form.add_error("file", f"{upload.name} cannot be imported: nothing has been changed")
        return _import_page(request, partnership, form, problems=failed.problems[:100],
                            more=max(len(failed.problems) - 100, 0))  # fmt: skip
    return _import_page(
        request,
        partnership,
        ImportForm(),
        preview=importing.preview(entries),
        token=importing.sign(partnership, entries),
        filename=upload.name,
    )


@login_required
@require_POST
def import_confirm(request, partnership):
    partnership = managed_partnership(request, partnership)
    try:
        entries = importing.unsign(request.POST.get("token", ""), partnership)
    except ValueError as problem:
        messages.error(request, str(problem))
        return redirect("performance:import_values", partnership=partnership.short_name)
    counts = importing.apply(entries, by=request.user)
    messages.success(
        request,
        f"{len(entries)} value{'s' if len(entries) != 1 else ''} imported: "
        f"{counts['added']} added, {counts['changed']} changed, {counts['unchanged']} unchanged",
    )
    return redirect(scorecard_url(partnership))


@login_required
@require_http_methods(EDIT)
def lead_group_edit(request, partnership):
    """Board officers name the group whose chairs manage the data set with them."""
    partnership = get_managed_partnership(request, partnership)
    data_set = DataSet.objects.filter(partnership=partnership).first()
    form = LeadGroupForm(
        request.POST if request.method == "POST" else None,  # "none" may be all it sends
        partnership=partnership,
        initial={"lead_group": data_set.lead_group_id if data_set else None},
    )
    if request.method == "POST" and form.is_valid():
        data_set = data_set or DataSet(partnership=partnership)
        data_set.lead_group = form.cleaned_data["lead_group"]
        data_set._history_user = request.user
        data_set.save()
        lead = data_set.lead_group.name if data_set.lead_group else "no group"
        messages.success(request, f"The data set is led by {lead}")
        return redirect(scorecard_url(partnership))
    return form_page(
        request,
        form,
        "Who manages the data set",
        partnership=partnership,
        crumbs=crumbs(partnership),
        caption=partnership.name,
        intro="Board officers and administrators always manage it.",
        cancel_url=scorecard_url(partnership),
    )
