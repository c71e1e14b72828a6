"""The demo looks alive whatever today is: a cycle under way, some actions due soon, a few
overdue, and the seed plans' own dates and words untouched."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from oversight.cycle import current_cycle, latest_bmg_meeting
from oversight.models import HighlightReport
from plans.models import Action, Partnership

pytestmark = pytest.mark.django_db


def test_the_demo_is_dated_around_today_and_keeps_the_seed_as_written(seed, settings):
    seeded = dict(Action.objects.values_list("ref", "due_date"))
    timescales = dict(Action.objects.values_list("ref", "timescale"))
    settings.DEBUG = True
    call_command("load_demo", verbosity=0, stdout=StringIO())
    today = timezone.localdate()
    ncscp = Partnership.objects.get(short_name="NCSCP")
    cycle = current_cycle(ncscp, today)
    assert 10 <= (cycle.closed_by.update_deadline - today).days <= 20
    assert 30 <= (today - latest_bmg_meeting(ncscp, today).date).days <= 90

    actions = list(Action.objects.filter(parent__partnership=ncscp).for_list())
    overdue = Action.objects.filter(pk__in=[a.pk for a in actions]).for_list().overdue(today)
    due_soon = [
        a for a in actions if a.effective_due and today <= a.effective_due <= cycle.closed_by.date
    ]
    assert 0 < overdue.count() < len(actions) / 3
    assert due_soon
    assert any(a.latest_rating for a in actions)  # current ratings are shown in lists
    seed_actions = Action.objects.filter(ref__in=seeded)
    assert dict(seed_actions.values_list("ref", "due_date")) == seeded
    assert dict(seed_actions.values_list("ref", "timescale")) == timescales
    # Beside the seed: highlight reports for the last meeting, and decisions whose actions
    # the last meeting's pack reports back on (oversight/demo_reports.py).
    last = latest_bmg_meeting(ncscp, today)
    assert HighlightReport.objects.filter(meeting=last).count() >= 2
    assert Action.objects.filter(parent__decision__meeting__date__lt=last.date).exists()

    # The same demo every time (apart from the date shift).
    first = sorted(Action.objects.values_list("ref", "revised_due_date"))
    call_command("load_demo", verbosity=0, stdout=StringIO())
    assert sorted(Action.objects.values_list("ref", "revised_due_date")) == first
    assert all(d is None or abs((d - today).days) < 400 for _, d in first), (
        "revised dates stay near today"
    )
