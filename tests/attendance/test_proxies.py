"""Proxies (volmachten): the statutes' limit, chains, revocation, freezing at opening."""

import json
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from besluit.attendance import services as attendance
from besluit.attendance.models import Proxy
from besluit.audit.models import AuditEvent
from besluit.core import bundle as core_bundle
from besluit.errors import Conflict, PermissionDenied, ValidationFailed
from besluit.voting import log as vote_log
from besluit.voting import services as voting
from besluit.voting.models import Ballot, RegisterEntry
from tests import factories

from .conftest import m

pytestmark = [pytest.mark.django_db, pytest.mark.dbbackend]  # and on PostgreSQL


def _proxy(sec, meeting, association, a, b, **kw):
    return attendance.do_request_proxy(
        actor=sec, meeting=meeting, grantor=m(association, a), holder=m(association, b), **kw
    )


def test_a_proxy_is_requested_with_its_document_and_approved(
    association, meeting, secretariat, rules, reps, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    proxy = attendance.do_request_proxy(
        actor=reps[0],
        meeting=meeting,
        grantor=m(association, 0),
        holder=m(association, 1),
        document=SimpleUploadedFile("volmacht.pdf", b"%PDF-1.7\n%%EOF\n"),
    )
    assert proxy.status == Proxy.Status.PENDING and proxy.original_name == "volmacht.pdf"
    with pytest.raises(Conflict, match="niet aanwezig"):
        attendance.do_decide_proxy(actor=secretariat, proxy=proxy, approve=True)
    attendance.do_check_in(actor=secretariat, meeting=meeting, member=m(association, 1))
    proxy = attendance.do_decide_proxy(actor=secretariat, proxy=proxy, approve=True)
    assert proxy.status == Proxy.Status.APPROVED
    assert AuditEvent.objects.filter(action="proxy.approved", object_id=str(proxy.pk)).exists()


def test_only_the_grantor_or_the_secretariat_registers_and_only_the_secretariat_approves(
    association, meeting, secretariat, rules, reps
):
    with pytest.raises(PermissionDenied):
        _proxy(reps[2], meeting, association, 0, 1)
    proxy = _proxy(reps[0], meeting, association, 0, 1)
    with pytest.raises(PermissionDenied):
        attendance.do_decide_proxy(actor=reps[1], proxy=proxy, approve=True)
    with pytest.raises(ValidationFailed, match="waarom"):
        attendance.do_decide_proxy(actor=secretariat, proxy=proxy, approve=False)
    refused = attendance.do_decide_proxy(
        actor=secretariat, proxy=proxy, approve=False, reason="Niet ondertekend"
    )
    assert refused.status == Proxy.Status.REFUSED and refused.reason == "Niet ondertekend"


def test_bad_proxies_are_refused_and_change_nothing(association, meeting, secretariat, rules, reps):
    for i in (1, 2, 3):
        attendance.do_check_in(actor=secretariat, meeting=meeting, member=m(association, i))
    with pytest.raises(ValidationFailed, match="zichzelf"):
        _proxy(secretariat, meeting, association, 1, 1)
    _proxy(secretariat, meeting, association, 0, 1, approve=True)  # A -> B
    with pytest.raises(Conflict, match="ketens"):
        _proxy(secretariat, meeting, association, 1, 2, approve=True)  # B -> C
    with pytest.raises(Conflict, match="ketens"):
        _proxy(secretariat, meeting, association, 4, 0, approve=True)  # D -> A
    with pytest.raises(Conflict, match="al een volmacht"):
        _proxy(secretariat, meeting, association, 0, 2, approve=True)  # A twice
    _proxy(secretariat, meeting, association, 5, 1, approve=True)  # B holds 2: the limit
    with pytest.raises(Conflict, match="ten hoogste 2"):
        _proxy(secretariat, meeting, association, 6, 1, approve=True)
    with pytest.raises(Conflict, match="niet aanwezig"):
        _proxy(secretariat, meeting, association, 6, 4, approve=True)
    assert Proxy.objects.count() == 2


def test_the_limit_is_the_rule_in_force_on_the_meeting_date(
    association, meeting, secretariat, reps
):
    with pytest.raises(Conflict, match="geen volmachten"):
        _proxy(secretariat, meeting, association, 0, 1)
    attendance.do_set_proxy_rule(
        actor=secretariat, association=association, valid_from=date(2020, 1, 1), max_represented=1
    )
    attendance.do_set_proxy_rule(  # a later statute change, not yet in force
        actor=secretariat, association=association, valid_from=date(2099, 1, 1), max_represented=5
    )
    _proxy(secretariat, meeting, association, 0, 1)
    with pytest.raises(Conflict, match="ten hoogste 1"):
        _proxy(secretariat, meeting, association, 2, 1)


def test_the_register_is_frozen_at_opening_and_revocation_waits_for_the_close(
    association, meeting, secretariat, chair, rules, reps
):
    attendance.do_check_in(actor=secretariat, meeting=meeting, member=m(association, 1))
    proxy = _proxy(secretariat, meeting, association, 0, 1, approve=True)
    poll = factories.open_poll(chair, meeting)
    entry = RegisterEntry.objects.get(poll=poll, member=m(association, 0))
    assert entry.represented_by == m(association, 1)
    with pytest.raises(Conflict, match="intrekken"):
        attendance.do_revoke_proxy(actor=reps[0], proxy=proxy)
    # The grantor's own representative no longer votes: its proxy does, separately.
    with pytest.raises(PermissionDenied, match="bij volmacht vertegenwoordigd"):
        voting.cast_ballot(actor=reps[0], poll=poll, option_key="option-1")
    own = voting.cast_ballot(actor=reps[1], poll=poll, option_key="option-1")
    on_behalf = voting.cast_ballot(
        actor=reps[1], poll=poll, option_key="option-2", for_member=m(association, 0).code
    )
    assert own.member_code == m(association, 1).code
    assert on_behalf.member_code == m(association, 0).code
    assert on_behalf.log_receipt["event"]  # a leaf in the log
    ballot = Ballot.objects.get(public_id=on_behalf.ballot_id)
    assert ballot.proxy == m(association, 1) and ballot.member == m(association, 0)
    with pytest.raises(Conflict, match="gestemd"):  # one ballot per member, as before
        voting.cast_ballot(
            actor=reps[1], poll=poll, option_key="option-1", for_member=m(association, 0).code
        )
    with pytest.raises(PermissionDenied, match="geen volmacht van"):
        voting.cast_ballot(
            actor=reps[1], poll=poll, option_key="option-1", for_member=m(association, 3).code
        )
    closed = voting.do_close_poll(actor=chair, poll=poll)
    data = vote_log.bundle_bytes(closed)
    assert core_bundle.verify_bundle(data) == []
    leaves = json.loads(data)["log"]["leaves"]
    assert [(e["member"], e.get("proxy")) for e in leaves if e["type"] == "ballot"] == [
        (m(association, 1).code, None),
        (m(association, 0).code, m(association, 1).code),
    ]
    revoked = attendance.do_revoke_proxy(actor=reps[1], proxy=proxy, reason="Terug")
    assert revoked.status == Proxy.Status.REVOKED
    # A later poll is frozen without it: the grantor votes itself again.
    later = factories.open_poll(chair, meeting, title="Tweede stemming")
    assert RegisterEntry.objects.get(poll=later, member=m(association, 0)).represented_by is None
    voting.cast_ballot(actor=reps[0], poll=later, option_key="option-1")


def test_a_proxy_approved_after_opening_does_not_count_in_that_poll(
    association, meeting, secretariat, chair, rules, reps
):
    attendance.do_check_in(actor=secretariat, meeting=meeting, member=m(association, 1))
    poll = factories.open_poll(chair, meeting)
    _proxy(secretariat, meeting, association, 0, 1, approve=True)
    with pytest.raises(PermissionDenied, match="geen volmacht van"):
        voting.cast_ballot(
            actor=reps[1], poll=poll, option_key="option-1", for_member=m(association, 0).code
        )
    voting.cast_ballot(actor=reps[0], poll=poll, option_key="option-1")


def test_a_proxy_whose_holder_left_is_not_frozen(
    association, meeting, secretariat, chair, rules, reps
):
    attendance.do_check_in(actor=secretariat, meeting=meeting, member=m(association, 1))
    _proxy(secretariat, meeting, association, 0, 1, approve=True)
    attendance.do_check_out(actor=secretariat, meeting=meeting, member=m(association, 1))
    poll = factories.open_poll(chair, meeting)
    assert not RegisterEntry.objects.filter(poll=poll, represented_by__isnull=False).exists()
