import csv
import io
from collections import Counter
from datetime import date

import pytest
from django.core.management import call_command

from oversight.export import COLUMNS, neutralise
from plans.models import Action, Rating
from tests.factories import make_update

REQUIRED = [
    "source",
    "partnership",
    "container",
    "section",
    "parent",
    "action",
    "lead",
    "timescale",
    "due_date",
    "rating",
    "last_update",
    "comment",
]


def test_columns_keep_the_agreed_order():
    assert [c for c in COLUMNS if c in REQUIRED] == REQUIRED


@pytest.mark.parametrize("text", ["=SUM(A1)", "+1", "-2+3", "@cmd", "\t=1"])
def test_formula_like_cells_are_neutralised(text):
    assert neutralise(text) == "'" + text


def test_ordinary_cells_are_untouched():
    assert neutralise("Children's QA subgroup") == "Children's QA subgroup"
    assert neutralise(None) == ""


@pytest.mark.django_db
def test_export_writes_every_action_once(seed, admin_user, tmp_path):
    action = Action.objects.get(ref="ncscp-bp-2019-22-2-1")
    make_update(
        action=action,
        rating=Rating.AMBER,
        as_of=date(2019, 10, 1),
        author=admin_user,
        comment='=HYPERLINK("http://x")',
    )
    out = tmp_path / "actions.csv"
    call_command("export_actions", output=str(out))
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert len(rows) == Action.objects.count() == 29 + 33 + 84
    assert Counter(r["source"] for r in rows) == {"plan": 29, "workstream": 33, "review": 84}
    row = next(r for r in rows if r["ref"] == "2.1" and r["source"] == "plan")
    assert row["partnership"] == "NCSCP"
    assert row["container"] == "NCSCP Business Plan 2019-22"
    assert row["section"].startswith("2. Thresholds")
    assert row["due_date"] == "2020-02-29"
    assert (row["rating"], row["last_update"]) == ("Amber", "2019-10-01")
    assert row["comment"].startswith("'=HYPERLINK")
    review_row = next(r for r in rows if r["source"] == "review")
    assert review_row["container"] == "AN09"
    assert review_row["section"] == "Broxtowe Borough Council"
