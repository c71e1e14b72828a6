"""The pack's assurance section: the ILOR exercises held since the previous meeting's update
deadline, each agency's grade in each learning area, and how it moved from that agency's grade
in the same area (by name) in the partnership's latest earlier exercise.

Read from history through `reviews.assurance.pack_section`, as at the end of the pack's day, so
a past pack shows the grades as they stood then.
"""

from datetime import date, timedelta

from reviews.assurance import pack_section

# Gold is best; "Not assessed" is off the scale.
SCALE = {"bronze": 1, "silver": 2, "gold": 3}


def assurance_section(partnership, as_of, previous=None):
    """The exercises to report: [{..pack_section's exercise.., "rows": [...]}], newest first."""
    since = previous.update_deadline + timedelta(days=1) if previous else None
    exercises = pack_section(partnership, as_of)["exercises"]
    shown = [e for e in exercises if since is None or (e["held_on"] and e["held_on"] >= since)]
    for exercise in shown:
        earlier = [e for e in exercises if _held_before(e, exercise)]
        exercise["rows"] = _rows(exercise, earlier)
    return {"since": since, "exercises": shown}


def _held_before(other, exercise):
    if other is exercise or other["held_on"] is None:
        return False
    return exercise["held_on"] is None or other["held_on"] < exercise["held_on"]


def _rows(exercise, earlier):
    """One row per learning area and agency rated, with the grade before and its movement."""
    earlier = sorted(earlier, key=lambda e: e["held_on"] or date.min, reverse=True)
    rows = []
    for area in exercise["areas"]:
        for cell in area["ratings"]:
            before = _previous_cell(earlier, area["name"], cell["agency"])
            rows.append(
                {
                    "area": area["name"],
                    "agency": cell["agency"],
                    "grade": cell["grade"],
                    "label": cell["label"],
                    "before": before["label"] if before else "",
                    "before_title": before["exercise"] if before else "",
                    "movement": movement(before["grade"] if before else None, cell["grade"]),
                }
            )
    return rows


def _previous_cell(earlier, area_name, agency):
    wanted = area_name.strip().casefold()
    for exercise in earlier:
        for area in exercise["areas"]:
            if area["name"].strip().casefold() != wanted:
                continue
            for cell in area["ratings"]:
                if cell["agency"] == agency:
                    return {**cell, "exercise": exercise["title"]}
    return None


def movement(before, after):
    """Words, never colour: how an agency's grade in an area moved."""
    if before is None:
        return "First rated"
    if before == after:
        return "No change"
    if before in SCALE and after in SCALE:
        return "Up" if SCALE[after] > SCALE[before] else "Down"
    return "Changed"
