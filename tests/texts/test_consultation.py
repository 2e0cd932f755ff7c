"""Consultation rounds: sessions, input on passages, the board's responses, reasons for changes."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from besluit.core import texts as ct
from besluit.errors import Conflict, PermissionDenied, ValidationFailed
from besluit.texts import selectors, services
from besluit.texts.models import ConsultationInput, ConsultationSession
from tests import factories

pytestmark = pytest.mark.django_db
AMS = ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def round_(published, secretariat):
    today = date.today()
    return services.do_open_consultation(
        actor=secretariat,
        proposal=published.proposal,
        title="Ledenraadpleging",
        opens_on=today - timedelta(days=1),
        closes_on=today + timedelta(days=20),
    )


def block_with(version, needle):
    return next(b.id for b in version.document.blocks if needle in b.text)


def test_consult_on_a_published_version_only(proposal, secretariat):
    draft = services.do_start_draft(actor=secretariat, proposal=proposal)
    with pytest.raises(ValidationFailed, match="Publish"):
        services.do_open_consultation(
            actor=secretariat,
            proposal=proposal,
            title="x",
            opens_on=date.today(),
            closes_on=date.today(),
            version=draft,
        )


def test_sessions_input_and_responses(
    round_, published, secretariat, board, representative, association
):
    session = services.do_add_session(
        actor=secretariat,
        consultation=round_,
        kind=ConsultationSession.Kind.DEPARTMENT,
        title="Afdeling Zeeland",
        held_on=date.today(),
    )
    wonen = block_with(published, "100.000")
    said = services.do_record_input(
        actor=secretariat,
        session=session,
        member=factories.member(association, 3),
        text="Noem de provincies.",
        block_id=wonen,
        quote="om de regie op de ruimtelijke ordening",
    )
    assert said.number == 1 and said.start is not None
    group = services.do_record_input(
        actor=secretariat, session=session, on_behalf="Netwerk G40", text="Betaalbaar bouwen."
    )
    assert group.source == "Netwerk G40" and group.block_id == ""
    with pytest.raises(ValidationFailed, match="copy them exactly"):
        services.do_record_input(
            actor=secretariat,
            session=session,
            on_behalf="x",
            text="y",
            block_id=wonen,
            quote="staat er niet",
        )
    with pytest.raises(ValidationFailed, match="whose input"):
        services.do_record_input(actor=secretariat, session=session, text="anoniem")
    # a member's representative writes in during the round
    own = services.do_submit_written_input(
        actor=representative,
        consultation=round_,
        text="Tien jaar in plaats van vijf.",
        block_id=wonen,
    )
    assert own.member == factories.member(association, 0)
    assert own.session.kind == ConsultationSession.Kind.WRITTEN
    with pytest.raises(PermissionDenied):
        services.do_record_input(actor=representative, session=session, on_behalf="x", text="y")
    # the board answers, with a reason
    with pytest.raises(ValidationFailed, match="reason"):
        services.do_respond(actor=board, item=own, response="adopted", reason=" ")
    with pytest.raises(PermissionDenied):
        services.do_respond(actor=representative, item=own, response="adopted", reason="ja")
    services.do_respond(
        actor=board,
        item=own,
        response=ConsultationInput.Response.PARTLY,
        reason="Deels: acht jaar.",
    )
    own.refresh_from_db()
    assert own.response == "partly" and own.responded_by == board
    assert [i.number for i in selectors.inputs_of(round_)] == [1, 2, 3]


def test_written_input_only_while_the_round_is_open(round_, representative):
    later = datetime.now(AMS) + timedelta(days=40)
    with pytest.raises(Conflict, match="not open"):
        services.do_submit_written_input(
            actor=representative, consultation=round_, text="Te laat.", now=later
        )
    with pytest.raises(PermissionDenied):
        services.do_submit_written_input(actor=None, consultation=round_, text="Wie?")


def test_the_next_version_links_changes_to_the_input_they_answer(
    round_, published, secretariat, board, representative
):
    wonen = block_with(published, "100.000")
    own = services.do_submit_written_input(
        actor=representative,
        consultation=round_,
        text="Noem 120.000.",
        block_id=wonen,
        quote="100.000",
    )
    services.do_respond(actor=board, item=own, response="adopted", reason="Overgenomen.")
    draft = services.do_start_draft(actor=secretariat, proposal=published.proposal)
    md = ct.to_markdown(draft.document).replace("100.000", "120.000")
    draft = services.do_edit_draft(actor=secretariat, version=draft, markdown=md, summary="Wonen.")
    services.do_set_change_reasons(actor=secretariat, version=draft, block_id=wonen, inputs=[own])
    with pytest.raises(ValidationFailed):
        services.do_set_change_reasons(actor=secretariat, version=draft, block_id="nope", inputs=[])
    v2 = services.do_publish_version(actor=secretariat, version=draft)
    cmp = selectors.compare(published, v2)
    changed = [i for i in cmp.items if i.item.is_change]
    assert [i.item.block_id for i in changed] == [wonen]
    assert changed[0].reasons == [own]
    assert changed[0].reasons[0].response_reason == "Overgenomen."
    # published: the reasons are fixed with the version
    with pytest.raises(Conflict):
        services.do_set_change_reasons(actor=secretariat, version=v2, block_id=wonen, inputs=[])
