"""Assurance (ILOR) results as plain data, for pages and for the BMG pack.

`pack_section(partnership, as_of)` reads history, so a pack for a past meeting shows the
exercises, learning areas and ratings exactly as they stood at `as_of`.
"""

import datetime
from collections import defaultdict

from django.utils import timezone

from plans.history import m2m_snapshot_model
from plans.models import Agency

from .models import AssuranceExercise, AssuranceRating, CaseReview, Grade, LearningArea

GRADES = [(value, label) for value, label in Grade.choices]


def _moment(as_of):
    """A date means the end of that day (in the site's time zone)."""
    if as_of is None:
        return timezone.now()
    if isinstance(as_of, datetime.datetime):
        return as_of if timezone.is_aware(as_of) else timezone.make_aware(as_of)
    end = datetime.datetime.combine(as_of, datetime.time.max)
    return timezone.make_aware(end)


def grid(exercise, areas, agencies, ratings):
    """Rows of (area, [cell per agency]) where a cell is a dict or None (not yet rated)."""
    by_key = {(rating.area_id, rating.agency_id): rating for rating in ratings}
    rows = []
    for area in areas:
        cells = []
        for agency in agencies:
            rating = by_key.get((area.pk, agency.pk))
            cells.append(
                {
                    "agency": agency,
                    "grade": rating.grade if rating else "",
                    "label": Grade(rating.grade).label if rating else "Not yet rated",
                    "narrative": rating.narrative if rating else "",
                }
            )
        rows.append({"area": area, "cells": cells})
    return rows


def counts(ratings):
    """[(grade, label, count)] best first, the summary BMG reads."""
    tally = defaultdict(int)
    for rating in ratings:
        tally[rating.grade] += 1
    return [(value, label, tally[value]) for value, label in GRADES]


def pack_section(partnership, as_of=None, since=None):
    """The assurance section of a BMG pack, as it stood at `as_of` (a date or datetime).

    Returns plain data (no model instances):
    {"as_of": datetime, "exercises": [{"title", "held_on", "notes", "reviews": [codes],
      "agencies": [names], "counts": [{"grade", "label", "count"}],
      "areas": [{"name", "ratings": [{"agency", "grade", "label", "narrative"}]}]}]}
    Exercises are those of `partnership` that existed at `as_of`, held on or before it
    (undated ones included), and on or after `since` if given; newest first.
    A fixed number of queries whatever the size.
    """
    moment = _moment(as_of)
    exercises = _exercises_at(partnership, moment, since)
    exercise_ids = [exercise.pk for exercise in exercises]
    areas = defaultdict(list)
    for area in LearningArea.history.as_of(moment).filter(exercise_id__in=exercise_ids):
        areas[area.exercise_id].append(area)
    area_ids = [area.pk for group in areas.values() for area in group]
    ratings = defaultdict(list)
    for rating in AssuranceRating.history.as_of(moment).filter(area_id__in=area_ids):
        ratings[rating.area_id].append(rating)
    names = dict(Agency.objects.values_list("pk", "name"))
    members = _members_as_of(exercise_ids, moment)
    section = [
        _exercise_entry(exercise, areas, ratings, names, members)
        for exercise in sorted(
            exercises, key=lambda e: (e.held_on or datetime.date.min, e.pk), reverse=True
        )
    ]
    return {"as_of": moment, "exercises": section}


def _exercises_at(partnership, moment, since):
    """The partnership's exercises as they stood at `moment`, held by then (undated ones
    included) and on or after `since` if given."""
    return [
        exercise
        for exercise in AssuranceExercise.history.as_of(moment).filter(partnership=partnership)
        if (exercise.held_on is None or exercise.held_on <= moment.date())
        and (since is None or (exercise.held_on is not None and exercise.held_on >= since))
    ]


def _exercise_entry(exercise, areas, ratings, names, members):
    own_areas = sorted(areas.get(exercise.pk, []), key=lambda a: (a.position, a.name))
    all_ratings = [r for area in own_areas for r in ratings.get(area.pk, [])]
    return {
        "title": exercise.title,
        "held_on": exercise.held_on,
        "notes": exercise.notes,
        "reviews": members["reviews"].get(exercise.pk, []),
        "agencies": sorted(names.get(pk, "") for pk in members["agencies"].get(exercise.pk, [])),
        "counts": [
            {"grade": grade, "label": label, "count": count}
            for grade, label, count in counts(all_ratings)
        ],
        "areas": [
            {"name": area.name, "ratings": _area_cells(ratings.get(area.pk, []), names)}
            for area in own_areas
        ],
    }


def _area_cells(area_ratings, names):
    cells = (
        {
            "agency": names.get(rating.agency_id, ""),
            "grade": rating.grade,
            "label": Grade(rating.grade).label,
            "narrative": rating.narrative,
        }
        for rating in area_ratings
    )
    return sorted(cells, key=lambda cell: cell["agency"])


def _members_as_of(exercise_ids, moment):
    """Each exercise's reviews (codes) and agencies (ids) from its history record at `moment`.

    simple-history keeps a snapshot of the many-to-many fields with each history record.
    """

    history = AssuranceExercise.history.model
    latest = {}
    for record in history.objects.filter(id__in=exercise_ids, history_date__lte=moment).order_by(
        "history_date", "history_id"
    ):
        latest[record.id] = record.history_id
    review_ids, agency_ids = defaultdict(list), defaultdict(list)
    by_history = {history_id: exercise_id for exercise_id, history_id in latest.items()}
    snapshot_reviews = m2m_snapshot_model(AssuranceExercise, "reviews")
    snapshot_agencies = m2m_snapshot_model(AssuranceExercise, "agencies")
    for history_id, review_id in snapshot_reviews.objects.filter(
        history_id__in=by_history
    ).values_list("history_id", "casereview_id"):
        review_ids[by_history[history_id]].append(review_id)
    for history_id, agency_id in snapshot_agencies.objects.filter(
        history_id__in=by_history
    ).values_list("history_id", "agency_id"):
        agency_ids[by_history[history_id]].append(agency_id)
    codes = dict(
        CaseReview.objects.filter(
            pk__in={pk for pks in review_ids.values() for pk in pks}
        ).values_list("pk", "code")
    )
    return {
        "reviews": {
            key: sorted(codes.get(pk, "") for pk in pks) for key, pks in review_ids.items()
        },
        "agencies": agency_ids,
    }
