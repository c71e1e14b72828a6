"""Recording RAG updates: the one write path for every caller.

The update form, My actions, the importers and the demo loader all come here, so the rules
(a comment for Red, Amber, Complete and for a changed rating; a reason for a new due date),
the check that nobody else saved in between, the history rows with the acting user and the
action's derived current-rating columns are kept in one place.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from .history import create_with_history
from .models import Action, RagUpdate, Rating


class UpdateConflict(Exception):
    """Someone else changed the action after the editor opened it; `latest` is what they saved
    (their update, or the action itself when they changed its fields)."""

    def __init__(self, latest):
        super().__init__("The action changed while it was being edited")
        self.latest = latest


def problems(
    *,
    rating,
    comment,
    current_rating=None,
    revised_due_date=None,
    current_revised=None,
    revision_reason="",
    correcting=False,
):
    """{field: message} for everything wrong with one update, found in one pass."""
    found = {}
    if rating not in Rating.values:
        found["rating"] = "Select a RAG rating"
    elif not comment:
        if correcting:
            found["comment"] = "Enter a progress comment to explain the correction"
        elif rating in Rating.comment_required():
            found["comment"] = (
                f"Enter a progress comment to explain the {Rating(rating).label} rating"
            )
        elif current_rating and rating != current_rating:
            found["comment"] = "Enter a progress comment to explain the new rating"
    if revised_due_date and revised_due_date != current_revised and not revision_reason:
        found["revision_reason"] = "Enter the reason the due date has changed"
    if revision_reason and not revised_due_date:
        found["revised_due_date"] = "Enter the revised due date"
    return found


def edit_token(action):
    """What an editor saw: the latest update and the latest change of the action.

    Sent back with the form and compared on save, so a second editor's save never silently
    overwrites the first, without keeping any state on the server.
    """
    return edit_tokens([action])[action.pk]


def edit_tokens(actions):
    """edit_token() for many actions in two queries."""
    ids = [a.pk for a in actions]
    last_update = dict(
        RagUpdate.objects.filter(action__in=ids)
        .values("action")
        .annotate(last=Max("pk"))
        .values_list("action", "last")
    )
    last_change = dict(
        Action.history.filter(id__in=ids)
        .values("id")
        .annotate(last=Max("history_id"))
        .values_list("id", "last")
    )
    return {pk: f"{last_update.get(pk, 0)}.{last_change.get(pk, 0)}" for pk in ids}


def latest_change(action):
    """The other person's latest update, or the action when only its fields changed."""
    return action.updates.select_related("author").order_by("-pk").first() or action


@transaction.atomic
def record_update(
    action,
    *,
    rating,
    by,
    comment="",
    seen=None,
    as_of=None,
    revised_due_date=None,
    revision_reason="",
    is_demo=False,
    saved_at=None,
    corrects=None,
):
    """Validate and save one RAG update (and any revised due date) for `action`, by `by`.

    `seen` is the edit token the editor's page carried: when the action changed since, nothing
    is saved and UpdateConflict says what changed. ValidationError({field: message}) for an
    update the rules refuse. Updates are never changed once saved: a correction (`corrects`,
    an earlier update of this action) is a new update by `by`, dated as the one it corrects;
    the corrected one stays, so packs as at earlier deadlines do not change.
    """
    if corrects is not None and corrects.action_id != action.pk:
        raise ValueError("An update can only correct an update of the same action.")
    comment = (comment or "").strip()
    revision_reason = (revision_reason or "").strip()
    found = problems(
        rating=rating,
        comment=comment,
        current_rating=action.current_rating,
        revised_due_date=revised_due_date,
        current_revised=action.revised_due_date,
        revision_reason=revision_reason,
        correcting=corrects is not None,
    )
    if found:
        raise ValidationError(found)
    if seen and seen != edit_token(action):
        raise UpdateConflict(latest_change(action))
    if corrects is not None:
        as_of = corrects.as_of
    update = RagUpdate(
        action=action,
        rating=rating,
        comment=comment,
        as_of=as_of or timezone.localdate(),
        author=by,
        is_demo=is_demo,
        corrects=corrects,
    )
    if saved_at is not None:  # the demo writes past cycles as they would have been saved
        update.created_at = saved_at
        update._history_date = saved_at
    update._history_user = by
    update.save()
    _revise_due_date(action, revised_due_date, revision_reason, by)
    Action.objects.filter(pk=action.pk).refresh_current_rating()
    return update


def _revise_due_date(action, revised_due_date, reason, by):
    if revised_due_date and revised_due_date != action.revised_due_date:
        action.revised_due_date = revised_due_date
        action.revision_reason = reason
        action._history_user = by
        action.save(update_fields=["revised_due_date", "revision_reason", "updated_at"])


@dataclass(frozen=True)
class NewUpdate:
    """One update for record_updates(): an importer's row."""

    action: Action
    rating: str
    comment: str = ""


@transaction.atomic
def record_updates(items, *, by, as_of=None, reason="", imported=False):
    """Save many updates at once (an import), by `by`, with their history and the actions'
    current-rating columns.

    A file's rating is kept with the file's words, even when it has none: the comment rules
    are for people typing an update, and the file is the record of what was published. Every
    rating is checked before anything is written.
    """
    items = list(items)
    bad = [index for index, item in enumerate(items) if item.rating not in Rating.values]
    if bad:
        raise ValidationError(f"Unknown RAG rating in update {bad[0] + 1}")
    updates = [
        RagUpdate(
            action=item.action,
            rating=item.rating,
            comment=(item.comment or "").strip(),
            as_of=as_of or timezone.localdate(),
            author=by,
            is_imported=imported,
        )
        for item in items
    ]
    create_with_history(RagUpdate, updates, user=by, reason=reason)  # refreshes the columns
    return updates
