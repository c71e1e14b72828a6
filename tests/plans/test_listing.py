"""A page of actions read narrowly (plans/listing.py) shows what for_list() shows."""

import pytest

from plans.listing import summary_groups, with_children
from plans.models import Action, ActionParent


@pytest.mark.django_db
def test_a_page_of_every_kind_matches_for_list_with_one_query_per_kind(
    seed, django_assert_num_queries
):
    kinds = set(Action.objects.values_list("parent__kind", flat=True))
    assert {"objective", "workstream", "recommendation"} <= kinds
    wide = {a.pk: a for a in Action.objects.for_list()}
    # The first action of each kind, so the page mixes them all.
    picked = [Action.objects.filter(parent__kind=kind).order_by("pk")[0].pk for kind in kinds]
    with django_assert_num_queries(1 + len(kinds)):
        rows = with_children(Action.objects.filter(pk__in=picked).for_page())
    with django_assert_num_queries(0):
        for action in rows:
            expected = wide[action.pk]
            assert action.parent.child.container_label == expected.parent.child.container_label
            assert action.display_ref == expected.display_ref
            assert action.latest_comment == expected.latest_comment
            assert action.latest_rating == expected.latest_rating


@pytest.mark.django_db
def test_summary_groups_are_the_kinds_own(seed):
    parents = ActionParent.objects.filter(actions__isnull=False).distinct()
    groups = summary_groups({parent.pk: parent.kind for parent in parents})
    assert set(groups) == {parent.pk for parent in parents}
    for parent in parents:
        partnership, group = groups[parent.pk]
        kind, key, title, link = parent.child.summary_group
        assert (partnership, group[:3], str(group[3])) == (
            parent.partnership_id,
            (kind, key, title),
            str(link),
        )
