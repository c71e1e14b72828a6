"""The pack's risk section: the risks above the partnership's appetite, and every change to
the register since the previous meeting's update deadline (new risks, closed ones, scores that
moved, BMG reviews recorded), each in words.

Read from the history tables as they stood at the pack's moment, like the rest of the pack, so
a past pack shows the register as it was then.
"""

from risks.models import DEFAULT_APPETITE, Risk, RiskAppetite, RiskReview, movement

from .asof import state_at, versions


def risks_section(partnership, moment, before):
    """{"appetite", "above": [row...], "changes": [row...], "count"} as at `moment`; changes
    are those after `before` (the previous meeting's cut-off; None for a first meeting)."""
    mine = {"partnership_id": partnership.pk}
    risk_rows = versions(Risk.history, moment, **mine)
    now = _live(state_at(risk_rows, moment))
    then = _live(state_at(risk_rows, before)) if before else {}
    appetites = state_at(versions(RiskAppetite.history, moment, **mine), moment)
    appetite = next(iter(appetites.values()), {}).get("score", DEFAULT_APPETITE)
    reviews = _reviews(list(now), moment)
    above = [
        _row(risk, reviews.get(risk["id"], []))
        for risk in now.values()
        if _residual(risk) > appetite
    ]
    above.sort(key=lambda row: (-row["residual"], -row["inherent"], row["reference"]))
    return {
        "appetite": appetite,
        "count": len(now),
        "above": above,
        "changes": _changes(now, then, reviews, before),
        "since": before,
    }


def _live(state):
    return {pk: row for pk, row in state.items() if row["archived_at"] is None}


def _residual(row):
    return row["residual_likelihood"] * row["residual_impact"]


def _inherent(row):
    return row["inherent_likelihood"] * row["inherent_impact"]


def _reviews(risk_ids, moment):
    """{risk id: [review rows, newest first]} as they stood at `moment`."""
    state = state_at(versions(RiskReview.history, moment, risk_id__in=risk_ids or [0]), moment)
    found = {}
    for review in sorted(state.values(), key=lambda r: (r["reviewed_on"], r["id"]), reverse=True):
        found.setdefault(review["risk_id"], []).append(review)
    return found


def _row(risk, reviews):
    latest = reviews[0] if reviews else None
    return {
        "reference": risk["reference"],
        "title": risk["title"],
        "owner": risk["owner_text"],
        "residual": _residual(risk),
        "residual_words": f"{risk['residual_likelihood']} x {risk['residual_impact']}",
        "inherent": _inherent(risk),
        "controls": risk["controls"],
        "next_review_on": risk["next_review_on"],
        "latest_review": latest,
    }


def _changes(now, then, reviews, before):
    """One row per risk that is new, closed, rescored or reviewed since `before`."""
    rows = []
    for pk, risk in now.items():
        earlier = then.get(pk)
        recent = [
            r for r in reviews.get(pk, []) if before is None or r["reviewed_on"] >= before.date()
        ]
        said = _change_words(risk, earlier, before)
        if said or recent:
            rows.append(
                {
                    "reference": risk["reference"],
                    "title": risk["title"],
                    "change": said or f"reviewed; score unchanged at {_residual(risk)}",
                    "reviews": recent,
                }
            )
    for pk, risk in then.items():
        if pk not in now:
            rows.append(
                {
                    "reference": risk["reference"],
                    "title": risk["title"],
                    "change": "closed (taken off the register)",
                    "reviews": [],
                }
            )
    rows.sort(key=lambda row: row["reference"])
    return rows


def _change_words(risk, earlier, before):
    if before is not None and earlier is None:
        return f"new risk, scored {_residual(risk)} after controls"
    if earlier is not None and _residual(earlier) != _residual(risk):
        return "score " + movement(_residual(earlier), _residual(risk))
    return ""
