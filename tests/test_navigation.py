"""The service navigation marks the section a page belongs to, on its inner pages too."""

import re

import pytest

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
