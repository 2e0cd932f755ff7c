"""Minutes: a draft from the meeting's record, versions with a redline, corrections, adoption
by the next meeting; adopted minutes are immutable and public (page, PDF/UA, open data)."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from besluit.core import texts as ct
from besluit.core import voting as core_voting
from besluit.errors import Conflict, PermissionDenied
from besluit.frame.templatetags.besluit import pct
from besluit.live import services as live
from besluit.minutes import draft, services
from besluit.minutes.models import ImmutableMinutes, Minutes, MinutesVersion
from besluit.voting import services as voting
from tests import factories, pdfua

pytestmark = pytest.mark.dbbackend


@pytest.fixture(autouse=True)
def _dutch():
    with translation.override("nl"):
        yield


@pytest.fixture
def held(meeting, chair, representative, association):
    """A meeting that happened: items taken up, speakers, two polls and an acclamation."""
    items = list(meeting.agenda_items.order_by("position"))
    live.do_set_current_item(actor=chair, meeting=meeting, item=items[0])
    live.do_set_current_item(actor=chair, meeting=meeting, item=items[6])
    speaker = live.do_request_to_speak(actor=representative, meeting=meeting)
    live.do_speaker_action(actor=chair, speaker=speaker, action="start")
    live.do_speaker_action(actor=chair, speaker=speaker, action="stop")
    other = factories.make_user(
        "wethouder", association, "representative", member=factories.member(association, 3)
    )
    polls = []
    for n, choices in enumerate([["for", "against"], ["against", "abstain"]]):
        poll = voting.do_create_poll(
            actor=chair,
            meeting=meeting,
            subject="agenda_item",
            agenda_item=items[6],
            title=f"Stemming {n + 1}",
        )
        voting.do_open_poll(actor=chair, poll=poll)
        voting.cast_ballot(actor=representative, poll=poll, option_key=choices[0])
        voting.cast_ballot(actor=other, poll=poll, option_key=choices[1])
        polls.append(voting.do_close_poll(actor=chair, poll=poll))
    acclaimed = voting.do_record_acclamation(
        actor=chair, meeting=meeting, subject="Benoeming notulencommissie", agenda_item=items[2]
    )
    live.do_set_current_item(actor=chair, meeting=meeting, item=items[7])
    return polls, acclaimed, speaker


@pytest.mark.django_db
def test_the_draft_holds_every_vote_and_decision_with_the_results_figures(meeting, held):
    polls, acclaimed, speaker = held
    document = draft.make(meeting)
    text = ct.to_plain_text(document)
    for poll in polls:
        poll.refresh_from_db()
        result = core_voting.Result.from_dict(poll.result)
        assert poll.title in text
        assert poll.decision.get_outcome_display() in text
        for option in result.options:
            if option.share is not None:
                # the same figure as the results page writes (frame's pct filter)
                assert f"{pct(option.share)}" in text, (poll.title, option.key)
        assert f"{result.voted_members} van {result.eligible_members} leden stemden" in text
        assert pct(result.turnout_weight) in text
    assert acclaimed.subject in text and "Bij acclamatie" in text
    assert speaker.name in text
    # per agenda item, in agenda order, with the time it was taken up
    assert text.index("07.") < text.index("Stemming 1") < text.index("Stemming 2")
    assert "Behandeld van" in text


@pytest.mark.django_db
def test_draft_queries_do_not_grow_with_the_meeting(meeting, held, django_assert_max_num_queries):
    # 14 for the record, 5 for the attendance (register, check-ins, proxies, quorums)
    with django_assert_max_num_queries(19):
        draft.gather(meeting)


@pytest.mark.django_db
def test_from_draft_to_adopted_minutes(
    meeting, held, secretariat, chair, representative, association
):
    version = services.do_make_draft(actor=secretariat, meeting=meeting)
    minutes = version.minutes
    with pytest.raises(PermissionDenied):
        services.do_make_draft(actor=representative, meeting=meeting)
    with pytest.raises(Conflict):  # nothing published yet
        services.do_propose_correction(
            actor=representative, minutes=minutes, markdown="x", reason="y"
        )
    md = ct.to_markdown(version.document) + "\nDe voorzitter opent de vergadering om tien uur.\n"
    edited = services.do_edit(actor=secretariat, minutes=minutes, markdown=md, summary="Opening")
    assert edited.pk == version.pk and edited.kind == MinutesVersion.Kind.EDITED
    next_meeting = factories.make_meeting(
        association, starts_at=meeting.starts_at + timedelta(days=180)
    )
    concept = services.do_publish(actor=secretariat, minutes=minutes)
    minutes.refresh_from_db()
    assert minutes.status == Minutes.Status.CONCEPT
    assert minutes.adoption_item.meeting == next_meeting
    assert "notulen" in minutes.adoption_item.title.lower()
    assert minutes.adoption_item.number == "04"  # not 03, "Benoeming notulencommissie"
    with pytest.raises(ImmutableMinutes):  # a published version never changes
        concept.summary = "anders"
        concept.save()

    # a member proposes a correction: a version of its own, with a redline
    corrected = md.replace("om tien uur", "om half elf")
    correction = services.do_propose_correction(
        actor=representative, minutes=minutes, markdown=corrected, reason="Het was half elf."
    )
    assert correction.kind == MinutesVersion.Kind.CORRECTION
    assert correction.based_on == concept and correction.member is not None
    from besluit.core import redline as cr

    rl = cr.redline(concept.document, correction.document)
    assert rl.stats()["changed"] == 1
    changed = next(i for i in rl.items if i.is_change)
    changes = " ".join(p.text for p in changed.pieces if p.op != cr.EQUAL)
    assert "tien" in changes and "half elf" in changes
    accepted = services.do_accept_correction(actor=secretariat, correction=correction)
    assert "half elf" in ct.to_plain_text(accepted.document)

    # the next meeting votes on its item "vaststelling notulen": the poll adopts them
    poll = voting.do_create_poll(
        actor=chair,
        meeting=next_meeting,
        subject="agenda_item",
        agenda_item=minutes.adoption_item,
    )
    voting.do_open_poll(actor=chair, poll=poll)
    voting.cast_ballot(actor=representative, poll=poll, option_key="for")
    voting.do_close_poll(actor=chair, poll=poll)
    minutes.refresh_from_db()
    assert minutes.status == Minutes.Status.ADOPTED
    assert minutes.adopted_version == accepted and minutes.decision.poll == poll

    # adopted minutes are immutable
    with pytest.raises(Conflict):
        services.do_edit(actor=secretariat, minutes=minutes, markdown="# Anders\n")
    with pytest.raises(Conflict):
        services.do_make_draft(actor=secretariat, meeting=meeting)
    with pytest.raises(Conflict):
        services.do_propose_correction(
            actor=representative, minutes=minutes, markdown=corrected + "x", reason="nog iets"
        )
    with pytest.raises(ImmutableMinutes):
        minutes.status = Minutes.Status.CONCEPT
        minutes.save()
    with pytest.raises(ImmutableMinutes):
        minutes.delete()
    with pytest.raises(ImmutableMinutes):
        MinutesVersion.objects.get(pk=accepted.pk).delete()


@pytest.fixture
def adopted(meeting, held, secretariat, chair, association):
    factories.make_meeting(association, starts_at=meeting.starts_at + timedelta(days=180))
    version = services.do_make_draft(actor=secretariat, meeting=meeting)
    services.do_publish(actor=secretariat, minutes=version.minutes)
    return services.do_adopt(actor=chair, minutes=version.minutes)


@pytest.fixture
def announced():
    """The MinutesAdopted events announced while the test runs (webhooks listen to them)."""
    from besluit import hooks

    got = []
    hooks.listen(hooks.MinutesAdopted, got.append)
    yield got
    hooks._listeners[hooks.MinutesAdopted].remove(got.append)


@pytest.mark.django_db
def test_adoption_is_announced_once(announced, meeting, adopted):
    assert [(e.meeting, e.minutes) for e in announced] == [(meeting, adopted)]


@pytest.mark.django_db
def test_adopted_minutes_are_public_page_pdf_and_open_data(client, meeting, adopted):
    slug = meeting.association.slug
    assert adopted.decision.method == "acclamation"
    page = client.get(reverse("minutes:page", args=[slug, meeting.pk]))
    assert page.status_code == 200 and b"Stemming 1" in page.content
    data = client.get(reverse("minutes:open_data", args=[slug, meeting.pk])).json()
    assert data["status"] == "adopted" and data["version"] == adopted.adopted_version.number
    pdf = client.get(reverse("minutes:pdf", args=[slug, meeting.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    report = pdfua.check(pdf.content)
    assert report.ok, report.errors
    extracted = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    import re

    for line in data["lines"]:  # the PDF's line numbers are those of the page and the JSON
        pattern = rf"(^|\n)\s*{line['number']}\s*(\S{{1,4}}\s)?{re.escape(line['text'])}\s*(\n|$)"
        assert re.search(pattern, extracted), line


@pytest.mark.django_db
def test_the_public_pdf_is_made_once_until_the_association_changes(
    client, meeting, adopted, secretariat, monkeypatch
):
    """Anyone may download adopted minutes: asking again must not make the PDF again."""
    from besluit.minutes import pdf as minutes_pdf
    from besluit.texts.services.pdfs import do_set_branding

    made, render = [], minutes_pdf.render
    monkeypatch.setattr(minutes_pdf, "render", lambda *a, **k: made.append(a) or render(*a, **k))
    url = reverse("minutes:pdf", args=[meeting.association.slug, meeting.pk])
    first = client.get(url)
    assert client.get(url).content == first.content and len(made) == 1
    do_set_branding(
        actor=secretariat, association=meeting.association, sender="Bureau", signature="B."
    )
    assert client.get(url).status_code == 200 and len(made) == 2  # the branding changed


@pytest.mark.django_db
def test_concept_minutes_are_not_public(client, meeting, held, secretariat, representative):
    slug = meeting.association.slug
    version = services.do_make_draft(actor=secretariat, meeting=meeting)
    for name in ("page", "pdf", "open_data"):
        assert client.get(reverse(f"minutes:{name}", args=[slug, meeting.pk])).status_code == 404
    client.force_login(representative)
    page = client.get(reverse("minutes:page", args=[slug, meeting.pk]))
    assert page.status_code == 200 and b"Stemming 1" not in page.content  # draft unpublished
    services.do_publish(actor=secretariat, minutes=version.minutes)
    page = client.get(reverse("minutes:page", args=[slug, meeting.pk]))
    assert b"Stemming 1" in page.content and b"/notulen/correctie/" in page.content
    assert client.get(reverse("minutes:open_data", args=[slug, meeting.pk])).status_code == 404


@pytest.mark.django_db
def test_the_pages_drive_the_workflow(client, meeting, held, secretariat, representative):
    slug = meeting.association.slug
    client.force_login(secretariat)
    page = client.get(reverse("minutes:page", args=[slug, meeting.pk]))
    assert b"/notulen/maken/" in page.content
    client.post(reverse("minutes:make_draft", args=[slug, meeting.pk]))
    form = client.get(reverse("minutes:edit", args=[slug, meeting.pk]))
    assert form.status_code == 200
    md = form.context["form"].initial["text"] + "\nSamenvatting van de bespreking.\n"
    client.post(reverse("minutes:edit", args=[slug, meeting.pk]), {"text": md, "summary": "s"})
    client.post(reverse("minutes:publish", args=[slug, meeting.pk]))
    minutes = Minutes.objects.get(meeting=meeting)
    assert minutes.status == Minutes.Status.CONCEPT
    bad = client.post(reverse("minutes:edit", args=[slug, meeting.pk]), {"text": ""})
    assert bad.status_code == 400
    client.force_login(representative)
    response = client.post(
        reverse("minutes:correction", args=[slug, meeting.pk]),
        {"text": md.replace("Samenvatting", "Korte samenvatting"), "reason": "Preciezer."},
    )
    assert response.status_code == 302
    shown = client.get(response["Location"])
    assert b"<ins>" in shown.content and b"Preciezer." in shown.content
    meeting_page = client.get(reverse("web:meeting", args=[slug, meeting.pk]))
    assert reverse("minutes:page", args=[slug, meeting.pk]).encode() in meeting_page.content


@pytest.mark.django_db
def test_a_poll_that_rejects_does_not_adopt(meeting, held, secretariat, chair, association):
    later = factories.make_meeting(association, starts_at=meeting.starts_at + timedelta(days=90))
    version = services.do_make_draft(actor=secretariat, meeting=meeting)
    services.do_publish(actor=secretariat, minutes=version.minutes)
    minutes = Minutes.objects.get(meeting=meeting)
    poll = voting.do_create_poll(
        actor=chair, meeting=later, subject="agenda_item", agenda_item=minutes.adoption_item
    )
    voting.do_open_poll(actor=chair, poll=poll, now=timezone.now())
    voting.do_close_poll(actor=chair, poll=poll)
    minutes.refresh_from_db()
    assert minutes.status == Minutes.Status.CONCEPT


@pytest.mark.django_db
def test_the_next_meetings_item_links_the_minutes(client, meeting, adopted, secretariat):
    item = adopted.adoption_item
    client.force_login(secretariat)
    page = client.get(
        reverse("web:agenda_item", args=[meeting.association.slug, item.meeting_id, item.pk])
    )
    assert reverse("minutes:page", args=[meeting.association.slug, meeting.pk]).encode() in (
        page.content
    )


@pytest.mark.django_db
def test_the_draft_names_late_submissions_admitted(meeting, held, chair, representative):
    from besluit.proposals import services as proposals

    late = proposals.do_submit_motion(
        actor=representative,
        meeting=meeting,
        title="Nagekomen motie",
        considerations="Er is haast.",
        request="Handel snel.",
        agenda_item=meeting.agenda_items.get(number="07"),
        now=meeting.motion_deadline + timedelta(hours=1),
    )
    assert late.is_late
    text = ct.to_plain_text(draft.make(meeting))
    assert "Nagekomen motie" not in text  # not admitted (yet)
    proposals.do_admit(actor=chair, submission=late)
    text = ct.to_plain_text(draft.make(meeting))
    assert "Na de termijn toegelaten" in text and "Nagekomen motie" in text
