"""People and access: invitations, roles given and removed with history, deactivation,
groups and agencies; for board officers and administrators only."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from plans.access import scope_for
from plans.models import AccountEvent, Agency, Group, Role
from plans.people import invite_tokens

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-new-password-2026"


def sign_in(client, username, password):
    client.logout()
    return client.post(reverse("login"), {"username": username, "password": password})


def invite(client, officer, qa_group, **extra):
    client.force_login(officer)
    data = {
        "email": "New.Chair@Example.org",
        "first_name": "Nia",
        "last_name": "Newchair",
        "kind": "chair",
        "group": qa_group.pk,
    } | extra
    return client.post(reverse("plans:person_invite", args=["NCSCP"]), data)


@override_settings(SITE_URL="https://tracker.example.org")
def test_an_invited_chair_sets_a_password_from_the_link_once(client, officer, qa_group):
    response = invite(client, officer, qa_group)
    person = get_user_model().objects.get(email="new.chair@example.org")
    assert response.url == reverse("plans:person_detail", args=[person.pk])
    assert not person.has_usable_password() and person.username == "new.chair@example.org"
    role = Role.objects.get(user=person)
    assert (role.kind, role.group) == ("chair", qa_group)
    assert role.history.get().history_user == officer
    (email,) = mail.outbox
    assert email.to == ["new.chair@example.org"]
    link = re.search(r"https://tracker\.example\.org(/accounts/invitation/\S+/)", email.body)[1]
    client.logout()
    page = client.get(link)
    assert b"Set your password" in page.content and b"new.chair@example.org" in page.content
    response = client.post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert response.url == reverse("login")
    person.refresh_from_db()
    assert person.check_password(PASSWORD)
    assert AccountEvent.objects.filter(user=person, kind="password_set").exists()
    # The link works once.
    assert b"has expired or has already been used" in client.get(link).content
    assert sign_in(client, "new.chair@example.org", PASSWORD).url == "/"
    assert scope_for(person).groups == {qa_group.pk}


def test_the_invitation_expires_after_invite_days(client, officer, qa_group, monkeypatch):
    invite(client, officer, qa_group)
    person = get_user_model().objects.get(email="new.chair@example.org")
    token = invite_tokens.make_token(person)
    assert invite_tokens.check_token(person, token)
    later = invite_tokens._now() + timedelta(days=7, hours=1)
    monkeypatch.setattr(invite_tokens, "_now", lambda: later)
    assert not invite_tokens.check_token(person, token)


def test_invite_errors_are_in_the_gov_uk_voice(client, officer, qa_group, chair):
    response = invite(client, officer, qa_group, email="t-chair@example.org", group="")
    html = response.content.decode()
    assert response.status_code == 200 and not mail.outbox
    assert "Someone with this email address already has an account" in html
    assert '<a href="#id_group">Select the group they chair or belong to</a>' in html
    response = invite(client, officer, qa_group, email="not an email", first_name="")
    html = response.content.decode()
    assert '<a href="#id_email">Enter an email address in the correct format' in html
    assert '<a href="#id_first_name">Enter their first name</a>' in html


def test_roles_given_and_removed_are_recorded_and_shown(client, officer, viewer, qa_group):
    client.force_login(officer)
    url = reverse("plans:role_add", args=[viewer.pk, "NCSCP"])
    assert client.post(url, {"kind": "member", "group": qa_group.pk}).status_code == 302
    role = Role.objects.get(user=viewer, kind="member")
    response = client.post(url, {"kind": "member", "group": qa_group.pk})
    assert "They already have this role" in response.content.decode()
    remove = reverse("plans:role_remove", args=[role.pk])
    assert b"Remove" in client.get(remove).content  # a confirmation page first
    assert Role.objects.filter(pk=role.pk).exists()
    client.post(remove)
    assert not Role.objects.filter(pk=role.pk).exists()
    removed = Role.history.filter(id=role.pk, history_type="-").get()
    assert removed.history_user == officer
    html = client.get(reverse("plans:person_detail", args=[viewer.pk])).content.decode()
    assert "Removed: Group member, Children&#x27;s QA subgroup" in html
    assert "Given: Group member, Children&#x27;s QA subgroup" in html


def test_a_person_whose_last_role_was_removed_can_still_be_found(client, officer, viewer):
    client.force_login(officer)
    client.post(reverse("plans:role_remove", args=[viewer.roles.get().pk]))
    assert client.get(reverse("plans:person_detail", args=[viewer.pk])).status_code == 200


def test_deactivating_stops_sign_in_and_is_recorded(client, officer, viewer):
    client.force_login(officer)
    url = reverse("plans:person_deactivate", args=[viewer.pk])
    assert client.get(url).status_code == 200
    client.post(url)
    viewer.refresh_from_db()
    assert not viewer.is_active
    assert AccountEvent.objects.get(user=viewer).by == officer
    assert sign_in(client, "t-viewer", "correct-horse-battery").status_code == 200  # refused
    client.force_login(officer)
    client.post(reverse("plans:person_reactivate", args=[viewer.pk]))
    viewer.refresh_from_db()
    assert viewer.is_active


def test_an_officer_cannot_deactivate_someone_with_roles_elsewhere_or_themselves(
    client, officer, viewer, nscp
):
    Role.objects.create(user=viewer, partnership=nscp, kind=Role.Kind.VIEWER)
    client.force_login(officer)
    assert client.post(reverse("plans:person_deactivate", args=[viewer.pk])).status_code == 403
    assert client.post(reverse("plans:person_deactivate", args=[officer.pk])).status_code == 403
    viewer.refresh_from_db()
    assert viewer.is_active


def test_the_people_page_says_who_can_update_what(client, officer, chair, agency_lead):
    client.force_login(officer)
    html = client.get(reverse("plans:people_list")).content.decode()
    assert "Actions led by Children&#x27;s QA subgroup and its sub-groups" in html
    assert "Every action of NCSCP" in html
    assert "t-lead" not in html  # NSCP's people are not NCSCP's officer's to see


@pytest.mark.parametrize(("who", "code"), [("viewer", 403), ("chair", 403), ("outsider", 404)])
def test_people_pages_are_for_the_partnerships_officers(client, request, chair, who, code):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("plans:person_detail", args=[chair.pk])).status_code == code
    before = Role.history.count()
    client.post(reverse("plans:role_remove", args=[chair.roles.get().pk]))
    assert Role.history.count() == before


def test_groups_are_added_with_a_parent_that_cannot_loop(client, officer, ncscp, qa_group):
    client.force_login(officer)
    response = client.post(
        reverse("plans:group_create", args=["NCSCP"]),
        {"name": "Neglect task and finish group", "kind": "task_and_finish", "parent": qa_group.pk},
    )
    assert response.status_code == 302
    child = Group.objects.get(name="Neglect task and finish group")
    assert child.parent == qa_group and list(child.partnerships.all()) == [ncscp]
    assert child.slug == "neglect-task-and-finish-group"
    assert child.history.first().history_user == officer
    response = client.post(
        reverse("plans:group_edit", args=[qa_group.pk]),
        {"name": qa_group.name, "kind": "subgroup", "parent": child.pk},
    )
    assert "reports to this group already" in response.content.decode()
    qa_group.refresh_from_db()
    assert qa_group.parent is None


def test_agencies_are_added_once(client, officer, ncscp):
    client.force_login(officer)
    url = reverse("plans:agency_create", args=["NCSCP"])
    assert client.post(url, {"name": "Nottingham CityCare", "kind": "health"}).status_code == 302
    agency = Agency.objects.get(name="Nottingham CityCare")
    assert list(agency.partnerships.all()) == [ncscp]
    response = client.post(url, {"name": "nottingham citycare", "kind": "health"})
    assert "is already recorded: use that agency" in response.content.decode()


def test_only_administrators_make_administrators(client, officer, admin_user, viewer):
    client.force_login(officer)
    url = reverse("plans:role_add", args=[viewer.pk, "NCSCP"])
    response = client.post(url, {"kind": "administrator"})
    assert "Select a role from the list" in response.content.decode()
    assert not viewer.roles.filter(kind="administrator").exists()
    client.force_login(admin_user)
    assert client.post(url, {"kind": "administrator"}).status_code == 302
    assert viewer.roles.filter(kind="administrator").exists()
