"""The pack's "Actions from the last meeting": the decisions the previous BMG meeting made that
needed doing, each with its actions' rating and latest progress comment as at the pack's
moment. Decisions that needed no action stay in the decisions log only.

Read from history (decisions, actions, RAG updates), like the rest of the pack, so a past pack
reproduces what it said on the day.
"""

from plans import rag
from plans.models import Action, RagUpdate

from .asof import state_at, versions
from .models import Decision


def decisions_section(previous, moment):
    """{"meeting": previous, "decisions": [{number, text, actions: [...]}]} as at `moment`;
    no decisions when there is no previous meeting."""
    if previous is None:
        return {"meeting": None, "decisions": []}
    decisions = state_at(versions(Decision.history, moment, meeting_id=previous.pk), moment)
    doing = {pk: row for pk, row in decisions.items() if row["needs_action"]}
    if not doing:
        return {"meeting": previous, "decisions": []}
    actions = state_at(versions(Action.history, moment, parent_id__in=list(doing)), moment)
    live = {pk: row for pk, row in actions.items() if not row["withdrawn_on"]}
    latest = _latest_updates(live, moment)
    rows = []
    for pk, decision in sorted(doing.items(), key=lambda item: item[1]["number"]):
        mine = sorted(
            (row for row in live.values() if row["parent_id"] == pk),
            key=lambda row: row["position"],
        )
        rows.append(
            {
                "number": decision["number"],
                "text": decision["text"],
                "actions": [_action_row(row, latest.get(row["id"])) for row in mine],
            }
        )
    return {"meeting": previous, "decisions": rows}


def _latest_updates(actions, moment):
    """{action id: update row}: the current-rating rule (latest as_of, then latest saved)."""
    rows = state_at(versions(RagUpdate.history, moment, action_id__in=list(actions) or [0]), moment)
    found = {}
    for row in rows.values():
        key = (row["as_of"], row["created_at"], row["id"])
        best = found.get(row["action_id"])
        if best is None or key > best[0]:
            found[row["action_id"]] = (key, row)
    return {pk: row for pk, (_, row) in found.items()}


def _action_row(action, update):
    rating = update["rating"] if update else None
    return {
        "text": action["text"],
        "lead": action["lead_text"],
        "due": action["revised_due_date"] or action["due_date"],
        "rating": rating,
        "rating_label": rag.label(rating),
        "comment": update["comment"] if update else "",
        "rated_on": update["as_of"] if update else None,
    }
