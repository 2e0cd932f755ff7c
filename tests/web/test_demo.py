"""The demo data: built through the services, complete, deterministic, loaded once."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.db.models import Sum
from django.test import RequestFactory
from django.utils import timezone

from besluit.accounts.models import User
from besluit.associations.models import Association, Member, PopulationFigure, Role
from besluit.associations.selectors import weighted_register
from besluit.core.sealedbundle import verify_sealed_bundle
from besluit.demo import alv, data, register
from besluit.demo import trustees as demo_trustees
from besluit.demo.data import load_demo
from besluit.meetings.models import Meeting
from besluit.minutes.models import Minutes, MinutesVersion
from besluit.proposals.models import Amendment, Motion, PreAdvice, SubmissionStatus
from besluit.voting import log as vote_log
from besluit.voting import services as voting
from besluit.voting.models import Ballot, Decision, Poll


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Association,
            Member,
            User,
            Role,
            Meeting,
            Amendment,
            Motion,
            Poll,
            Ballot,
            Decision,
        )
    }


def test_demo_members_are_deterministic_and_fictional():
    first, second = data.demo_members(), data.demo_members()
    assert first == second
    assert len(first) == 342
    assert len({m.name for m in first}) == 342
    assert all(re.fullmatch(r"GM9\d{3}", m.code) for m in first)
    assert {m.province for m in first} == set(register.PROVINCES)
    assert sum(1 for m in first if m.province == "Zeeland") == 13


@pytest.mark.django_db
def test_load_demo():
    accounts = load_demo()
    vvvg = Association.objects.get(slug="vvvg")
    assert vvvg.short_name == "VVVG"

    # Members, inhabitants, networks, weights.
    assert vvvg.members.count() == 342
    total = PopulationFigure.objects.filter(member__association=vvvg).aggregate(
        s=Sum("inhabitants")
    )["s"]
    assert 17_000_000 <= total <= 19_000_000
    register = weighted_register(vvvg, date(2026, 12, 10))
    assert len(register) == 342
    assert all(r.eligible and r.weight > 0 for r in register)
    assert sum(1 for r in register if r.inhabitants > 250_000) == 4
    assert min(r.inhabitants for r in register) < 1_500
    assert max(r.inhabitants for r in register) > 900_000
    rule = vvvg.weight_rules.get()
    assert rule.is_example and rule.label == "Voorbeeldtabel (geen echte statuten)"
    sizes = {n.code: n.members.count() for n in vvvg.networks.all()}
    assert sizes["G4"] == 4 and sizes["G40"] == 40 and sizes["P10"] == 31
    assert sizes["M50"] > 0 and sizes["K80"] > 0
    g4 = {r.member.code for r in sorted(register, key=lambda r: -r.inhabitants)[:4]}
    assert g4 == set(vvvg.networks.get(code="G4").members.values_list("code", flat=True))

    # The second association: the Zeeland department, its own member records.
    vzvg = Association.objects.get(slug="vzvg")
    assert vzvg.members.count() == 13
    assert set(vzvg.members.values_list("province", flat=True)) == {"Zeeland"}
    assert vzvg.weight_rules.get().kind == "proportional"
    assert all(r.weight > 0 for r in weighted_register(vzvg, date(2027, 3, 18)))

    # The meeting, its agenda and the resolution.
    meeting = Meeting.objects.get(association=vvvg, title="Najaars-ALV 2026")
    assert [i.number for i in meeting.agenda_items.all()] == [f"{n:02d}" for n in range(1, 11)]
    item07 = meeting.agenda_items.get(number="07")
    assert item07.title.startswith("Resolutie 'Gemeenten aan zet")
    text = item07.proposal.text
    assert 800 <= len(re.findall(r"\w+", text)) <= 1200
    for phrase in (
        "Bestaanszekerheid",
        "Kansengelijkheid",
        "Gezondheid en vergrijzing",
        "Asiel en migratie",
        "Klimaat en energie",
        "Wonen en ruimtelijke ordening",
        "675 miljoen euro",
        "normeringssystematiek",
        "zorgkosten",
        "algemene en minder specifieke uitkeringen",
        "geen verdere bezuinigingen",
    ):
        assert phrase in text, phrase

    # Amendments and motions: in time, from different members, with pre-advice.
    amendments = list(Amendment.objects.filter(proposal=item07.proposal))
    assert len(amendments) == 2
    assert all(a.old_text in text and not a.is_late for a in amendments)
    assert len({a.submitter_id for a in amendments}) == 2
    assert any(a.co_submitters.exists() for a in amendments)
    assert any(a.pre_advice for a in amendments)
    motions = list(meeting.motions.all())
    assert len(motions) == 3
    assert {m.pre_advice for m in motions} == {
        PreAdvice.ADOPT,
        PreAdvice.ADVISE_AGAINST,
        PreAdvice.MEETING_DECIDES,
    }
    assert all(m.pre_advice_reason and not m.is_late for m in motions)
    assert max(m.co_submitters.count() for m in motions) == 2
    assert {m.agenda_item.number if m.agenda_item else None for m in motions} == {"07", "08", None}

    # One decided named poll (the contribution, item 06), its stored result
    # reproducible from the ballots; item 07's votes are all still to come.
    closed = Poll.objects.get(meeting=meeting, status=Poll.Status.CLOSED, is_secret=False)
    assert closed.subject == Poll.Subject.PROPOSAL and not closed.is_secret
    assert closed.agenda_item.number == "06"
    assert not Poll.objects.filter(meeting=meeting, agenda_item=item07).exists()
    assert closed.result == voting.compute_result(closed).to_dict()
    outcome = closed.outcome
    assert outcome.outcome == "adopted"
    assert 280 <= outcome.voted_members <= 320
    assert Decimal("0.6") <= outcome.option("for").share <= Decimal("0.75")
    assert all(a.status == SubmissionStatus.ADMITTED for a in amendments)
    assert Decision.objects.filter(poll=closed, method=Decision.Method.POLL).exists()

    # One decided secret poll: 120 encrypted ballots, decrypted by 2 of the 3 demo
    # trustees, whose key files the demo wrote (passphrases in the README).
    secret = Poll.objects.get(meeting=meeting, status=Poll.Status.CLOSED, is_secret=True)
    assert secret.election.status == "ready" and secret.tally_shares.count() == 2
    assert secret.outcome.voted_members == 120 == secret.sealed_ballots.count()
    assert secret.result == voting.compute_result(secret).to_dict()
    assert verify_sealed_bundle(vote_log.bundle_bytes(secret)) == []
    names = {t.user.username for t in secret.election.trustees.all()}
    assert names == {"voorzitter", "bestuur", "secretariaat"}
    for t in secret.election.trustees.all():
        keeper = next(k for k in demo_trustees.key_folder().glob(f"{t.user.username}/*.json"))
        opened = demo_trustees.open_key_file(keeper, demo_trustees.PASSPHRASES[t.user.username])
        assert set(opened) == {"comm", "seed"}

    # An open poll in the meeting, with ballots; the demo representatives can still vote.
    demo_members = Member.objects.filter(
        association=vvvg, representatives__user__username__in=[a.username for a in accounts]
    ).distinct()
    open_alv = Poll.objects.get(meeting=meeting, status=Poll.Status.OPEN)
    assert open_alv.subject == Poll.Subject.MOTION
    assert open_alv.ballots.count() == 120
    assert not open_alv.ballots.filter(member__in=demo_members).exists()

    # Decisions by acclamation.
    assert Decision.objects.filter(
        meeting=meeting, method=Decision.Method.ACCLAMATION, agenda_item__number="03"
    ).exists()
    # Item 04 adopts the spring meeting's minutes: a published concept, with a correction,
    # not adopted yet; the autumn 2025 minutes were adopted by the spring meeting.
    concept = Minutes.objects.get(adoption_item__meeting=meeting)
    assert concept.status == Minutes.Status.CONCEPT and concept.adoption_item.number == "04"
    assert concept.versions.filter(kind=MinutesVersion.Kind.CORRECTION).exists()
    adopted = Minutes.objects.get(status=Minutes.Status.ADOPTED, meeting__association=vvvg)
    assert adopted.decision.agenda_item == concept.meeting.agenda_items.get(number="04")

    # The written consultation: alternatives, open until the end of its window or later.
    written = Meeting.objects.get(association=vvvg, kind=Meeting.Kind.WRITTEN)
    consultation = Poll.objects.get(meeting=written)
    assert consultation.status == Poll.Status.OPEN
    assert consultation.subject == Poll.Subject.FREE
    assert [o.label for o in consultation.options.all()] == list(alv.CAO_ALTERNATIVES)
    assert consultation.closes_at > timezone.now()
    assert consultation.closes_at >= written.ends_at
    assert consultation.ballots.exists()
    assert not consultation.ballots.filter(member__in=demo_members).exists()

    # The accounts: the shared password passes the validators and logs in;
    # the hidden voters cannot log in.
    for account in accounts:
        user = User.objects.get(username=account.username)
        validate_password(account.password, user)
        assert user.check_password(account.password)
    assert authenticate(RequestFactory().post("/"), username="voorzitter", password=data.PASSWORD)
    hidden = User.objects.filter(username__startswith="stem-gm")
    assert hidden.count() == 342 - demo_members.count()
    assert not hidden.filter(is_active=True).exists()
    assert not any(u.has_usable_password() for u in hidden)

    # The minutes: the autumn 2025 minutes adopted and public (page, open data) with the
    # attendance as the attendance app has it; the spring 2026 concept linked from item 04 of
    # the meeting in session, not public.
    from django.test import Client
    from django.urls import reverse

    from besluit.attendance import selectors as attendance

    anonymous = Client()
    page = anonymous.get(reverse("minutes:page", args=["vvvg", adopted.meeting_id]))
    text = page.content.decode()
    assert page.status_code == 200 and "Aanwezigheid" in text and "Volmachten" in text
    assert "komt binnen" in text and "vertrekt" in text
    found = attendance.presence(adopted.meeting, ever=True)
    assert found.present_members > 50 and found.represented_members == 3
    assert f"Aanwezig: {found.present_members} leden" in text
    opendata = anonymous.get(reverse("minutes:open_data", args=["vvvg", adopted.meeting_id]))
    assert opendata.json()["attendance"]["presentMembers"] == found.present_members
    assert opendata.json()["attendance"]["representedMembers"] == found.represented_members
    not_yet = anonymous.get(reverse("minutes:page", args=["vvvg", concept.meeting_id]))
    assert not_yet.status_code == 404
    member = Client()
    member.force_login(User.objects.get(username="burgemeester-grachtenburg"))
    item04 = member.get(
        reverse("web:agenda_item", args=["vvvg", meeting.pk, concept.adoption_item_id])
    ).content.decode()
    assert reverse("minutes:page", args=["vvvg", concept.meeting_id]) in item04
    shown = member.get(reverse("minutes:page", args=["vvvg", concept.meeting_id])).content.decode()
    # the concept (its summary of the debate) and, apart, the member's correction
    assert "Aanwezigheid" in shown and "De voorzitter opent de vergadering om tien uur" in shown
    assert "niet om tien uur" in shown

    # Loading again changes nothing.
    before = counts()
    assert load_demo() == accounts
    assert counts() == before

    # A demo representative can vote in the open poll.
    mayor = User.objects.get(username=f"burgemeester-{data.demo_members()[0].slug}")
    receipt = voting.cast_ballot(actor=mayor, poll=open_alv, option_key="for")
    assert receipt.option_key == "for"


def test_demo_command_prints_the_accounts(monkeypatch, capsys, db):
    calls = []
    monkeypatch.setattr(
        "besluit.demo.management.commands.demo.load_demo",
        lambda **kw: calls.append(kw) or data.demo_accounts(),
    )
    monkeypatch.setattr("uvicorn.run", lambda *a, **kw: pytest.fail("--no-serve served"))
    call_command("demo", "--no-serve", "--port", "8123")
    out = capsys.readouterr().out
    assert calls
    assert "http://127.0.0.1:8123/" in out
    for account in data.demo_accounts():
        assert account.username in out
    assert data.PASSWORD in out


@pytest.mark.django_db
def test_the_demo_alv_is_in_session_on_the_day_it_is_loaded(monkeypatch):
    """Loaded on any day, the ALV runs that day: polls and ballots of that morning, all
    before the moment of loading, and the submissions in time."""
    from datetime import datetime

    from besluit.demo.register import AMS

    loaded = datetime(2027, 3, 1, 8, 0, tzinfo=AMS)  # a Monday, early: before 10:00
    monkeypatch.setattr(timezone, "now", lambda: loaded)
    load_demo()
    meeting = Meeting.objects.get(title="Najaars-ALV 2026")
    assert timezone.localdate(meeting.starts_at) == loaded.date()
    assert meeting.starts_at <= loaded
    polls = list(Poll.objects.filter(meeting=meeting))
    assert polls and all(p.opened_at <= loaded for p in polls)
    assert all(timezone.localdate(p.opened_at) == loaded.date() for p in polls)
    closed = next(p for p in polls if p.status == Poll.Status.CLOSED)
    assert closed.closed_at <= loaded
    latest = Ballot.objects.filter(poll__meeting=meeting).order_by("-cast_at").first()
    assert latest.cast_at <= loaded
    assert Ballot.objects.filter(poll__meeting=meeting).earliest("cast_at").cast_at >= (
        meeting.starts_at
    )
    submissions = [
        *Amendment.objects.filter(proposal__agenda_item__meeting=meeting),
        *meeting.motions.all(),
    ]
    assert submissions and not any(s.is_late for s in submissions)
    assert (meeting.starts_at.date() - meeting.convocation_date).days == 28
