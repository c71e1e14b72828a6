"""Security and integrity, second round (issue 13): what a probe of a production-like copy
found, one section per finding, in the issue's order. Each test is written as the request the
probe made and failed on the code before its fix."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from oversight.models import Meeting
from plans.models import Action, Agency, Group, RagUpdate, Rating, Theme
from reviews.models import CaseReview
from workstreams.models import Workstream

from .reviews.conftest import make_review

QA_ACTION = "ncscp-bp-2019-22-2-1"  # NCSCP business plan, led by the Children's QA subgroup


# -- 1. Two-step verification is not skipped after a promotion -----------------------------------

PASSWORD = "correct-horse-battery"


def sign_in_with_password(client, username):
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302


def make_staff(user):
    user.is_staff = True
    user.save()


def make_superuser(user):
    user.is_staff = user.is_superuser = True
    user.save()


def give_administrator_role(user):
    from plans.models import Role

    Role.objects.create(user=user, partnership=user.roles.get().partnership, kind="administrator")


@pytest.mark.parametrize("promote", [make_staff, make_superuser, give_administrator_role])
def test_a_session_open_before_a_promotion_must_set_up_two_step_verification(seed, viewer, promote):
    action = Action.objects.get(ref=QA_ACTION)
    update = RagUpdate.objects.create(
        action=action, rating=Rating.GREEN, comment="As written", as_of=date(2026, 5, 1),
        author=viewer,
    )  # fmt: skip
    client = Client()
    sign_in_with_password(client, "t-viewer")
    assert client.get(reverse("oversight:dashboard")).status_code == 200
    promote(viewer)
    setup = reverse("two_factor_setup")
    for url in (reverse("oversight:dashboard"), reverse("admin:index")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(setup), url
    change = reverse("admin:plans_ragupdate_change", args=[update.pk])
    response = client.post(change, {"rating": "red", "comment": "Rewritten", "as_of": "2026-05-01"})
    assert response.status_code == 302 and response["Location"].startswith(setup)
    update.refresh_from_db()
    assert (update.rating, update.comment) == (Rating.GREEN, "As written")


def test_a_session_open_before_an_app_was_set_up_elsewhere_must_enter_a_code(chair):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    sign_in_with_password(client, "t-chair")
    assert client.get(reverse("oversight:dashboard")).status_code == 200
    TOTPDevice.objects.create(user=chair, name="Authenticator app", confirmed=True)
    response = client.get(reverse("oversight:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_verify"))


# -- 2. An agency-lead role grants updates only in its own partnership ---------------------------

HEALTHCARE = "Nottinghamshire HealthCare NHS Trust"


@pytest.fixture
def healthcare_in_ncscp(seed, ncscp):
    """NCSCP actions of the agency `lead` leads in NSCP: one assigned to it, one under a
    recommendation addressed to it."""
    healthcare = Agency.objects.get(name=HEALTHCARE)
    assigned = Action.objects.get(ref="ncscp-bp-2019-22-3-1")
    assigned.lead_agencies.add(healthcare)
    review = make_review(ncscp, code="HC01", agencies=(HEALTHCARE,), actions_each=1)
    addressed = Action.objects.get(parent__recommendation__review=review)
    return assigned, addressed


def test_an_agency_lead_with_a_viewer_role_elsewhere_cannot_update_that_agencys_actions_there(
    client, agency_lead, ncscp, healthcare_in_ncscp
):
    from plans.models import Role

    Role.objects.create(user=agency_lead, partnership=ncscp, kind=Role.Kind.VIEWER)
    client.force_login(agency_lead)
    for action in healthcare_in_ncscp:
        url = reverse("plans:action_update", args=[action.pk])
        assert client.get(reverse("plans:action_detail", args=[action.pk])).status_code == 200
        assert client.get(url).status_code == 403
        response = client.post(url, {"rating": "green", "comment": "Forged"})
        assert response.status_code == 403
        assert not RagUpdate.objects.filter(action=action).exists()
    rows = {"action": [a.pk for a in healthcare_in_ncscp]}
    assert client.post(reverse("oversight:my_actions"), rows).status_code == 403
    # Their own partnership's actions of that agency they still update.
    own = Action.objects.filter(
        parent__partnership__short_name="NSCP", parent__recommendation__agency__name=HEALTHCARE
    ).first()
    url = reverse("plans:action_update", args=[own.pk])
    assert client.post(url, {"rating": "green", "comment": "Done"}).status_code == 302


# -- 11. A per-account limit besides the per-address one ----------------------------------------


def attempt(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


@pytest.fixture
def clock(monkeypatch):
    """django-axes' clock, moved on by `clock["ahead"]`: every attempt's time, and so every
    count and cool-off, is taken from it."""
    ahead = {"ahead": timedelta()}
    monkeypatch.setattr("axes.handlers.proxy.now", lambda: timezone.now() + ahead["ahead"])
    return ahead


def test_ten_failures_from_one_address_hold_the_account_at_another(chair, clock):
    guesser = Client(REMOTE_ADDR="192.0.2.7")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(guesser, "t-chair", "not-the-password")
    elsewhere = Client(REMOTE_ADDR="198.51.100.20")
    response = attempt(elsewhere, "t-chair", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in elsewhere.session
    page = response.content.decode()
    assert "Too many attempts to sign in" in page
    assert f"Wait {settings.AXES_ACCOUNT_COOLOFF_TIME.seconds // 60} minutes" in page


def test_guesses_spread_over_many_addresses_hold_the_account(chair, clock):
    for n in range(settings.AXES_ACCOUNT_FAILURE_LIMIT):
        attempt(Client(REMOTE_ADDR=f"203.0.113.{n + 1}"), "T-Chair", "not-the-password")
    response = attempt(Client(REMOTE_ADDR="198.51.100.20"), "t-chair", PASSWORD)
    assert response.status_code == 429


def test_the_account_hold_is_short_and_attempts_during_it_do_not_extend_it(chair, clock):
    cooloff = settings.AXES_ACCOUNT_COOLOFF_TIME
    assert cooloff < settings.AXES_COOLOFF_TIME  # gentler than the address's lockout
    guesser = Client(REMOTE_ADDR="192.0.2.7")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(guesser, "t-chair", "not-the-password")
    clock["ahead"] = cooloff / 2
    for n in range(3):  # more guesses during the hold, from new addresses: refused, uncounted
        held = attempt(Client(REMOTE_ADDR=f"203.0.113.{n + 1}"), "t-chair", "not-the-password")
        assert held.status_code == 429
    person = Client(REMOTE_ADDR="198.51.100.20")
    assert attempt(person, "t-chair", PASSWORD).status_code == 429
    clock["ahead"] = cooloff + timedelta(seconds=1)
    assert attempt(person, "t-chair", PASSWORD).status_code == 302
    # The guessing address itself is still locked out, for the longer cool-off.
    assert attempt(guesser, "t-chair", PASSWORD).status_code == 429


# -- 12. A role from a shared group reaches that group's actions, not the other partnership -----

CSE_ACTION = "nscp-ws-1-1"  # NSCP workstream 1, led by the cross-authority CSE group
OTHER_NSCP_ACTION = "nscp-an09-r24-1"  # NSCP's AN09 review, not the CSE group's


@pytest.fixture
def cse_chair(django_user_model, seed, ncscp):
    """Chair of the Cross Authority CSE Group (shared by NCSCP and NSCP), in NCSCP."""
    from plans.models import Group, Role

    from .conftest import make_user

    group = Group.objects.get(slug="csecag")
    return make_user(django_user_model, "t-cse-chair", ncscp, Role.Kind.CHAIR, group=group)


@pytest.fixture
def nscp_things(seed, nscp):
    from plans.models import Group

    bmg = Group.objects.create(slug="t-nscp-bmg", name="NSCP BMG", kind=Group.Kind.BMG)
    bmg.partnerships.add(nscp)
    meeting = Meeting.objects.create(
        group=bmg, date=date(2021, 6, 16), update_deadline=date(2021, 6, 2)
    )
    review = CaseReview.objects.get(partnership=nscp, code="AN09")
    return meeting, review


def test_the_cse_groups_chair_reads_and_updates_its_actions_in_the_other_partnership(
    client, cse_chair
):
    action = Action.objects.get(ref=CSE_ACTION)
    client.force_login(cse_chair)
    assert client.get(reverse("plans:action_detail", args=[action.pk])).status_code == 200
    url = reverse("plans:action_update", args=[action.pk])
    assert client.post(url, {"rating": "amber", "comment": "Slipping"}).status_code == 302
    assert RagUpdate.objects.filter(action=action, author=cse_chair).count() == 1
    mine = client.get(reverse("oversight:my_actions"), {"show": "all"}).content.decode()
    assert reverse("plans:action_detail", args=[action.pk]) in mine


def test_the_cse_groups_chair_does_not_read_the_rest_of_the_other_partnership(
    client, cse_chair, nscp_things
):
    meeting, review = nscp_things
    other = Action.objects.get(ref=OTHER_NSCP_ACTION)
    client.force_login(cse_chair)
    for url in (
        reverse("reviews:review_detail", args=[review.pk]),
        reverse("reviews:review_pdf", args=[review.pk]),
        reverse("oversight:meeting_detail", args=[meeting.pk]),
        reverse("oversight:meeting_pack", args=[meeting.pk]),
        reverse("oversight:meeting_pack_pdf", args=[meeting.pk]),
        reverse("workstreams:workstream_list", args=["NSCP"]),
        reverse("plans:action_detail", args=[other.pk]),
        reverse("plans:action_update", args=[other.pk]),
    ):
        assert client.get(url).status_code == 404, url
    listed = client.get(reverse("reviews:review_list")).content.decode()
    assert "AN09" not in listed
    dashboard = client.get(reverse("oversight:dashboard")).content.decode()
    assert "Workstream 1:" in dashboard  # its CSE action is counted ...
    assert reverse("workstreams:workstream_list", args=["NSCP"]) not in dashboard  # ... unlinked
    actions = client.get(reverse("oversight:action_list")).content.decode()
    assert reverse("plans:action_detail", args=[other.pk]) not in actions
    export_url = reverse("oversight:action_export", args=["csv"])
    export = client.get(export_url).content.decode("utf-8-sig")
    nscp_rows = [row for row in csv.DictReader(io.StringIO(export)) if row["partnership"] == "NSCP"]
    cse_led = Action.objects.filter(
        parent__partnership__short_name="NSCP", lead_groups__slug="csecag"
    )
    assert nscp_rows and len(nscp_rows) == cse_led.count()
    assert {row["lead"] for row in nscp_rows} == set(cse_led.values_list("lead_text", flat=True))


# -- 3. Repeated ids save duplicates ------------------------------------------------------------


def test_my_actions_saves_one_update_for_an_action_id_sent_three_times(client, seed, chair):
    action = Action.objects.get(ref=QA_ACTION)
    client.force_login(chair)
    response = client.post(
        reverse("oversight:my_actions"),
        {
            "action": [action.pk, action.pk, action.pk],
            f"a{action.pk}-rating": "green",
            f"a{action.pk}-comment": "On track",
        },
    )
    assert response.status_code == 302
    assert RagUpdate.objects.filter(action=action).count() == 1


# -- 4. A closure reason cannot be rewritten after sign-off --------------------------------------


@pytest.fixture
def signed_off_review(client, seed, officer, ncscp):
    """An NCSCP review whose one recommendation was closed, then the plan signed off."""
    review = make_review(ncscp, code="SO01", agencies=("Broxtowe Borough Council",))
    recommendation = review.recommendations.get()
    client.force_login(officer)
    close = reverse("reviews:recommendation_close", args=[recommendation.pk])
    assert client.post(close, {"reason": "Met by the county audit"}).status_code == 302
    sign_off = reverse("reviews:review_sign_off", args=[review.pk])
    assert client.post(sign_off, {"note": "Panel agreed"}).status_code == 302
    review.refresh_from_db()
    assert review.status == CaseReview.Status.SIGNED_OFF
    return recommendation


def test_closing_a_recommendation_of_a_signed_off_review_is_refused(client, signed_off_review):
    url = reverse("reviews:recommendation_close", args=[signed_off_review.pk])
    history = signed_off_review.history.count()
    response = client.post(url, {"reason": "Rewritten after sign-off"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Reopen the signed-off action plan before changing how this recommendation" in html
    signed_off_review.refresh_from_db()
    assert signed_off_review.closed_reason == "Met by the county audit"
    assert signed_off_review.history.count() == history


# -- 5. Upload limits hold for the request as a whole -------------------------------------------


@pytest.fixture
def stored_uploads(monkeypatch, settings, tmp_path):
    """What Django's own upload handlers were given to keep (in memory or, as here, in
    temporary files on disk), counted as it arrives: {"files": n, "bytes": n}."""
    from django.core.files.uploadhandler import TemporaryFileUploadHandler

    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # every file to disk, as 9 MB files would go
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.PLAN_IMPORT_MAX_BYTES = 10_000
    seen = {"files": 0, "bytes": 0}
    handler = TemporaryFileUploadHandler
    new_file, receive = handler.new_file, handler.receive_data_chunk

    def counting_new_file(self, *args, **kwargs):
        seen["files"] += 1
        return new_file(self, *args, **kwargs)

    def counting_receive(self, raw_data, start):
        seen["bytes"] += len(raw_data)
        return receive(self, raw_data, start)

    monkeypatch.setattr(TemporaryFileUploadHandler, "new_file", counting_new_file)
    monkeypatch.setattr(TemporaryFileUploadHandler, "receive_data_chunk", counting_receive)
    return seen


def five_files(size):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return [SimpleUploadedFile(f"plan{n}.csv", b"x" * size) for n in range(5)]


def csrf_checked_client(user=None):
    """A browser-like client: CSRF enforced, holding the CSRF cookie from a first page."""
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    client.get(reverse("login"))
    return client, client.cookies[settings.CSRF_COOKIE_NAME].value


def test_an_anonymous_post_of_five_files_to_the_sign_in_page_stores_none(db, stored_uploads):
    client, _token = csrf_checked_client()
    data = {"username": "nobody", "password": "x", "file": five_files(9_000)}
    response = client.post(reverse("login"), data)  # no CSRF token in the form, as probed
    assert response.status_code == 403
    assert stored_uploads == {"files": 0, "bytes": 0}


def test_files_sent_to_a_page_that_takes_none_are_not_stored(chair, stored_uploads):
    client, token = csrf_checked_client(chair)
    data = {"csrfmiddlewaretoken": token, "file": five_files(9_000)}
    assert client.post(reverse("oversight:my_actions"), data).status_code == 302
    assert stored_uploads == {"files": 0, "bytes": 0}


def test_a_reader_who_may_not_import_has_no_upload_stored(viewer, stored_uploads):
    client, token = csrf_checked_client(viewer)
    url = reverse("oversight:import_upload", args=["NCSCP"])
    data = {"csrfmiddlewaretoken": token, "file": five_files(9_000)}
    assert client.post(url, data).status_code == 403
    assert stored_uploads == {"files": 0, "bytes": 0}


def test_five_files_each_under_the_limit_are_refused_together(client, officer, stored_uploads):
    client.force_login(officer)
    url = reverse("oversight:import_upload", args=["NCSCP"])
    response = client.post(url, {"file": five_files(9_000), "review_code": "UP01"})
    assert "The selected file must be smaller than" in response.content.decode()
    assert stored_uploads["bytes"] <= settings.PLAN_IMPORT_MAX_BYTES


def test_an_officer_still_uploads_one_file_at_the_limit(client, officer, stored_uploads):
    from .test_uploads import plan_csv, upload

    content = plan_csv()
    settings.PLAN_IMPORT_MAX_BYTES = len(content)
    client.force_login(officer)
    assert upload(client, "plan.csv", content).status_code == 302
    assert stored_uploads == {"files": 1, "bytes": len(content)}


# -- 6. Password reset: the link from SITE_URL, the same answer time, a throttle ---------------


def ask_for_reset(client, email, **extra):
    return client.post(reverse("password_reset"), {"email": email}, **extra)


def sent_mail():
    """The reset emails sent so far, once any still being sent have gone."""
    from django.core import mail

    from safeguarding import passwords

    passwords.wait_for_sending()
    return list(mail.outbox)


def test_the_reset_link_points_at_site_url_not_the_host_asked(
    client, chair, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://tracker.example.org"
    settings.ALLOWED_HOSTS = ["testserver", "internal.example"]
    with django_capture_on_commit_callbacks(execute=True):
        response = ask_for_reset(client, chair.email, HTTP_HOST="internal.example")
    assert response.status_code == 302
    (message,) = sent_mail()
    assert message.to == [chair.email]
    assert "https://tracker.example.org/accounts/reset/" in message.body
    assert "internal.example" not in message.body


@pytest.mark.django_db(transaction=True)
def test_a_known_email_is_answered_as_fast_as_an_unknown_one(client, chair, monkeypatch):
    """Sending takes time (an SMTP server; here a slow stand-in): the answer must not wait
    for it, or its time tells who has an account."""
    import statistics
    import time

    from django.core.mail.backends import locmem

    send = locmem.EmailBackend.send_messages

    def slow_send(self, messages):
        time.sleep(0.3)
        return send(self, messages)

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", slow_send)
    timings = {"known": [], "unknown": []}
    for _ in range(3):
        for kind, email in (("known", chair.email), ("unknown", "nobody@example.org")):
            started = time.perf_counter()
            assert ask_for_reset(client, email).status_code == 302
            timings[kind].append(time.perf_counter() - started)
    known, unknown = (statistics.median(timings[kind]) for kind in ("known", "unknown"))
    assert abs(known - unknown) < 0.15, timings
    assert [message.to for message in sent_mail()] == [[chair.email]] * 3


def test_reset_requests_are_throttled_per_email_alike_for_known_and_unknown(
    client, chair, django_capture_on_commit_callbacks
):
    for email in (chair.email, "nobody@example.org"):
        for _ in range(3):
            with django_capture_on_commit_callbacks(execute=True):
                assert ask_for_reset(client, email).status_code == 302
        response = ask_for_reset(client, email)
        assert response.status_code == 429
        assert "You have asked for too many password reset links" in response.content.decode()
    assert len(sent_mail()) == 3


def test_reset_requests_are_throttled_per_address(
    client, chair, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(10):
            assert ask_for_reset(client, f"someone{n}@example.org").status_code == 302
    assert ask_for_reset(client, chair.email).status_code == 429
    assert sent_mail() == []
    other = Client(REMOTE_ADDR="192.0.2.50")
    with django_capture_on_commit_callbacks(execute=True):
        assert ask_for_reset(other, chair.email).status_code == 302
    assert len(sent_mail()) == 1


# -- 7. No caching of signed-in pages, exports and PDFs ----------------------------------------


@pytest.fixture
def quick_pdfs(monkeypatch):
    """The PDF views' headers are what is checked here, not WeasyPrint's layout."""
    from oversight import renders
    from plans import pdf

    def render_pdf(html, *, variant=None, in_parts=False):
        return pdf.RenderedPdf(b"%PDF-1.7 test", 1)

    monkeypatch.setattr(pdf, "render_pdf", render_pdf)
    monkeypatch.setattr(renders, "render_pdf", render_pdf)
    monkeypatch.setattr("reviews.pdf.render_pdf", render_pdf, raising=False)


def test_signed_in_pages_exports_and_pdfs_are_not_stored_by_browsers_or_proxies(
    client, seed, officer, ncscp, quick_pdfs
):
    bmg = Group.objects.get(slug="ncscp-bmg")
    meeting = Meeting.objects.create(
        group=bmg, date=date(2021, 6, 16), update_deadline=date(2021, 6, 2)
    )
    review = make_review(ncscp, code="CC01", agencies=("Broxtowe Borough Council",))
    client.force_login(officer)
    urls = [
        reverse("oversight:dashboard"),
        reverse("plans:action_detail", args=[Action.objects.get(ref=QA_ACTION).pk]),
        reverse("oversight:action_export", args=["csv"]),
        reverse("oversight:action_export", args=["xlsx"]),
        reverse("oversight:meeting_pack", args=[meeting.pk]),
        reverse("oversight:meeting_pack_pdf", args=[meeting.pk]),
        reverse("reviews:review_pdf", args=[review.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
        assert {"no-store", "private"} <= directives, (url, response.get("Cache-Control"))


def test_static_files_stay_cacheable(client, viewer):
    client.force_login(viewer)
    response = client.get("/" + settings.STATIC_URL.lstrip("/") + "build/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


# -- 8. History cannot be rewritten in the admin; corrections are new updates -------------------


@pytest.fixture
def chairs_update(seed, chair):
    action = Action.objects.get(ref=QA_ACTION)
    return RagUpdate.objects.create(
        action=action, rating=Rating.GREEN, comment="On track", as_of=date(2026, 5, 1),
        author=chair,
    )  # fmt: skip


def test_an_administrator_cannot_change_add_or_revert_a_rag_update_in_the_admin(
    client, admin_user, chair, chairs_update
):
    update = chairs_update
    client.force_login(admin_user)
    change = reverse("admin:plans_ragupdate_change", args=[update.pk])
    page = client.get(change)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    forged = {
        "action": update.action_id,
        "rating": "red",
        "comment": "Rewritten by the administrator",
        "as_of": "2026-01-01",
        "author": admin_user.pk,
    }
    assert client.post(change, forged).status_code == 403
    assert client.post(reverse("admin:plans_ragupdate_add"), forged).status_code == 403
    version = update.history.get().history_id
    revert = reverse("admin:plans_ragupdate_simple_history", args=[update.pk, version])
    assert client.post(revert, forged).status_code == 403
    update.refresh_from_db()
    assert (update.rating, update.comment, update.as_of, update.author) == (
        Rating.GREEN, "On track", date(2026, 5, 1), chair,
    )  # fmt: skip
    assert update.history.count() == 1


def test_a_saved_rag_update_cannot_be_changed_in_code_either(chairs_update):
    chairs_update.comment = "Changed"
    with pytest.raises(ValueError, match="record a correction"):
        chairs_update.save()


def test_a_correction_is_a_new_update_by_the_corrector_shown_as_such(
    client, officer, chair, chairs_update
):
    original = chairs_update
    action = original.action
    client.force_login(officer)
    url = reverse("plans:action_update", args=[action.pk])
    form = client.get(url, {"corrects": original.pk})
    assert form.status_code == 200
    assert "Correct the update of 1 May 2026 by t-chair" in form.content.decode()
    seen = form.context["form"]["seen"].value()
    data = {"seen": seen, "corrects": original.pk, "rating": "red", "comment": "Was off track"}
    assert client.post(url, data).status_code == 302
    correction = RagUpdate.objects.exclude(pk=original.pk).get(action=action)
    assert (correction.corrects, correction.author, correction.rating) == (original, officer, "red")
    assert correction.as_of == original.as_of  # it speaks for the same date
    original.refresh_from_db()
    assert (original.rating, original.comment, original.author) == ("green", "On track", chair)
    page = client.get(reverse("plans:action_detail", args=[action.pk])).content.decode()
    assert "Correction of the update of 1 May 2026 by t-chair" in page
    assert page.count("Was off track") == 1 and "On track" in page
    assert Action.objects.with_latest_update().get(pk=action.pk).latest_rating == "red"


def test_a_correction_must_say_why_and_correct_an_update_of_this_action(
    client, officer, chairs_update, seed
):
    action = chairs_update.action
    other = Action.objects.filter(parent__partnership=action.parent.partnership)
    other = other.exclude(pk=action.pk).first()
    client.force_login(officer)
    url = reverse("plans:action_update", args=[other.pk])
    assert client.get(url, {"corrects": chairs_update.pk}).status_code == 404
    url = reverse("plans:action_update", args=[action.pk])
    response = client.post(url, {"corrects": chairs_update.pk, "rating": "green"})
    assert response.status_code == 200
    assert "Enter a progress comment to explain the correction" in response.content.decode()
    assert action.updates.count() == 1


def test_changes_to_a_persons_staff_and_superuser_flags_and_groups_are_historised(
    client, admin_user, viewer
):
    from django.contrib.auth.models import Group as AuthGroup

    client.force_login(admin_user)
    url = reverse("admin:auth_user_change", args=[viewer.pk])
    data = {
        "username": viewer.username,
        "email": viewer.email,
        "is_active": "on",
        "is_staff": "on",
        "is_superuser": "on",
        "date_joined_0": "2026-01-05",
        "date_joined_1": "09:00:00",
    }
    assert client.post(url, data).status_code == 302
    viewer.refresh_from_db()
    assert viewer.is_staff and viewer.is_superuser
    latest = viewer.history.latest("history_id")
    assert (latest.is_staff, latest.is_superuser, latest.history_user) == (True, True, admin_user)
    assert latest.prev_record is not None and not latest.prev_record.is_superuser
    editors = AuthGroup.objects.create(name="Editors")
    viewer.groups.add(editors)
    assert list(viewer.history.latest("history_id").groups.values_list("group", flat=True)) == [
        editors.pk
    ]
    assert client.get(reverse("admin:auth_user_history", args=[viewer.pk])).status_code == 200


def test_signing_in_adds_no_history_row_for_the_person(client, viewer):
    before = viewer.history.count()
    client.post(reverse("login"), {"username": "t-viewer", "password": "correct-horse-battery"})
    assert viewer.history.count() == before


# -- 9. Archived reviews and workstreams stay off theme pages -----------------------------------


@pytest.fixture
def archived_theme(seed, ncscp, officer):
    """A theme raised by a live and an archived review, answered by a live and an archived
    workstream; each workstream has a rated action."""
    theme = Theme.objects.create(slug="t-archived", name="Archived things")
    live_review = make_review(ncscp, code="LV01", agencies=("Broxtowe Borough Council",))
    gone_review = make_review(ncscp, code="GN01", agencies=("Broxtowe Borough Council",))
    gone_review.archived_at = timezone.now()
    gone_review.save()
    for review in (live_review, gone_review):
        review.themes.add(theme)
    workstreams = {}
    for n, name in ((91, "live"), (92, "gone")):
        workstream = Workstream.objects.create(
            ref=f"t-ws-{name}",
            kind="workstream",
            partnership=ncscp,
            position=n,
            number=n,
            title=f"Workstream that is {name}",
            objective_text="Aim",
        )
        workstream.themes.add(theme)
        action = Action.objects.create(
            ref=f"t-ws-{name}-1", parent=workstream, text=f"Action of the {name} workstream"
        )
        RagUpdate.objects.create(
            action=action, rating=Rating.RED, comment="x", as_of=date(2026, 1, 5), author=officer
        )
        workstreams[name] = workstream
    workstreams["gone"].archived_at = timezone.now()
    workstreams["gone"].save()
    return theme, live_review, gone_review, workstreams


def test_theme_page_lists_no_archived_review_workstream_or_their_actions(
    client, viewer, archived_theme
):
    theme, live_review, gone_review, workstreams = archived_theme
    client.force_login(viewer)
    html = client.get(reverse("reviews:theme_detail", args=[theme.slug])).content.decode()
    assert reverse("reviews:review_detail", args=[live_review.pk]) in html
    assert "Workstream that is live" in html and "Action of the live workstream" in html
    assert reverse("reviews:review_detail", args=[gone_review.pk]) not in html
    assert "GN01" not in html
    assert "Workstream that is gone" not in html
    assert "Action of the gone workstream" not in html
    # Every link the page does show opens.
    gone_action = Action.objects.get(ref="t-ws-gone-1")
    assert reverse("plans:action_detail", args=[gone_action.pk]) not in html


def test_theme_list_counts_no_archived_review_or_workstream(client, viewer, archived_theme):
    theme = archived_theme[0]
    client.force_login(viewer)
    response = client.get(reverse("reviews:theme_list"))
    counted = next(t for t in response.context["themes"] if t.pk == theme.pk)
    assert (counted.review_count, counted.workstream_count) == (1, 1)


# -- 10. A constraint error is a 400 that says what clashed, not an outage ----------------------


def test_a_clash_with_a_saved_row_is_a_400_that_names_it_and_writes_nothing(
    chair, seed, monkeypatch
):
    """A view that writes an update, then a meeting that already exists: the database
    refuses the second write, and the answer says so without writing the first. (The Plans
    list stands in for any view in the request's transaction; the dashboard and All actions
    only read, and run outside one.)"""
    from plans.views import reading

    action = Action.objects.get(ref=QA_ACTION)
    bmg = Group.objects.get(slug="ncscp-bmg")
    meeting = {"group": bmg, "date": date(2026, 6, 17), "update_deadline": date(2026, 6, 3)}
    Meeting.objects.create(**meeting)
    updates = RagUpdate.objects.count()

    def clashing(*args, **kwargs):
        RagUpdate.objects.create(
            action=action, rating=Rating.RED, as_of=date(2026, 5, 1), author=chair
        )
        Meeting.objects.create(**meeting)

    monkeypatch.setattr(reading, "page", clashing)
    client = Client(raise_request_exception=False)
    client.force_login(chair)
    response = client.get(reverse("plans:plan_list"))
    assert response.status_code == 400
    assert "Retry-After" not in response
    html = response.content.decode()
    assert "Sorry, that could not be saved" in html
    assert "unavailable" not in html
    assert "There is already a meeting with this group and date" in html
    assert "Nothing was saved" in html
    assert RagUpdate.objects.count() == updates


def test_a_broken_rule_is_a_400_that_names_the_rule(chair, seed, monkeypatch):
    from plans.views import reading

    agency = Agency.objects.get(name="Broxtowe Borough Council")

    def breaking(*args, **kwargs):
        agency.kind = "not-a-kind"
        agency.save()

    monkeypatch.setattr(reading, "page", breaking)
    client = Client(raise_request_exception=False)
    client.force_login(chair)
    response = client.get(reverse("plans:plan_list"))
    assert response.status_code == 400
    assert "The agency breaks a rule of the tracker" in response.content.decode()
    agency.refresh_from_db()
    assert agency.kind != "not-a-kind"


def test_an_integrity_error_is_told_apart_from_an_outage(chair, monkeypatch):
    """The 503 stays for a database that cannot be reached (tests/test_security.py)."""
    from plans.views import reading

    def raising(*args, **kwargs):
        raise IntegrityError("something nobody can match")

    monkeypatch.setattr(reading, "page", raising)
    client = Client(raise_request_exception=False)
    client.force_login(chair)
    response = client.get(reverse("plans:plan_list"))
    assert response.status_code == 400
    assert "It clashes with something already saved" in response.content.decode()
