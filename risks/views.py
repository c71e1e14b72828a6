"""The risk register: any role in the partnership reads it; its board officers and
administrators add, edit, review and archive risks and set the appetite."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from plans.access import (
    get_managed,
    get_managed_partnership,
    get_partnership_for_user,
    scope_for,
)
from plans.changes import changes_of, latest
from plans.pages import current_partnership, page
from plans.sorting import Sorter
from plans.views.editing import form_page, save_or_form

from .forms import AppetiteForm, ArchiveForm, RegisterFilter, ReviewForm, RiskForm
from .models import Risk, RiskAppetite

# The register's columns; highest score after controls first unless the reader sorts.
SORTER = Sorter(
    {
        "ref": ("Ref.", ("reference",)),
        "risk": ("Risk", ("title",)),
        "owner": ("Owner", ("owner_text",)),
        "before": ("Before controls", ("inherent", "residual", "reference")),
        "after": ("After controls", ("residual", "inherent", "reference")),
        # Above or within appetite follows the score after controls.
        "appetite": ("Appetite", ("residual", "reference")),
        "review": ("Next review", ("next_review_on", "reference")),
    },
    default="after",
    default_descending=True,
)

EDIT = ["GET", "POST"]


def register_url(partnership):
    return reverse("risks:risk_register", args=[partnership.short_name])


def crumbs(partnership):
    return [(register_url(partnership), "Risk register")]


def get_risk_for_user(request, pk):
    """A risk of a partnership the user reads as a whole, else 404."""
    scope = scope_for(request.user)
    risk = (
        Risk.objects.with_scores()
        .select_related("partnership", "owner_group", "owner_agency", "owner_user")
        .filter(pk=pk, partnership__in=scope.readable_partnerships)
        .first()
    )
    if risk is None:
        raise Http404("No such risk")
    return risk


def get_managed_risk(request, pk, **lookup):
    return get_managed(request, Risk.objects.select_related("partnership"), pk=pk, **lookup)


@login_required
@require_safe
def risk_home(request):
    """The nav's "Risks": the register of the user's (first) partnership."""
    partnership = current_partnership(request)
    if partnership is None:
        raise Http404("No partnership's register to show")
    return redirect(register_url(partnership))


@login_required
@require_safe
def risk_register(request, partnership):
    partnership = get_partnership_for_user(request, partnership)
    appetite = RiskAppetite.score_for(partnership)
    today = timezone.localdate()
    filters = RegisterFilter(request.GET or None, partnership=partnership)
    sort = request.GET.get("sort")
    risks = filters.apply(
        SORTER.apply(Risk.objects.filter(partnership=partnership).for_register(), sort),
        appetite=appetite,
        today=today,
    )
    owner, checked = filters.shown()
    return render(
        request,
        "risks/register.html",
        page(
            request,
            "Risk register",
            partnership=partnership,
            filters=filters,
            owner=owner,
            checked=checked,
            filter_boxes=filters.boxes(),
            risks=list(risks),
            headings=SORTER.headings(request.GET, sort),
            sort=sort if sort and not SORTER.is_default(sort) else "",
            appetite=appetite,
            today=today,
            is_officer=scope_for(request.user).is_officer_of(partnership.pk),
            wide=True,
        ),
    )


@login_required
@require_safe
def risk_detail(request, pk):
    risk = get_risk_for_user(request, pk)
    appetite = RiskAppetite.score_for(risk.partnership)
    reviews = list(risk.reviews.select_related("reviewed_by"))
    actions = risk.actions.filter(parent__archived_at=None).select_related("parent")
    changes = changes_of(
        risk.history.select_related("history_user"), lambda record: f"Risk {record.reference}"
    )
    return render(
        request,
        "risks/risk_detail.html",
        page(
            request,
            f"{risk.reference}: {risk.title}",
            partnership=risk.partnership,
            risk=risk,
            appetite=appetite,
            above=risk.is_above(appetite),
            reviews=reviews,
            changes=latest(changes),
            actions=actions.order_by("parent__ref", "position"),
            is_officer=scope_for(request.user).is_officer_of(risk.partnership_id),
            breadcrumbs=[*crumbs(risk.partnership), ("", risk.reference)],
        ),
    )


def _save_risk(request, form, title, partnership):
    return save_or_form(
        request,
        form,
        title,
        saved=lambda risk: f"Risk {risk.reference} is saved",
        partnership=partnership,
        crumbs=crumbs(partnership),
        caption=partnership.name,
        cancel_url=register_url(partnership),
    )


@login_required
@require_http_methods(EDIT)
def risk_create(request, partnership):
    partnership = get_managed_partnership(request, partnership)
    form = RiskForm(request.POST or None, instance=Risk(partnership=partnership))
    return _save_risk(request, form, "Add a risk", partnership)


@login_required
@require_http_methods(EDIT)
def risk_edit(request, pk):
    risk = get_managed_risk(request, pk, archived_at=None)
    form = RiskForm(request.POST or None, instance=risk)
    return _save_risk(request, form, f"Edit risk {risk.reference}", risk.partnership)


@login_required
@require_http_methods(EDIT)
def risk_review(request, pk):
    risk = get_managed_risk(request, pk, archived_at=None)
    form = ReviewForm(
        request.POST or None,
        initial={
            "reviewed_on": timezone.localdate(),
            "likelihood": risk.residual_likelihood,
            "impact": risk.residual_impact,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        review = risk.record_review(
            by=request.user,
            on=data["reviewed_on"],
            likelihood=data["likelihood"],
            impact=data["impact"],
            commentary=data["commentary"],
            next_review_on=data["next_review_on"],
        )
        messages.success(request, f"Review of {risk.reference} is saved: {review.movement}")
        return redirect(risk.get_absolute_url())
    return form_page(
        request,
        form,
        f"Review risk {risk.reference}",
        partnership=risk.partnership,
        crumbs=[*crumbs(risk.partnership), (risk.get_absolute_url(), risk.reference)],
        caption=risk.title,
        intro=f"The score after controls is {risk.residual_score} now.",
        cancel_url=risk.get_absolute_url(),
        button="Save the review",
    )


@login_required
@require_http_methods(EDIT)
def risk_archive(request, pk):
    risk = get_managed_risk(request, pk, archived_at=None)
    if request.method == "POST":
        risk.archive(by=request.user)
        messages.success(request, f"Risk {risk.reference} is archived")
        return redirect(register_url(risk.partnership))
    return form_page(
        request,
        ArchiveForm(),
        f"Archive risk {risk.reference}?",
        partnership=risk.partnership,
        crumbs=[*crumbs(risk.partnership), (risk.get_absolute_url(), risk.reference)],
        caption=risk.title,
        intro="It leaves the register and keeps its history; it can be restored.",
        cancel_url=risk.get_absolute_url(),
        button="Archive risk",
        warning=True,
    )


@login_required
@require_POST
def risk_restore(request, pk):
    risk = get_managed_risk(request, pk)
    live = Risk.objects.filter(
        partnership=risk.partnership, reference__iexact=risk.reference, archived_at=None
    )
    if live.exclude(pk=risk.pk).exists():
        messages.error(request, f"Risk {risk.reference} is in use: edit that one first")
    else:
        risk.restore(by=request.user)
        messages.success(request, f"Risk {risk.reference} is restored")
    return redirect(risk.get_absolute_url())


@login_required
@require_http_methods(EDIT)
def appetite_edit(request, partnership):
    partnership = get_managed_partnership(request, partnership)
    form = AppetiteForm(
        request.POST or None, initial={"score": RiskAppetite.score_for(partnership)}
    )
    if request.method == "POST" and form.is_valid():
        RiskAppetite.set_for(partnership, form.cleaned_data["score"], by=request.user)
        messages.success(request, f"Risk appetite is {form.cleaned_data['score']}")
        return redirect(register_url(partnership))
    return form_page(
        request,
        form,
        "Risk appetite",
        partnership=partnership,
        crumbs=crumbs(partnership),
        caption=partnership.name,
        cancel_url=register_url(partnership),
    )
