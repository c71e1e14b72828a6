"""Meetings, return rates for the BMG cycle, and the BMG pack (HTML preview and PDF).

Who may do what (DESIGN.md user table; plans/access.py for reading):
- Anyone with a role in a partnership sees its meetings: they read everything of it.
- Packs: "Board/BMG members, inspectors read plans, history and packs". Every reader of the
  partnership (viewer, chair, member, agency lead, officer, administrator) may open and
  download the pack of a BMG meeting whose update deadline has passed: its content is final,
  reproducible from history, and shows nothing they cannot already read.
- Before the deadline the pack is a draft that changes with every update: only board officers
  and administrators, who prepare the pack and chase updates, may produce it (403 for others).
- Return rates and who has not returned, "Remind now" and the reminders sent, and adding or
  changing meetings: board officers and administrators only (403).
- Another partnership's meeting: 404. Anonymous: redirect to sign in.

The PDF is made by a background worker (oversight/renders.py), never in the request: the
download link finds the render of the data as they stand (or starts one) and sends the file
when it is ready, or the page that follows the render until it is.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from plans.access import get_managed, get_managed_partnership, require_officer, scope_for
from plans.models import Group, Partnership
from plans.pages import page
from plans.pdf import pdf_response
from plans.views.editing import form_page
from safeguarding import audit

from ..cycle import (
    add_meetings,
    bmg_group,
    current_cycle,
    cutoff,
    cycle_for_meeting,
    dates_from_pattern,
    previous_meeting,
    return_rates,
)
from ..forms import CyclePatternForm, MeetingForm
from ..highlights import meeting_reports_context
from ..models import Meeting, PackRecord, PackRender, ReminderLog
from ..pack import build_pack, render_pack_html
from ..reminders import remind_now
from ..renders import queue_position, request_render


def get_meeting_for_user(request, pk):
    """The meeting and the partnership it is shown for; 404 outside the user's partnerships."""
    readable = scope_for(request.user).readable_partnerships
    meeting = (
        Meeting.objects.filter(pk=pk, group__partnerships__in=readable)
        .select_related("group")
        .distinct()
        .first()
    )
    if meeting is None:
        raise Http404("No such meeting")
    partnership = (
        Partnership.objects.filter(groups=meeting.group, pk__in=readable)
        .order_by("short_name")
        .first()
    )
    return meeting, partnership


def has_pack(meeting):
    return meeting.group.kind == Group.Kind.BMG


def deadline_passed(meeting, now=None):
    return (now or timezone.now()) >= cutoff(meeting.update_deadline)


def can_read_pack(user, meeting, partnership):
    """See the module docstring: readers once the deadline has passed, officers always."""
    if not has_pack(meeting):
        return False
    return deadline_passed(meeting) or scope_for(user).is_officer_of(partnership.pk)


def require_pack_reader(request, meeting, partnership):
    if not has_pack(meeting):
        raise Http404("Only Business Management Group meetings have a pack")
    if not can_read_pack(request.user, meeting, partnership):
        raise PermissionDenied(
            "The pack is a draft until the update deadline has passed: only board officers "
            "can produce it before then."
        )


@login_required
@require_safe
def meeting_list(request):
    """Each readable partnership's meetings, upcoming first, with the current BMG cycle."""
    scope = scope_for(request.user)
    today = timezone.localdate()
    partnerships = list(Partnership.objects.filter(pk__in=scope.readable_partnerships))
    meetings = (
        Meeting.objects.filter(group__partnerships__in=scope.readable_partnerships)
        .select_related("group")
        .prefetch_related("group__partnerships")
        .distinct()
        .order_by("date", "group__name")
    )
    sections = []
    for partnership in partnerships:
        theirs = [m for m in meetings if partnership in m.group.partnerships.all()]
        is_officer = scope.is_officer_of(partnership.pk)
        section = {
            "partnership": partnership,
            "bmg": bmg_group(partnership),
            "upcoming": [m for m in theirs if m.date >= today],
            "past": [m for m in reversed(theirs) if m.date < today],
            "is_officer": is_officer,
        }
        if is_officer and section["bmg"]:
            cycle = current_cycle(partnership, today)
            section["cycle"] = cycle
            section["rates"] = return_rates(partnership, cycle).total
        sections.append(section)
    context = {"sections": sections, "today": today}
    return render(
        request,
        "oversight/meetings/meeting_list.html",
        page(request, "Meetings and packs", nav="oversight:meeting_list", **context),
    )


@login_required
@require_safe
def meeting_detail(request, pk):
    """A meeting: its deadline, its pack, and (for officers) who has returned updates."""
    meeting, partnership = get_meeting_for_user(request, pk)
    is_officer = scope_for(request.user).is_officer_of(partnership.pk)
    context = {
        "meeting": meeting,
        "previous": previous_meeting(meeting),
        "has_pack": has_pack(meeting),
        "can_read_pack": can_read_pack(request.user, meeting, partnership),
        "deadline_passed": deadline_passed(meeting),
        "is_officer": is_officer,
        "protective_marking": settings.PROTECTIVE_MARKING,
        "breadcrumbs": [
            (reverse("oversight:meeting_list"), "Meetings and packs"),
            ("", str(meeting)),
        ],
    }
    if is_officer and has_pack(meeting):
        context["rates"] = return_rates(partnership, cycle_for_meeting(meeting))
        context["records"] = list(
            PackRecord.objects.filter(meeting=meeting, partnership=partnership)
            .select_related("generated_by")
            .order_by("-generated_at")[:5]
        )
        context["reminders"] = list(
            ReminderLog.objects.filter(meeting=meeting)
            .select_related("user", "sent_by")
            .annotate(action_count=Count("actions"))
            .order_by("-sent_at")
        )
        context["can_remind"] = meeting.date >= timezone.localdate()
    context |= meeting_reports_context(request.user, meeting, partnership)
    return render(
        request,
        "oversight/meetings/meeting_detail.html",
        page(
            request,
            f"{meeting.group.name}, {meeting.date:%-d %B %Y}",
            partnership=partnership,
            nav="oversight:meeting_list",
            **context,
        ),
    )


def _person(user):
    return user.get_full_name() or user.get_username()


@login_required
@require_safe
def pack_preview(request, pk):
    """The pack as an HTML page (the same document the PDF is made from)."""
    meeting, partnership = get_meeting_for_user(request, pk)
    require_pack_reader(request, meeting, partnership)
    pack = build_pack(meeting, partnership=partnership, generated_by=_person(request.user))
    audit.record("pack_view", request, partnership=partnership.short_name, meeting=meeting.pk)
    html = render_pack_html(
        pack,
        preview=True,
        meeting_url=reverse("oversight:meeting_detail", args=[meeting.pk]),
        pdf_url=reverse("oversight:meeting_pack_pdf", args=[meeting.pk]),
    )
    return HttpResponse(html)


@login_required
@require_safe
def pack_pdf(request, pk):
    """The pack as a PDF download, recorded in PackRecord, once a worker has made it; until
    then, the page that follows its render."""
    meeting, partnership = get_meeting_for_user(request, pk)
    require_pack_reader(request, meeting, partnership)
    render = request_render(meeting, partnership, by=request.user)
    if not render.is_ready:
        return redirect("oversight:meeting_pack_render", pk=meeting.pk)
    PackRecord.objects.create(
        meeting=meeting,
        partnership=partnership,
        generated_by=request.user,
        as_at=render.as_at,
        pages=render.pages,
        seconds=render.seconds or 0,
    )
    audit.record(
        "pack_download",
        request,
        partnership=partnership.short_name,
        meeting=meeting.pk,
        pages=render.pages,
    )
    content = PackRender.objects.values_list("pdf", flat=True).get(pk=render.pk)
    filename = f"{partnership.short_name}-BMG-pack-{meeting.date:%Y-%m-%d}.pdf"
    return pdf_response(bytes(content), filename, attachment=True)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def pack_render(request, pk):
    """How the pack's render is getting on: waiting, being made (the page checks again every
    few seconds, without JavaScript), ready to download, or failed with "Try again" (POST)."""
    meeting, partnership = get_meeting_for_user(request, pk)
    require_pack_reader(request, meeting, partnership)
    if request.method == "POST":
        request_render(meeting, partnership, by=request.user, retry=True)
        return redirect("oversight:meeting_pack_render", pk=meeting.pk)
    render = request_render(meeting, partnership, by=request.user)
    context = {
        "meeting": meeting,
        "render": render,
        "ahead": queue_position(render) if render.is_pending else 0,
        "refresh_seconds": REFRESH_SECONDS,
        "breadcrumbs": [
            (reverse("oversight:meeting_list"), "Meetings and packs"),
            (reverse("oversight:meeting_detail", args=[meeting.pk]), str(meeting)),
            ("", "The pack"),
        ],
    }
    title = f"The pack for {meeting.group.name}, {meeting.date:%-d %B %Y}"
    return render_page(request, "oversight/meetings/pack_render.html", title, partnership, context)


REFRESH_SECONDS = 3


def render_page(request, template, title, partnership, context):
    return render(
        request,
        template,
        page(request, title, partnership=partnership, nav="oversight:meeting_list", **context),
    )


# -- Setting up the calendar, and chasing ---------------------------------------------------


def meetings_crumbs():
    return [(reverse("oversight:meeting_list"), "Meetings and packs")]


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request, short_name):
    partnership = get_managed_partnership(request, short_name)
    form = MeetingForm(
        request.POST or None, partnership=partnership, initial={"group": bmg_group(partnership)}
    )
    if request.method == "POST" and form.is_valid():
        meeting = form.save()
        messages.success(request, f"{meeting} is in the calendar")
        return redirect("oversight:meeting_detail", pk=meeting.pk)
    return form_page(
        request,
        form,
        "Add a meeting",
        partnership=partnership,
        crumbs=meetings_crumbs(),
        caption=partnership.name,
        button="Add the meeting",
        cancel_url=reverse("oversight:meeting_list"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk):
    meeting = get_managed(
        request, Meeting.objects.select_related("group"), via="group__partnerships", pk=pk
    )
    partnership = (
        meeting.group.partnerships.filter(
            pk__in=scope_for(request.user).readable_partnerships
        ).first()
        or meeting.group.partnerships.first()
    )
    form = MeetingForm(request.POST or None, instance=meeting, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"{meeting} is saved")
        return redirect("oversight:meeting_detail", pk=meeting.pk)
    link = reverse("oversight:meeting_detail", args=[meeting.pk])
    return form_page(
        request,
        form,
        "Change the meeting",
        partnership=partnership,
        crumbs=[*meetings_crumbs(), (link, str(meeting))],
        cancel_url=link,
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_plan(request, short_name):
    """The next meetings of a group from a pattern (e.g. the third Wednesday of June, October
    and February, deadline 14 days before)."""
    partnership = get_managed_partnership(request, short_name)
    initial = {
        "group": bmg_group(partnership),
        "months": [2, 6, 10],
        "week": 3,
        "weekday": 2,
        "notice_days": 14,
        "count": 3,
        "title_prefix": "BMG",
    }
    form = CyclePatternForm(request.POST or None, partnership=partnership, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        group = data["group"]
        latest = group.meetings.order_by("-date").first()
        after = max(timezone.localdate(), latest.date if latest else timezone.localdate())
        dates = dates_from_pattern(
            data["months"], data["week"], data["weekday"], after, data["count"]
        )
        created, _ = add_meetings(
            group,
            dates,
            notice_days=data["notice_days"],
            title_prefix=data["title_prefix"],
            by=request.user,
        )
        listed = ", ".join(f"{m.date:%-d %B %Y}" for m in created)
        messages.success(request, f"{len(created)} meetings of {group.name} added: {listed}")
        return redirect("oversight:meeting_list")
    return form_page(
        request,
        form,
        "Add the next meetings from a pattern",
        partnership=partnership,
        crumbs=meetings_crumbs(),
        caption=partnership.name,
        button="Add the meetings",
        intro="The meetings are added after the group's last meeting in the calendar, on the "
        "day of the pattern; each gets its update deadline. You can change any of them after.",
        cancel_url=reverse("oversight:meeting_list"),
    )


@login_required
@require_POST
def meeting_remind(request, pk):
    """Remind now: one email to each person whose actions are not updated for this meeting,
    never twice in a day (oversight/reminders.py)."""
    meeting, partnership = get_meeting_for_user(request, pk)
    require_officer(request, partnership)
    if not has_pack(meeting) or meeting.date < timezone.localdate():
        raise Http404("Reminders are for Business Management Group meetings still to come")
    sent, skipped = remind_now(meeting, partnership, by=request.user)
    text = f"{len(sent)} reminder{'s' if len(sent) != 1 else ''} sent"
    if skipped:
        text += f"; {len(skipped)} already reminded today, so not sent again"
    messages.success(request, text)
    return redirect(reverse("oversight:meeting_detail", args=[meeting.pk]) + "#reminders")
