"""Security and integrity, second round (issue 13): what a probe of a production-like copy
found, one section per finding, in the issue's order. Each test is written as the request the
probe made and failed on the code before its fix."""

from django.urls import reverse

from plans.models import Action, RagUpdate

QA_ACTION = "ncscp-bp-2019-22-2-1"  # NCSCP business plan, led by the Children's QA subgroup


# -- 3. Repeated ids save duplicates ------------------------------------------------------------


def test_my_actions_saves_one_update_for_an_action_id_sent_three_times(client, seed, chair):
    action = Action.objects.get(ref=QA_ACTION)
    client.force_login(chair)
    response = client.post(
        reverse("plans:my_actions"),
        {
            "action": [action.pk, action.pk, action.pk],
            f"a{action.pk}-rating": "green",
            f"a{action.pk}-comment": "On track",
        },
    )
    assert response.status_code == 302
    assert RagUpdate.objects.filter(action=action).count() == 1
