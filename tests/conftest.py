"""The fixed cast of test users (STYLE.md) and the seed data, shared by every test module."""

import pytest
from django.core.management import call_command
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from plans.models import Agency, Group, Partnership, Role


@pytest.fixture
def seed(db):
    """The three seed plans, loaded as `make run` loads them."""
    call_command("load_seed", verbosity=0)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache. Page bodies are cached under the newest history
    ids; a rolled-back test can leave SQLite to hand the same ids to the next test, whose page
    would then come from the cache without its template context."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _force_login_passes_second_factor(monkeypatch):
    """client.force_login(user) also passes the user's one-time-password step when they have
    an authenticator app, as signing in with password and code would. Tests of the step itself
    (tests/test_security.py) sign in through the pages instead."""
    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is not None:
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def ncscp(db):
    return Partnership.objects.get_or_create(
        short_name="NCSCP", defaults={"name": "Nottingham City Safeguarding Children Partnership"}
    )[0]


@pytest.fixture
def nscp(db):
    return Partnership.objects.get_or_create(
        short_name="NSCP", defaults={"name": "Nottinghamshire Safeguarding Children Partnership"}
    )[0]


def make_user(django_user_model, username, partnership, kind, group=None, agency=None):
    user = django_user_model.objects.create_user(
        username=username, password="correct-horse-battery", email=f"{username}@example.org"
    )
    Role.objects.create(user=user, partnership=partnership, kind=kind, group=group, agency=agency)
    return user


@pytest.fixture
def admin_user(django_user_model, ncscp):
    user = make_user(django_user_model, "t-admin", ncscp, Role.Kind.ADMINISTRATOR)
    user.is_staff = user.is_superuser = True
    user.save()
    # Administrators must use a second factor (safeguarding/second_factor.py).
    TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return user


@pytest.fixture
def officer(django_user_model, ncscp):
    return make_user(django_user_model, "t-officer", ncscp, Role.Kind.BOARD_OFFICER)


@pytest.fixture
def qa_group(ncscp):
    group, _ = Group.objects.get_or_create(
        slug="ncscp-childrens-qa", defaults={"name": "Children's QA subgroup"}
    )
    group.partnerships.add(ncscp)
    return group


@pytest.fixture
def chair(django_user_model, ncscp, qa_group):
    return make_user(django_user_model, "t-chair", ncscp, Role.Kind.CHAIR, group=qa_group)


@pytest.fixture
def agency_lead(django_user_model, nscp):
    agency, _ = Agency.objects.get_or_create(name="Nottinghamshire HealthCare NHS Trust")
    return make_user(django_user_model, "t-lead", nscp, Role.Kind.AGENCY_LEAD, agency=agency)


@pytest.fixture
def viewer(django_user_model, ncscp):
    return make_user(django_user_model, "t-viewer", ncscp, Role.Kind.VIEWER)


@pytest.fixture
def outsider(django_user_model, nscp):
    """A board officer of the other partnership."""
    return make_user(django_user_model, "t-outsider", nscp, Role.Kind.BOARD_OFFICER)


@pytest.fixture
def structure(db):
    """Partnerships, agencies and groups only: an otherwise empty database."""
    call_command("loaddata", "fixtures/01_structure.json", verbosity=0)
