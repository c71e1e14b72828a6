"""Fixtures for the case-review tests: the review panel's chair, NSCP readers and a small review."""

import pytest

from plans.models import ActionParent, Agency, Group, Partnership, Role
from reviews.models import CaseReview, Recommendation
from tests.conftest import make_user


@pytest.fixture
def nscp_s(structure):
    return Partnership.objects.get(short_name="NSCP")


@pytest.fixture
def panel_chair(django_user_model, nscp_s):
    panel = Group.objects.get(slug="nscp-scr-panel")
    return make_user(django_user_model, "t-panel-chair", nscp_s, Role.Kind.CHAIR, group=panel)


@pytest.fixture
def nscp_viewer(django_user_model, nscp_s):
    return make_user(django_user_model, "t-nscp-viewer", nscp_s, Role.Kind.VIEWER)


@pytest.fixture
def nscp_officer(django_user_model, nscp_s):
    return make_user(django_user_model, "t-nscp-officer", nscp_s, Role.Kind.BOARD_OFFICER)


@pytest.fixture
def nscp_lead(django_user_model, nscp_s):
    """Agency lead of Barnardo's, an agency AN09's recommendations are addressed to."""
    agency = Agency.objects.get(name="Barnardo's")
    return make_user(django_user_model, "t-nscp-lead", nscp_s, Role.Kind.AGENCY_LEAD, agency=agency)


@pytest.fixture
def ncscp_officer(django_user_model, structure):
    ncscp = Partnership.objects.get(short_name="NCSCP")
    return make_user(django_user_model, "t-ncscp-officer", ncscp, Role.Kind.BOARD_OFFICER)


def make_review(partnership, code="TR01", agencies=("Barnardo's",), actions_each=2):
    """A review with one recommendation per agency and `actions_each` actions each."""
    from plans.models import Action

    review = CaseReview.objects.create(
        partnership=partnership, code=code, kind=CaseReview.Kind.LCSPR, title=f"Review {code}"
    )
    for number, name in enumerate(agencies, start=1):
        agency = Agency.objects.get(name=name) if name else None
        recommendation = Recommendation.objects.create(
            ref=f"{code.lower()}-r{number}",
            kind=ActionParent.Kind.RECOMMENDATION,
            partnership=partnership,
            position=number,
            review=review,
            number=number,
            agency=agency,
            source=Recommendation.Source.IMR if agency else Recommendation.Source.OVERVIEW,
            outcome=f"Outcome {number}",
            text=f"Recommendation {number}",
        )
        for position in range(1, actions_each + 1):
            Action.objects.create(
                ref=f"{recommendation.ref}-{position}",
                parent=recommendation,
                position=position,
                text=f"Action {number}.{position}",
                measure="Audit of records",
            )
    return review
