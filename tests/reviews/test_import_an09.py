"""The AN09 action plan (seed 003), typed into a CSV as a partnership's spreadsheet would hold
it, imports into an empty database as the same recommendations and actions as the fixture."""

import io
import json
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from plans.history import tracked_models
from plans.models import Action, Milestone
from reviews.models import CaseReview, Recommendation

DATA = Path(__file__).parent / "data"
AN09_CSV = DATA / "an09.csv"
FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "04_nscp_an09_scr.json"


def expected():
    """Recommendations and actions as the fixture states them, keyed by ref."""
    rows = json.loads(FIXTURE.read_text())
    recommendations, actions, milestones = {}, {}, {}
    for row in rows:
        fields = row["fields"]
        if row["model"] == "reviews.recommendation":
            recommendations[fields["actionparent_ptr"][0]] = {
                "number": fields["number"],
                "agency": fields["agency"][0] if fields["agency"] else None,
                "source": fields["source"],
                "provenance": fields["provenance"],
                "outcome": fields["outcome"],
                "text": fields["text"],
            }
        elif row["model"] == "plans.action":
            actions[fields["ref"]] = {
                "parent": fields["parent"][0],
                "position": fields["position"],
                "text": fields["text"],
                "lead_text": fields["lead_text"],
                "lead_agencies": sorted(name for (name,) in fields["lead_agencies"]),
                "lead_groups": sorted(slug for (slug,) in fields["lead_groups"]),
                "measure": fields["measure"],
                "timescale": fields["timescale"],
                "due_date": fields["due_date"],
                "completion_notes": fields["completion_notes"],
            }
        elif row["model"] == "plans.milestone":
            milestones.setdefault(fields["action"][0], set()).add((fields["due"], fields["label"]))
    for ref, action in actions.items():
        action["milestones"] = milestones.get(ref, set())
    return recommendations, actions


def stored():
    recommendations = {
        r.ref: {
            "number": r.number,
            "agency": r.agency.name if r.agency else None,
            "source": r.source,
            "provenance": r.provenance,
            "outcome": r.outcome,
            "text": r.text,
        }
        for r in Recommendation.objects.select_related("agency")
    }
    actions = {
        a.ref: {
            "parent": a.parent.ref,
            "position": a.position,
            "text": a.text,
            "lead_text": a.lead_text,
            "lead_agencies": sorted(x.name for x in a.lead_agencies.all()),
            "lead_groups": sorted(x.slug for x in a.lead_groups.all()),
            "measure": a.measure,
            "timescale": a.timescale,
            "due_date": a.due_date.isoformat() if a.due_date else None,
            "completion_notes": a.completion_notes,
            "milestones": {(m.due.isoformat(), m.label) for m in a.milestones.all()},
        }
        for a in Action.objects.select_related("parent").prefetch_related(
            "lead_agencies", "lead_groups", "milestones"
        )
    }
    return recommendations, actions


def import_an09(path=AN09_CSV, **options):
    out = io.StringIO()
    call_command(
        "import_action_plan",
        str(path),
        review="AN09",
        partnership="NSCP",
        title="Serious Case Review AN09",
        stdout=out,
        **options,
    )
    return out.getvalue()


def history_count():
    return sum(model.history.count() for model in tracked_models())


def test_an09_csv_gives_the_fixtures_recommendations_and_actions(structure):
    assert not Recommendation.objects.exists()
    import_an09()
    want_recommendations, want_actions = expected()
    got_recommendations, got_actions = stored()
    assert len(got_recommendations) == 58
    assert len(got_actions) == 84
    for ref, want in want_recommendations.items():
        assert got_recommendations[ref] == want, ref
    for ref, want in want_actions.items():
        assert got_actions[ref] == want, ref
    assert set(got_recommendations) == set(want_recommendations)
    assert set(got_actions) == set(want_actions)


def test_the_same_plan_as_xlsx_imports_the_same(structure, tmp_path):
    """A workbook made from the CSV: cells with line breaks, one sheet."""
    import csv

    workbook = openpyxl.Workbook()
    for row in csv.reader(AN09_CSV.open(encoding="utf-8", newline="")):
        workbook.active.append(row)
    path = tmp_path / "AN09 action plan.xlsx"
    workbook.save(path)
    import_an09(path)
    want_recommendations, want_actions = expected()
    assert stored() == (want_recommendations, want_actions)


def test_reimporting_the_same_file_changes_nothing_not_even_history(structure):
    import_an09()
    before = history_count()
    output = import_an09()
    assert "Nothing changed." in output
    assert "actions: 84 unchanged" in output
    assert history_count() == before


def test_an_edited_file_updates_in_place_and_history_shows_the_change(structure, tmp_path):
    import_an09()
    action = Action.objects.get(ref="nscp-an09-r01-1")
    first_pk, count = action.pk, Action.objects.count()
    edited = AN09_CSV.read_text(encoding="utf-8").replace(
        "Senior Management Team,August 2009", "Senior Management Team,September 2009", 1
    )
    path = tmp_path / "an09.csv"
    path.write_text(edited, encoding="utf-8")
    output = import_an09(path)
    assert "actions: 2 updated, 82 unchanged" in output
    action.refresh_from_db()
    assert (action.pk, Action.objects.count()) == (first_pk, count)
    assert action.timescale == "September 2009"
    assert action.due_date.isoformat() == "2009-09-30"
    assert [m.label for m in action.milestones.all()] == ["September 2009"]
    latest, previous = action.history.all()[:2]
    assert (latest.history_type, latest.timescale) == ("~", "September 2009")
    assert previous.timescale == "August 2009"
    assert Milestone.history.filter(history_type="-", label="August 2009").count() == 2


def test_dry_run_reports_and_writes_nothing(structure):
    before = history_count()
    output = import_an09(dry_run=True)
    assert "recommendations: 58 created" in output
    assert "Dry run: nothing was saved." in output
    assert not CaseReview.objects.exists()
    assert not Action.objects.exists()
    assert history_count() == before


def test_the_first_history_record_of_an_imported_action_shows_its_lead_agency(structure):
    """Imported actions are bulk-written: their first record must still carry the links."""
    import_an09()
    action = Action.objects.get(ref="nscp-an09-r46-1")
    (record,) = action.history.all()
    assert record.history_type == "+"
    assert [row.agency.name for row in record.lead_agencies.all()] == ["Barnardo's"]


def test_overview_actions_link_the_agencies_their_lead_names(structure):
    import_an09()
    action = Action.objects.get(ref="nscp-an09-r58-1")
    assert [a.name for a in action.lead_agencies.all()] == ["NHS Nottinghamshire County"]
    assert Recommendation.objects.get(ref="nscp-an09-r58").source == "overview"


def test_a_review_code_not_yet_known_needs_a_partnership(structure):
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_action_plan", str(AN09_CSV), review="ZZ99", stdout=io.StringIO())
    assert not CaseReview.objects.exists()


@pytest.mark.django_db
def test_importing_over_the_loaded_fixture_changes_nothing(seed):
    """The fixture and the import agree: re-importing AN09 over the seed data is a no-op."""
    before = history_count()
    output = import_an09()
    assert "recommendations: 58 unchanged" in output
    assert "Nothing changed." in output
    assert history_count() == before
