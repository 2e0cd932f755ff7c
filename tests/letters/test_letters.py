"""Member letters: templates, sending in a background job, idempotency, retries, bounces."""

import time
from datetime import timedelta
from email import message_from_bytes, policy
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from icalendar import Calendar

from besluit.accounts.models import User
from besluit.associations.models import Association, Role
from besluit.letters import ics, services
from besluit.letters.addresses import add_demo_addresses
from besluit.letters.models import Letter, LetterDelivery, MemberAddress
from besluit.meetings.models import Meeting
from tests import factories

MONTHS = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
]

pytestmark = pytest.mark.django_db
D = LetterDelivery.Status


@pytest.fixture(autouse=True)
def _tasks_app_installed():
    if "django_tasks_db" not in settings.INSTALLED_APPS:
        pytest.fail("Background jobs need 'django_tasks_db' in INSTALLED_APPS (see docs).")


def run_worker():
    """The background worker, as `besluit db_worker --batch --queue-name '*'` runs it.

    Inside the test's transaction, so without its closing of "old" connections
    (which would close the test's own).
    """
    from django_tasks_db.management.commands import db_worker

    with mock.patch.object(db_worker, "close_old_connections", lambda: None):
        call_command(
            "db_worker",
            "--batch",
            "--queue-name",
            "*",
            "--no-startup-delay",
            "--no-reload",
            verbosity=0,
        )


def queued_jobs() -> int:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(status="READY").count()


def test_convocation_to_all_342_demo_members_through_the_console_backend_once(
    demo_world, capsys, django_capture_on_commit_callbacks, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    vvvg = Association.objects.get(slug="vvvg")
    assert add_demo_addresses(vvvg) == 342
    secretariat = User.objects.get(username="secretariaat")
    alv = vvvg.meetings.get(title="Najaars-ALV 2026")
    letter = services.do_create_letter(
        actor=secretariat, association=vvvg, kind=Letter.Kind.CONVOCATION, meeting=alv
    )
    assert letter.number.startswith("Lbr. ") and "Najaars-ALV 2026" in letter.subject
    # The demo's ALV is held on the day the demo is loaded.
    day = timezone.localdate(alv.starts_at)
    assert f"{day.day} {MONTHS[day.month - 1]} {day.year}" in letter.body
    assert letter.include_invitation
    capsys.readouterr()

    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.do_send_letter(actor=secretariat, letter=letter)
    assert outcome.without_address == () and queued_jobs() == 1
    started = time.perf_counter()
    run_worker()
    elapsed = time.perf_counter() - started
    printed = capsys.readouterr().out

    deliveries = LetterDelivery.objects.filter(letter=letter)
    assert set(deliveries.values_list("member__code", flat=True)) == set(
        vvvg.members.values_list("code", flat=True)
    )
    assert deliveries.count() == outcome.queued >= 342
    assert set(deliveries.values_list("status", flat=True)) == {D.SENT}
    assert printed.count(f"Subject: {letter.number} ") == deliveries.count()
    assert printed.count("BEGIN:VCALENDAR") == deliveries.count()
    assert f"UID:{ics.meeting_uid(alv)}" in printed
    letter.refresh_from_db()
    assert letter.status == Letter.Status.SENT
    with capsys.disabled():
        print(f"\n{deliveries.count()} letters sent by the worker in {elapsed:.2f} s")

    # Sending it twice sends nothing twice.
    with django_capture_on_commit_callbacks(execute=True):
        again = services.do_send_letter(actor=secretariat, letter=letter)
    assert again.already_sent and again.queued == 0 and queued_jobs() == 0
    run_worker()
    assert capsys.readouterr().out.count("Subject:") == 0
    # A job that runs again (a retried task) finds nothing to send either.
    assert services.process_deliveries(letter.pk).sent == 0


@pytest.fixture
def letter(association, secretariat, meeting):
    for i, member in enumerate(association.members.order_by("code")):
        MemberAddress.objects.create(member=member, email=f"lid{i}@example.org")
    return services.do_create_letter(
        actor=secretariat, association=association, kind=Letter.Kind.CONVOCATION, meeting=meeting
    )


def test_a_job_that_runs_twice_mails_each_address_once(letter, secretariat):
    services.do_send_letter(actor=secretariat, letter=letter)
    first = services.process_deliveries(letter.pk)
    second = services.process_deliveries(letter.pk)
    assert (first.sent, second.sent) == (12, 0)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(f"lid{i}@example.org" for i in range(12))
    message = message_from_bytes(mail.outbox[0].message().as_bytes(), policy=policy.default)
    calendar = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    assert b"METHOD:PUBLISH" in calendar.get_payload(decode=True)


def test_failures_are_retried_with_backoff_then_reported(letter, secretariat, settings, client):
    settings.EMAIL_BACKEND = "tests.letters.backends.FlakyBackend"
    MemberAddress.objects.filter(email="lid3@example.org").update(email="fail@example.org")
    services.do_send_letter(actor=secretariat, letter=letter)
    now = timezone.now()
    progress = services.process_deliveries(letter.pk, now=now)
    assert (progress.sent, progress.retrying) == (11, 1)
    failing = LetterDelivery.objects.get(email="fail@example.org")
    assert failing.status == D.QUEUED and failing.attempts == 1
    assert failing.next_attempt_at == now + timedelta(minutes=1)
    assert "SMTPRecipientsRefused" in failing.last_error
    assert progress.next_attempt_at == failing.next_attempt_at
    # Not due yet: nothing happens.
    assert services.process_deliveries(letter.pk, now=now).retrying == 0
    at = now
    for _ in range(services.max_attempts() - 1):
        failing.refresh_from_db()
        at = failing.next_attempt_at
        services.process_deliveries(letter.pk, now=at)
    failing.refresh_from_db()
    assert failing.status == D.FAILED and failing.attempts == services.max_attempts()
    letter.refresh_from_db()
    assert letter.status == Letter.Status.SENT
    assert len(mail.outbox) == 11

    client.force_login(secretariat)
    report = client.get(f"/{letter.association.slug}/ledenbrieven/{letter.pk}/verzending/")
    assert report.status_code == 200
    text = report.content.decode()
    assert "fail@example.org" in text and "SMTPRecipientsRefused" in text

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.do_retry_failed(actor=secretariat, letter=letter) == 1
    assert services.process_deliveries(letter.pk).sent == 1
    assert LetterDelivery.objects.filter(status=D.SENT).count() == 12


def test_a_bounce_report_marks_the_delivery(letter, secretariat, tmp_path):
    services.do_send_letter(actor=secretariat, letter=letter)
    services.process_deliveries(letter.pk)
    delivery = LetterDelivery.objects.get(email="lid5@example.org")
    dsn = (
        "From: MAILER-DAEMON@mx.example.org\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.org\r\n\r\n"
        "Final-Recipient: rfc822; lid5@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 user unknown\r\n\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {delivery.message_id}\r\nSubject: {letter.number}\r\n\r\n"
        "--B--\r\n"
    )
    path = tmp_path / "bounce.eml"
    path.write_bytes(dsn.encode())
    call_command("letter_bounces", str(path), verbosity=0)
    delivery.refresh_from_db()
    assert delivery.status == D.BOUNCED and "550" in delivery.last_error


def test_secretariat_marks_a_bounce_by_hand(letter, secretariat, client):
    services.do_send_letter(actor=secretariat, letter=letter)
    services.process_deliveries(letter.pk)
    delivery = LetterDelivery.objects.get(email="lid1@example.org")
    client.force_login(secretariat)
    base = f"/{letter.association.slug}/ledenbrieven/{letter.pk}"
    url = f"{base}/verzending/{delivery.pk}/onbestelbaar/"
    assert client.post(url, {"reason": "Adres bestaat niet"}).status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == D.BOUNCED and delivery.last_error == "Adres bestaat niet"


def test_members_without_an_address_and_representatives(association, secretariat, meeting):
    rep = factories.make_user(
        "wethouder", association, Role.Kind.REPRESENTATIVE, member=factories.member(association, 0)
    )
    rep.email = "Wethouder@Example.org"
    rep.save()
    inactive = factories.make_user(
        "oud", association, Role.Kind.REPRESENTATIVE, member=factories.member(association, 1)
    )
    inactive.email, inactive.is_active = "oud@example.org", False
    inactive.save()
    letter = services.do_create_letter(
        actor=secretariat, association=association, kind=Letter.Kind.OTHER, subject="Test"
    )
    outcome = services.do_send_letter(actor=secretariat, letter=letter)
    assert outcome.queued == 1
    assert LetterDelivery.objects.get().email == "wethouder@example.org"
    assert len(outcome.without_address) == 11


def test_numbers_templates_and_the_calendar(association, secretariat, meeting):
    first = services.do_create_letter(
        actor=secretariat,
        association=association,
        kind=Letter.Kind.DEADLINE_REMINDER,
        meeting=meeting,
    )
    second = services.do_create_letter(
        actor=secretariat, association=association, kind=Letter.Kind.RESULTS, meeting=meeting
    )
    year = timezone.localdate().year % 100
    assert (first.number, second.number) == (f"Lbr. {year:02d}/001", f"Lbr. {year:02d}/002")
    assert "Moties: uiterlijk" in first.body
    assert second.subject == f"Uitslagen {meeting.title}"
    for kind in (Letter.Kind.CONSULTATION, Letter.Kind.CONVOCATION):
        made = services.do_create_letter(
            actor=secretariat, association=association, kind=kind, meeting=meeting
        )
        assert made.subject and meeting.title in made.body
    with pytest.raises(Exception, match="al in gebruik"):
        services.do_update_letter(
            actor=secretariat,
            letter=second,
            number=first.number,
            subject="x",
            body="y",
            meeting=meeting,
            include_invitation=False,
        )

    one, two = ics.meeting_calendar(meeting), ics.meeting_calendar(meeting, sequence=1)
    event_one = Calendar.from_ical(one).walk("VEVENT")[0]
    event_two = Calendar.from_ical(two).walk("VEVENT")[0]
    assert str(event_one["UID"]) == str(event_two["UID"]) == ics.meeting_uid(meeting)
    assert int(event_two["SEQUENCE"]) == 1
    assert event_one.decoded("DTSTART") == meeting.starts_at
    assert str(event_one["LOCATION"]) == "Jaarbeurs Utrecht"
    assert b"BEGIN:VTIMEZONE" in one


def test_pages_for_the_secretariat_and_the_members(
    client, association, secretariat, representative, meeting, django_capture_on_commit_callbacks
):
    MemberAddress.objects.create(member=factories.member(association, 2), email="a@example.org")
    slug = association.slug
    base = f"/{slug}/ledenbrieven/"
    client.force_login(secretariat)
    assert client.get(base + "nieuw/").status_code == 200
    response = client.post(base + "nieuw/", {"kind": "convocation", "meeting": meeting.pk})
    letter = Letter.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{letter.pk}/bewerken/")
    edit = client.post(
        f"{base}{letter.pk}/bewerken/",
        {
            "number": letter.number,
            "subject": "Convocatie ALV",
            "body": "Tekst",
            "meeting": meeting.pk,
            "include_invitation": "on",
        },
    )
    assert edit.status_code == 302
    preview = client.get(f"{base}{letter.pk}/versturen/")
    assert preview.status_code == 200 and "uitnodiging.ics" in preview.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        code = factories.member(association, 2).code
        sent = client.post(
            f"{base}{letter.pk}/versturen/", {"audience": "all", "scope": "codes", "codes": code}
        )
    assert sent.status_code == 302
    run_worker()
    assert [m.to for m in mail.outbox] == [["a@example.org"]]
    assert client.get(f"{base}{letter.pk}/verzending/").status_code == 200
    # Posting the send form again sends nothing.
    client.post(f"{base}{letter.pk}/versturen/", {"audience": "all", "scope": "all"})
    run_worker()
    assert len(mail.outbox) == 1

    draft = services.do_create_letter(
        actor=secretariat, association=association, kind=Letter.Kind.OTHER, subject="Concept"
    )
    client.force_login(representative)
    archive = client.get(base).content.decode()
    assert letter.number in archive and "Concept" not in archive
    assert client.get(f"{base}{letter.pk}/").status_code == 200
    assert client.get(f"{base}{letter.pk}/uitnodiging.ics")["Content-Type"].startswith(
        "text/calendar"
    )
    assert client.get(f"{base}{draft.pk}/").status_code == 404
    assert client.get(f"{base}{letter.pk}/verzending/").status_code == 403
    assert client.get(base + "nieuw/").status_code == 403
    assert Meeting.objects.filter(pk=meeting.pk).exists()
