"""BMG's decisions log: recording a decision and, where it needs doing, the tracked action it
becomes (an ordinary plans.models.Action under the decision, so every list, reminder and pack
treats it like any other action)."""

from django.db import transaction
from django.db.models import Max

from plans.models import Action, save_by

from .models import Decision


def next_number(meeting):
    last = Decision.objects.filter(meeting=meeting).aggregate(last=Max("number"))["last"]
    return (last or 0) + 1


@transaction.atomic
def record_decision(meeting, partnership, data, *, by, decision=None, at=None):
    """Save the decision as `by` typed it (new when `decision` is None) and, when it needs
    doing, its action: created the first time, brought up to date after. Returns the decision.
    `at` dates the history (the demo writes past meetings as they would have been saved)."""
    if decision is None:
        decision = Decision(meeting=meeting, partnership=partnership, number=next_number(meeting))
    decision.text = data["text"]
    decision.needs_action = data["needs_action"] == "yes"
    if at is not None:
        decision._history_date = at
    save_by(decision, by)
    if decision.needs_action:
        save_action(decision, data, by=by, at=at)
    return decision


def save_action(decision, data, *, by, at=None):
    live = decision.actions.filter(withdrawn_on__isnull=True).order_by("position")
    action = live.first() or Action(parent=decision, position=decision.next_action_position())
    if at is not None:
        action._history_date = at
    leads = [lead for lead in (data.get("lead_group"), data.get("lead_agency")) if lead]
    action.text = (data.get("action_text") or "").strip() or decision.text
    action.lead_text = " and ".join(str(lead) for lead in leads)
    action.measure = action.measure or "Reported back to BMG at its next meeting"
    action.timescale = f"By {data['due_date']:%-d %B %Y}"
    group, agency = data.get("lead_group"), data.get("lead_agency")
    return action.save_edit(
        by=by,
        lead_groups=[group] if group else [],
        lead_agencies=[agency] if agency else [],
        lead_users=list(action.lead_users.all()) if action.pk else [],
    )
