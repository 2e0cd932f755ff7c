"""Reminders: sent once per day whatever the number of runs, repeated weekly, to the owner."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from besluit.accountability import services as acc
from besluit.accountability.models import Commitment, ReminderSent
from besluit.accountability.reminders import REPEAT_DAYS, due_reminders, send_reminders
from besluit.proposals import services as proposals
from besluit.proposals.models import SubmissionStatus
from tests.accountability import helpers

pytestmark = pytest.mark.django_db

Status = Commitment.Status
Kind = ReminderSent.Kind


@pytest.fixture
def setup(association, representative, chair, secretariat, board):
    secretariat.email = "secretariaat@vng.test"
    secretariat.save()
    board.email = "bestuur@vng.test"
    board.save()
    meeting = helpers.meeting_in(association, 30, "ALV")
    out = {}
    for title in ("Te laat", "Update nodig", "Op schema", "Zonder eigenaar"):
        motion = helpers.submit_motion(representative, meeting, title=title)
        proposals.do_set_status(actor=chair, submission=motion, status=SubmissionStatus.ADOPTED)
        out[title] = Commitment.objects.get(motion=motion)
    today = timezone.localdate()
    committee = acc.do_create_committee(
        actor=secretariat, association=association, name="Commissie Geld", email="geld@vng.test"
    )
    for title, due, owner, committee_ in (
        ("Te laat", today - timedelta(days=1), board, committee),
        ("Update nodig", today + timedelta(days=100), board, None),
        ("Op schema", today + timedelta(days=100), board, None),
        ("Zonder eigenaar", today - timedelta(days=5), None, None),
    ):
        c = out[title]
        acc.do_update_commitment(
            actor=secretariat,
            commitment=c,
            title=c.title,
            theme=None,
            owner_committee=committee_,
            owner_user=owner,
            due_date=due,
            update_interval_days=30,
            status=Status.IN_PROGRESS,
        )
    # "Op schema" has a fresh update; the others none for 40 days.
    Commitment.objects.exclude(pk=out["Op schema"].pk).update(
        created_at=timezone.now() - timedelta(days=40)
    )
    acc.do_post_update(actor=board, commitment=out["Op schema"], done="Loopt.", planned="")
    return out


def test_what_is_due(setup):
    today = timezone.localdate()
    due = {(d.commitment.title, d.kind) for d in due_reminders(today)}
    assert due == {
        ("Te laat", Kind.OVERDUE),  # overdue wins over "update due"
        ("Update nodig", Kind.UPDATE_DUE),
        ("Zonder eigenaar", Kind.OVERDUE),
    }


def test_sent_once_a_day_however_often_the_job_runs(setup):
    today = timezone.localdate()
    outcome, _ = send_reminders(today=today, base_url="https://besluit.test")
    assert outcome.reminders == 3
    # Three sets of recipients: owner + committee; owner; the secretariat.
    assert outcome.sent == 3 and len(mail.outbox) == 3
    by_to = {tuple(sorted(m.to)): m for m in mail.outbox}
    assert set(by_to) == {
        ("bestuur@vng.test", "geld@vng.test"),
        ("bestuur@vng.test",),
        ("secretariaat@vng.test",),
    }
    message = by_to[("bestuur@vng.test", "geld@vng.test")]
    c = setup["Te laat"]
    assert f"https://besluit.test/{c.association.slug}/verantwoording/toezeggingen/{c.pk}/" in (
        message.body
    )
    assert "Te laat" in message.body

    again, _ = send_reminders(today=today, base_url="https://besluit.test")
    assert again.reminders == 0 and len(mail.outbox) == 3
    assert ReminderSent.objects.count() == 3

    # Repeated after a week while the situation lasts; not before.
    soon, _ = send_reminders(today=today + timedelta(days=REPEAT_DAYS - 1), base_url="x")
    assert soon.reminders == 0
    later, _ = send_reminders(today=today + timedelta(days=REPEAT_DAYS), base_url="x")
    assert later.reminders >= 3


def test_a_claim_made_by_a_parallel_run_is_not_sent_again(setup):
    today = timezone.localdate()
    ReminderSent.objects.create(commitment=setup["Te laat"], kind=Kind.OVERDUE, day=today)
    # As if the other run claimed it after this run looked: bypass the "recent" check.
    with mock.patch(
        "besluit.accountability.reminders.ReminderSent.objects.filter"
    ) as recent_filter:
        recent_filter.return_value.values_list.return_value = []
        outcome, _ = send_reminders(today=today, base_url="x")
    assert outcome.already == 1
    assert outcome.reminders == 2


def test_a_failed_send_is_retried_next_run(setup):
    today = timezone.localdate()
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("smtp down")):
        outcome, _ = send_reminders(today=today, base_url="x")
    assert outcome.failed == 3 and not ReminderSent.objects.exists()
    outcome, _ = send_reminders(today=today, base_url="x")
    assert outcome.reminders == 3


def test_closed_commitments_get_no_reminders(setup, secretariat):
    c = setup["Te laat"]
    acc.do_update_commitment(
        actor=secretariat,
        commitment=c,
        title=c.title,
        theme=None,
        owner_committee=None,
        owner_user=None,
        due_date=c.due_date,
        update_interval_days=30,
        status=Status.DONE,
    )
    titles = {d.commitment.title for d in due_reminders(timezone.localdate())}
    assert "Te laat" not in titles


def test_the_command(setup, capsys):
    call_command("send_reminders", "--dry-run")
    assert "3 reminders would be sent" in capsys.readouterr().out
    assert not mail.outbox
    call_command("send_reminders", "--base-url", "https://besluit.test")
    out = capsys.readouterr().out
    assert "3 reminders in 3 e-mails" in out
    call_command("send_reminders")
    assert "0 reminders in 0 e-mails; 0 sent already" in capsys.readouterr().out
    assert len(mail.outbox) == 3
    with pytest.raises(CommandError):
        call_command("send_reminders", "--date", "morgen")
    with pytest.raises(CommandError):
        call_command("send_reminders", "--association", "bestaat-niet")
