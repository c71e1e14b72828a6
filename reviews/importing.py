"""Import case-review action plans.

A review action plan is the table every SCR/LCSPR action plan uses (seed 003, AN09): a header
row naming `Outcome`, `Recommendation`, `Action`, `By Whom`, `Timescale` and `Audit of
implementation` in any order (optional `Progress` and `Provenance`), then:

- a row whose only filled cell is the first one starts an agency's section, or the overview
  report's when it says "Overview ..."; rows before any such row belong to the overview report;
- a row with a recommendation starts a new recommendation; with no outcome it keeps the previous
  outcome (several recommendations answer one outcome);
- a row with no outcome and no recommendation adds actions to the previous recommendation;
- a row with no action text continues the previous action (its lead, timescale, audit and
  progress lines are added), as when a table breaks across pages;
- repeated header rows are skipped; a bullet list in an `Action` cell is one action per bullet
  (unless an introduction comes first: then the list is that one action's detail);
- a line "Recommendation added following ..." in the Recommendation or Timescale cell (where
  plans write it) is the recommendation's provenance, and marks it as added later.

Which kind a file is comes from its header row (oversight/importing.py reads the file and
sends it here or to the business-plan importer in plans/importing.py). Identity on re-import
is positional: recommendation N of the review and its action K, so re-importing the same file
changes nothing and an edited file updates in place.
"""

import re

from django.db import transaction
from django.utils.text import slugify

from plans.importing import (
    ImportFailed,
    NewActions,
    Problem,
    Summary,
    append_line,
    clean_block,
    create_action_parents,
    normalise_heading,
    save_tracked,
    set_fields,
    split_actions,
    sync_action,
)
from plans.models import Action, ActionParent, Agency

from .models import CaseReview, Recommendation

_PROVENANCE = re.compile(r"^recommendation\s+added\b", re.IGNORECASE)


# -- Parsing -------------------------------------------------------------------------------


def _is_overview(name):
    return normalise_heading(name).startswith("overview")


def _take_provenance(text):
    """Split "Recommendation added following ..." lines off a cell: (rest, provenance)."""
    keep, found = [], []
    for line in text.split("\n"):
        (found if _PROVENANCE.match(line.strip()) else keep).append(line)
    return "\n".join(keep).strip(), "\n".join(found).strip()


def parse_review_plan(table, header):
    """Sections, recommendations and actions as plain data (JSON-safe), or ImportFailed."""
    problems, recommendations, sections = [], [], []
    file = table.filename
    section = {"row": None, "name": "", "overview": True}
    first_column = next(
        (header.written[name] for name, index in header.index.items() if index == 0), ""
    )

    def problem(message, row, name):
        problems.append(header.problem(message, row, name, file))

    previous_outcome = ""
    for row_index in range(header.row, len(table.rows)):
        values, row = table.rows[row_index], row_index + 1
        if not any(values) or header.is_repeat(values):
            continue
        if values[0] and sum(1 for value in values if value) == 1:
            section = {"row": row, "name": values[0], "overview": _is_overview(values[0])}
            if not section["overview"]:
                sections.append({"row": row, "name": values[0]})
            previous_outcome = ""
            continue
        cell = {name: header.cell(values, name) for name, _ in header.kind.columns}
        text, provenance = _take_provenance(cell["recommendation"])
        timescale, more = _take_provenance(cell["timescale"])
        provenance = append_line(append_line(provenance, more), clean_block(cell["provenance"]))
        outcome = clean_block(cell["outcome"])
        text = clean_block(text)
        details = {
            "lead_text": clean_block(cell["lead"]),
            "measure": clean_block(cell["measure"]),
            "timescale": timescale,
            "completion_notes": clean_block(cell["progress"]),
        }
        if outcome or text:
            if not text:
                problem("This row has an outcome but no recommendation.", row, "recommendation")
                continue
            outcome = outcome or previous_outcome
            previous_outcome = outcome
            recommendation = {
                "row": row,
                "section": "" if section["overview"] else section["name"],
                "section_row": section["row"],
                "outcome": outcome,
                "text": text,
                "provenance": provenance,
                "actions": [],
            }
            recommendations.append(recommendation)
        else:
            recommendation = recommendations[-1] if recommendations else None
            if recommendation is None or recommendation["section_row"] != section["row"]:
                problem(
                    "This row has no recommendation and there is none above it in this section.",
                    row,
                    "recommendation",
                )
                continue
            recommendation["provenance"] = append_line(recommendation["provenance"], provenance)

        texts = split_actions(cell["action"])
        if texts:
            for action_text in texts:
                recommendation["actions"].append({"row": row, "text": action_text, **details})
        elif any(details.values()):
            if not recommendation["actions"]:
                problem(
                    "Enter the action: this row gives a lead, timescale or audit but no action.",
                    row,
                    "action",
                )
                continue
            action = recommendation["actions"][-1]
            for name, value in details.items():
                action[name] = append_line(action[name], value)
    if not recommendations and not problems:
        problems.append(
            Problem("The file has a header row but no recommendations.", row=header.row, file=file)
        )
    if problems:
        failed = ImportFailed(problems)
        failed.partial = {"sections": sections, "first_column": first_column}
        raise failed
    return {
        "kind": "review",
        "first_column": first_column,
        "sections": sections,
        "recommendations": recommendations,
    }


# -- Applying ------------------------------------------------------------------------------


def _agency_key(name):
    return " ".join(name.casefold().replace("\u2019", "'").split()).rstrip(".:")


def _agencies_by_key():
    by_key = {}
    for agency in Agency.objects.all():
        by_key.setdefault(_agency_key(agency.name), agency)
        if agency.short_name:
            by_key.setdefault(_agency_key(agency.short_name), agency)
    return by_key


def _unknown_agency(name, row, parsed, file):
    message = (
        f'Agency names are at most 200 characters: "{name[:40]}..." is longer.'
        if len(name) > 200
        else f'Unknown agency "{name}": add it to the tracker first, or import with '
        '--create-agencies (on the upload page, "Add agencies not yet known").'
    )
    return Problem(message, row=row, column=parsed.get("first_column", ""), letter="A", file=file)


def agency_problems(parsed, file):
    """A problem for each section row naming an agency the tracker does not know."""
    by_key = _agencies_by_key()
    return [
        _unknown_agency(section["name"], section["row"], parsed, file)
        for section in parsed.get("sections", [])
        if _agency_key(section["name"]) not in by_key
    ]


def _resolve_agencies(parsed, options, file):
    """{section name: Agency}, creating unknown agencies only when asked to."""
    by_key = _agencies_by_key()
    found, problems = {}, []
    sections = parsed.get("sections") or [
        {"row": r["section_row"], "name": r["section"]}
        for r in parsed["recommendations"]
        if r["section"]
    ]
    for section in sections:
        name = section["name"]
        agency = by_key.get(_agency_key(name))
        if agency is None and options.create_agencies and len(name) <= 200:
            agency = Agency(name=name)
            save_tracked(agency, options.user)
            agency.partnerships.add(options.partnership)
            by_key[_agency_key(name)] = agency
        if agency is None:
            problems.append(_unknown_agency(name, section["row"], parsed, file))
        else:
            found[name] = agency
    if problems:
        raise ImportFailed(problems)
    return found


def _named_agencies(lead_text, agencies):
    """Agencies whose full name the lead text contains (overview actions name their leads)."""
    folded = _agency_key(lead_text)
    return [
        agency
        for agency in agencies
        if re.search(rf"(?<!\w){re.escape(_agency_key(agency.name))}(?!\w)", folded)
    ]


def review_ref_prefix(partnership, code):
    """ "nscp-an09": refs follow the seed fixtures, so imports and fixtures agree."""
    return f"{slugify(partnership.short_name)}-{slugify(code)}"


def find_or_make_review(options, file):
    code = " ".join(options.review_code.split())
    problems = []
    if not code:
        problems.append(
            Problem("Name the review the action plan belongs to (its code, e.g. AN09).", file=file)
        )
    elif len(code) > 40 or not slugify(code):
        problems.append(Problem(f'"{code[:50]}" is not a review code like AN09.', file=file))
    if options.review_kind not in CaseReview.Kind.values:
        problems.append(Problem(f'"{options.review_kind}" is not a kind of review.', file=file))
    if problems:
        raise ImportFailed(problems)
    review = CaseReview.objects.filter(partnership=options.partnership, code__iexact=code).first()
    if review is None:
        kind = CaseReview.Kind(options.review_kind)
        review = CaseReview(
            partnership=options.partnership,
            code=code,
            kind=kind,
            title=(options.review_title.strip() or f"{kind.label} {code}")[:200],
        )
    return review


def apply_review_plan(parsed, options, file=""):
    """Make the review's recommendations and actions match the file's; ImportFailed if not."""
    review = find_or_make_review(options, file)
    user = options.user
    summary = Summary(kind="review", target=review.code, dry_run=options.dry_run)
    with transaction.atomic():
        agencies = _resolve_agencies(parsed, options, file)
        partnership_agencies = list(Agency.objects.filter(partnerships=options.partnership))
        if review.pk is None:
            save_tracked(review, user)
            summary.count("reviews", "created")
        prefix = review_ref_prefix(review.partnership, review.code)
        recommendations = {
            r.number: r
            for r in Recommendation.objects.filter(review=review).select_related("agency")
        }
        actions = {
            (a.parent_id, a.position): a
            for a in Action.objects.filter(parent__recommendation__review=review).prefetch_related(
                "milestones", "lead_agencies"
            )
        }
        _check_refs(parsed, recommendations, prefix, file)
        new, new_parents = NewActions(user, summary), []
        for number, data in enumerate(parsed["recommendations"], start=1):
            agency = agencies.get(data["section"]) if data["section"] else None
            if data["provenance"]:
                source = Recommendation.Source.ADDED
            elif agency is None:
                source = Recommendation.Source.OVERVIEW
            else:
                source = Recommendation.Source.IMR
            values = {
                "agency": agency,
                "source": source,
                "provenance": data["provenance"],
                "outcome": data["outcome"],
                "text": data["text"],
            }
            recommendation = recommendations.pop(number, None)
            if recommendation is None:
                recommendation = Recommendation(
                    ref=f"{prefix}-r{number:02d}",
                    kind=ActionParent.Kind.RECOMMENDATION,
                    partnership=review.partnership,
                    position=number,
                    review=review,
                    number=number,
                    **values,
                )
                new_parents.append(recommendation)
                summary.count("recommendations", "created")
            elif changed := set_fields(recommendation, values):
                save_tracked(recommendation, user)
                summary.count("recommendations", "updated")
                summary.change(f"R{number}: {', '.join(changed)} changed")
            else:
                summary.count("recommendations", "unchanged")

            def link(lead_text, agency=agency):
                named = [agency] if agency else _named_agencies(lead_text, partnership_agencies)
                return {"lead_agencies": named}

            for position, item in enumerate(data["actions"], start=1):
                sync_action(
                    actions.pop((recommendation.pk, position), None),
                    recommendation,
                    position,
                    item,
                    ref=f"{recommendation.ref}-{position}",
                    link=link,
                    new=new,
                    summary=summary,
                    label=f"R{number} action {position}",
                )
        create_action_parents(Recommendation, new_parents, user)
        new.create()
        for recommendation in recommendations.values():
            summary.kept.append(
                f"R{recommendation.number} is not in the file: left as it is, with its actions."
            )
        for action in actions.values():
            summary.kept.append(f"Action {action.ref} is not in the file: left as it is.")
        if options.dry_run:
            transaction.set_rollback(True)
    return summary


def _check_refs(parsed, existing, prefix, file):
    """Refs are unique across the tracker: say so rather than fail on a database error."""
    wanted = [
        f"{prefix}-r{number:02d}"
        for number in range(1, len(parsed["recommendations"]) + 1)
        if number not in existing
    ]
    taken = set(ActionParent.objects.filter(ref__in=wanted).values_list("ref", flat=True))
    if taken:
        raise ImportFailed(
            Problem(f'The reference "{ref}" is already used elsewhere in the tracker.', file=file)
            for ref in sorted(taken)
        )
