"""The service navigation marks the section a page belongs to, on its inner pages too."""

import re

import pytest

from plans.models import Action

CURRENT = re.compile(
    r'<li class="govuk-service-navigation__item govuk-service-navigation__item--active">\s*'
    r'<a class="govuk-service-navigation__link" href="[^"]*" aria-current="page">\s*'
    r'<strong class="govuk-service-navigation__active-fallback">([^<]+)</strong>'
)


def current_items(response):
    return CURRENT.findall(response.content.decode())


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path, section",
    [
        ("/", "Dashboard"),
        ("/actions/", "All actions"),
        ("/reviews/", "Case reviews"),
        ("/reviews/intake/", "Case reviews"),
        ("/risks/", "Risks"),
        ("/risks/NCSCP/", "Risks"),
        ("/quality/", "Quality"),
        ("/quality/NCSCP/", "Quality"),
        ("/performance/", "Data set"),
    ],
)
def test_each_section_is_marked_current_on_its_pages(client, seed, officer, path, section):
    client.force_login(officer)
    response = client.get(path, follow=True)
    assert response.status_code == 200
    assert current_items(response) == [section]


@pytest.mark.django_db
def test_a_page_outside_the_sections_marks_none(client, seed, officer):
    client.force_login(officer)
    assert current_items(client.get("/accounts/password_change/")) == []


@pytest.mark.django_db
def test_an_actions_back_link_returns_to_where_the_reader_came_from(client, seed, officer):
    client.force_login(officer)
    action = Action.objects.visible_to(officer).order_by("pk").first()
    url = f"/actions/{action.pk}/"

    def back(referer):
        headers = {"HTTP_REFERER": referer} if referer else {}
        html = client.get(url, **headers).content.decode()
        return re.search(r'<a href="([^"]*)" class="govuk-back-link">([^<]+)</a>', html).groups()

    assert back("http://testserver/plans/?x=1") == ("/plans/?x=1", "Back")
    assert back("http://testserver/my-actions/#action-3") == ("/my-actions/", "Back")
    # From nowhere, another site, sign-in or this action's own update form: All actions.
    for referer in ("", "https://evil.example/plans/", "http://testserver/accounts/login/",
                    f"http://testserver{url}update/"):  # fmt: skip
        assert back(referer) == ("/actions/", "All actions")
