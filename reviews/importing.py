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

import difflib
import re

from django.db import transaction
from django.utils.text import slugify

from plans.importing import (
    ActionWriter,
    ImportFailed,
    Problem,
    Summary,
    match_items,
    refuse_taken_refs,
    save_tracked,
    set_fields,
)
from plans.layout import append_line, clean_block, normalise_heading
from plans.models import ActionParent, Agency

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


def parse_review_plan(parsed):
    """The generic reading (plans.importing.parse_table) as a review action plan:
    recommendations under the agency or section their heading row names, with "Recommendation
    added following ..." lines kept as provenance."""
    recommendations = []
    for parent in parsed["parents"]:
        text, provenance = _take_provenance(parent["text"])
        actions = []
        for action in parent["actions"]:
            timescale, more = _take_provenance(action["timescale"])
            provenance = append_line(provenance, more)
            actions.append({**action, "timescale": timescale})
        provenance = append_line(provenance, clean_block(parent["provenance"]))
        section = "" if _is_overview(parent["section"]) else parent["section"]
        recommendations.append(
            {
                **parent,
                "text": text or parent["reference"] or (actions[0]["text"] if actions else ""),
                "provenance": provenance,
                "section": section,
                "actions": actions,
            }
        )
    if not recommendations:
        raise ImportFailed(
            [
                Problem(
                    "The file has a header row but no recommendations under it.",
                    row=parsed["header_row"],
                    file=parsed["filename"],
                )
            ]
        )
    first = next((c["heading"] for c in parsed["columns"] if c["index"] == 0), "")
    sections = [s for s in parsed["sections"] if not _is_overview(s["name"])]
    return {
        **parsed,
        "kind": "review",
        "first_column": first,
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


# A section heading that is a sector, not an organisation: never made an agency.
SECTORS = {
    "health",
    "health services",
    "police",
    "education",
    "schools",
    "social care",
    "childrens social care",
    "children s social care",
    "childrens services",
    "children s services",
    "local authority",
    "the local authority",
    "council",
    "probation",
    "housing",
    "early years",
    "primary care",
    "mental health",
    "gps",
    "general practice",
    "voluntary sector",
    "all agencies",
    "multi agency",
    "partnership",
    "lscb",
    "the board",
    "recording",
    "training",
    "communication",
    "supervision",
    "policy",
    "policies",
}


def _could_be_agency(name):
    """A heading may name an agency, unless it is numbered ("10.1 Health") or a sector."""
    if re.match(r"^\s*\d", name):
        return False
    words = " ".join(re.sub(r"[^a-z0-9]+", " ", name.casefold()).split())
    return words not in SECTORS and len(name) <= 200


def agency_warnings(parsed):
    """For each section heading that is not a known agency: it stays a heading, and where a
    known agency's name is close, the person is asked whether they meant it."""
    by_key = _agencies_by_key()
    warnings = []
    for section in parsed.get("sections", []):
        name = section["name"]
        if _agency_key(name) in by_key or not _could_be_agency(name):
            continue
        close = difflib.get_close_matches(_agency_key(name), list(by_key), n=1, cutoff=0.8)
        hint = f' Did you mean "{by_key[close[0]].name}"?' if close else ""
        warnings.append(
            {
                "row": section["row"],
                "message": f'"{name}" is not an agency the tracker knows: its recommendations '
                f"are kept under it as a heading, addressed to no agency.{hint}",
            }
        )
    return warnings


def _resolve_agencies(parsed, options):
    """{section name: Agency} for the headings that name a known agency, and (when the person
    asked for it) new agencies for headings that could be one. Sectors never become agencies."""
    by_key = _agencies_by_key()
    found = {}
    for section in parsed.get("sections", []):
        name = section["name"]
        agency = by_key.get(_agency_key(name))
        if agency is None and options.create_agencies and _could_be_agency(name):
            agency = Agency(name=name)
            save_tracked(agency, options.user)
            agency.partnerships.add(options.partnership)
            by_key[_agency_key(name)] = agency
        if agency is not None:
            found[name] = agency
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
    if review is not None and review.archived_at is not None:
        # Importing would bring its actions back into lists.
        raise ImportFailed(
            [
                Problem(
                    f'The case review "{review.code}" is archived: restore it from the archive '
                    "before importing into it.",
                    file=file,
                )
            ]
        )
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
    """Make the review's recommendations and actions match the file's; ImportFailed if not.

    Stored recommendations and actions are found by published reference, then by text,
    never by position, so a revised plan updates each in place and progress stays put.
    """
    review = find_or_make_review(options, file)
    user = options.user
    summary = Summary(kind="review", target=review.code, dry_run=options.dry_run)
    with transaction.atomic():
        agencies = _resolve_agencies(parsed, options)
        partnership_agencies = list(Agency.objects.filter(partnerships=options.partnership))
        if review.pk is None:
            save_tracked(review, user)
            summary.count("reviews", "created")
        prefix = review_ref_prefix(review.partnership, review.code)
        existing = list(Recommendation.objects.filter(review=review).select_related("agency"))
        pairs = match_items(
            parsed["recommendations"],
            existing,
            lambda data: data["reference"],
            lambda rec: rec.reference,
            lambda data: data["text"],
            lambda rec: rec.text,
        )
        numbers = iter(_free_numbers({rec.number for rec in existing}))
        _check_refs(pairs, numbers, prefix, file)
        numbers = iter(_free_numbers({rec.number for rec in existing}))

        def link_for(agency):
            def link(lead_text):
                named = [agency] if agency else _named_agencies(lead_text, partnership_agencies)
                return {"lead_agencies": named}

            return link

        writer = ActionWriter(options, summary, link=None)
        writer.load(existing)
        for position, (data, recommendation) in enumerate(pairs, start=1):
            agency = agencies.get(data["section"]) if data["section"] else None
            recommendation = _sync_recommendation(
                recommendation, data, agency, review, prefix, numbers, position, writer
            )
            writer.link = link_for(agency)
            writer.sync_actions(recommendation, data["actions"], recommendation.ref)
        writer.finish(Recommendation, parsed)
        for recommendation in set(existing) - {rec for _data, rec in pairs if rec}:
            summary.kept.append(
                f"{recommendation.display_number} is not in the file: left as it is, with its "
                "actions."
            )
        if options.dry_run:
            transaction.set_rollback(True)
    return summary


def _free_numbers(used):
    number = 0
    while True:
        number += 1
        if number not in used:
            yield number


def _source(data, agency):
    if data["provenance"]:
        return Recommendation.Source.ADDED
    return Recommendation.Source.OVERVIEW if agency is None else Recommendation.Source.IMR


def _sync_recommendation(recommendation, data, agency, review, prefix, numbers, position, writer):
    values = {
        "agency": agency,
        "source": _source(data, agency),
        "provenance": data["provenance"],
        "outcome": data["outcome"],
        "text": data["text"],
        "reference": data["reference"],
        # A heading that names the agency is said by the agency; any other is kept as written.
        "section": "" if agency else data["section"],
    }
    summary = writer.summary
    if recommendation is None:
        number = next(numbers)
        recommendation = Recommendation(
            ref=f"{prefix}-r{number:02d}",
            kind=ActionParent.Kind.RECOMMENDATION,
            partnership=review.partnership,
            position=number,
            review=review,
            number=number,
            **values,
        )
        writer.new_parents.append(recommendation)
        summary.count("recommendations", "created")
        summary.add(f"Recommendation {data['reference'] or number}: {data['text'][:80]}")
    elif changed := set_fields(recommendation, values):
        save_tracked(recommendation, writer.user)
        summary.count("recommendations", "updated")
        summary.change(f"{recommendation.display_number}: {', '.join(changed)} changed")
    else:
        summary.count("recommendations", "unchanged")
    return recommendation


def _check_refs(pairs, numbers, prefix, file):
    wanted = [f"{prefix}-r{next(numbers):02d}" for _data, rec in pairs if rec is None]
    refuse_taken_refs(wanted, file, "elsewhere in the tracker")
