"""Motion and amendment pages: submit, read, pre-advice, admission, outcome, withdrawal."""

import re
from datetime import datetime, timedelta

from django.urls import reverse

from besluit.associations.models import Role
from besluit.proposals import services as proposals
from besluit.proposals.models import Amendment, Motion, PreAdvice, SubmissionStatus
from tests import factories


def motion_url(meeting, motion) -> str:
    return reverse("web:motion", args=[meeting.association.slug, meeting.pk, motion.number])


def submit_motion(actor, meeting, **extra) -> Motion:
    return proposals.do_submit_motion(
        actor=actor,
        meeting=meeting,
        title="Meerjarige zekerheid voor de jeugdzorg",
        considerations="- gemeenten tekortkomen;\n- kinderen wachten.",
        request="te bepleiten dat de middelen vast worden gelegd.",
        **extra,
    )


def test_representative_submits_a_motion_with_a_co_submitter(en, meeting, representative):
    association = meeting.association
    co = factories.member(association, 3)
    url = reverse("web:motion_create", args=[association.slug, meeting.pk])
    en.force_login(representative)

    page = en.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    boxes = set(re.findall(r'type="checkbox" name="co_submitters" value="(\d+)"', html))
    own = factories.member(association, 0)
    assert str(co.pk) in boxes and str(own.pk) not in boxes  # never one's own member
    assert len(boxes) == 11
    assert "Deadline:" in page.content.decode()

    response = en.post(
        url,
        {
            "title": "Meerjarige zekerheid voor de jeugdzorg",
            "considerations": "- gemeenten tekortkomen;\n- kinderen wachten.",
            "request": "te bepleiten dat de middelen vast worden gelegd.",
            "explanation": "",
            "agenda_item": meeting.agenda_items.get(number="07").pk,
            "co_submitters": [co.pk],
        },
    )
    motion = Motion.objects.get(meeting=meeting)
    assert response.status_code == 302
    assert response["Location"] == motion_url(meeting, motion)
    assert list(motion.co_submitters.all()) == [co]
    assert motion.status == SubmissionStatus.ADMITTED and not motion.is_late

    page = en.get(response["Location"])
    html = page.content.decode()
    assert f"Motie {own.name} c.s." in html
    assert co.name in html
    assert "Your motion has been submitted." in html
    assert "kinderen wachten." in html


def test_motion_form_errors_are_shown_and_nothing_is_stored(en, meeting, representative):
    en.force_login(representative)
    url = reverse("web:motion_create", args=[meeting.association.slug, meeting.pk])
    response = en.post(url, {"title": "", "considerations": "", "request": ""})
    assert response.status_code == 200
    assert "utrecht-form-field--invalid" in response.content.decode()
    assert not Motion.objects.exists()


def test_only_representatives_submit_and_strangers_get_404(en, meeting, board):
    url = reverse("web:motion_create", args=[meeting.association.slug, meeting.pk])
    en.force_login(board)
    assert en.get(url).status_code == 403
    other = factories.make_association(3, slug="ander")
    stranger = factories.make_user("vreemde", other, Role.Kind.SECRETARIAT)
    en.force_login(stranger)
    assert en.get(url).status_code == 404


def test_late_motion_is_marked_and_the_chair_admits_it(en, association, chair, representative):
    soon = datetime.now(factories.AMS).replace(microsecond=0) + timedelta(days=3)
    meeting = factories.make_meeting(association, starts_at=soon)
    url = reverse("web:motion_create", args=[association.slug, meeting.pk])
    en.force_login(representative)

    page = en.get(url)
    assert "late (nagekomen)" in page.content.decode()
    assert "Submit late motion" in page.content.decode()

    response = en.post(
        url,
        {"title": "Laat", "considerations": "- het is laat.", "request": "toch te kijken."},
    )
    motion = Motion.objects.get(meeting=meeting)
    assert motion.is_late and motion.status == SubmissionStatus.SUBMITTED
    page = en.get(response["Location"])
    html = page.content.decode()
    assert "besluit-status--late" in html and "Late (nagekomen)" in html
    assert "received after the deadline" in html
    assert "Admit the late submission?" not in html  # the representative cannot admit

    en.force_login(chair)
    page = en.get(motion_url(meeting, motion))
    assert "Admit the late submission?" in page.content.decode()
    admit = reverse("web:motion_admit", args=[association.slug, meeting.pk, motion.number])
    response = en.post(admit, {"admit": "1"})
    assert response.status_code == 302
    motion.refresh_from_db()
    assert motion.status == SubmissionStatus.ADMITTED
    assert "has been admitted" in en.get(response["Location"]).content.decode()


def test_representative_cannot_admit(en, association, representative):
    soon = datetime.now(factories.AMS).replace(microsecond=0) + timedelta(days=3)
    meeting = factories.make_meeting(association, starts_at=soon)
    motion = submit_motion(representative, meeting)
    en.force_login(representative)
    admit = reverse("web:motion_admit", args=[association.slug, meeting.pk, motion.number])
    en.post(admit, {"admit": "1"})
    motion.refresh_from_db()
    assert motion.status == SubmissionStatus.SUBMITTED


def test_board_gives_pre_advice(en, meeting, board, representative):
    motion = submit_motion(representative, meeting)
    en.force_login(board)
    page = en.get(motion_url(meeting, motion))
    assert "Give pre-advice" in page.content.decode()
    url = reverse("web:motion_pre_advice", args=[meeting.association.slug, meeting.pk, 1])

    response = en.post(url, {"pre_advice": PreAdvice.ADOPT, "pre_advice_reason": ""})
    assert response.status_code == 400
    assert "utrecht-form-field--invalid" in response.content.decode()

    response = en.post(
        url, {"pre_advice": PreAdvice.ADOPT, "pre_advice_reason": "Past in het werkplan."}
    )
    assert response.status_code == 302
    motion.refresh_from_db()
    assert motion.pre_advice == PreAdvice.ADOPT
    html = en.get(response["Location"]).content.decode()
    assert "Past in het werkplan." in html
    assert "Take over (overnemen)" in html

    # A representative sees the advice but gets no form.
    en.force_login(representative)
    html = en.get(motion_url(meeting, motion)).content.decode()
    assert "Past in het werkplan." in html and "Give pre-advice" not in html
    en.post(url, {"pre_advice": PreAdvice.ADVISE_AGAINST, "pre_advice_reason": "Nee."})
    motion.refresh_from_db()
    assert motion.pre_advice == PreAdvice.ADOPT


def test_chair_records_an_outcome_without_a_vote(en, meeting, chair, representative):
    motion = submit_motion(representative, meeting)
    en.force_login(chair)
    html = en.get(motion_url(meeting, motion)).content.decode()
    assert f"?motion={motion.pk}" in html  # link to create a poll on it
    url = reverse("web:motion_outcome", args=[meeting.association.slug, meeting.pk, 1])
    response = en.post(url, {"status": SubmissionStatus.TAKEN_OVER})
    assert response.status_code == 302
    motion.refresh_from_db()
    assert motion.status == SubmissionStatus.TAKEN_OVER
    # Outcomes other than the offered ones are refused by the form.
    assert en.post(url, {"status": SubmissionStatus.ADOPTED}).status_code == 400


def test_submitter_withdraws_after_confirmation(en, meeting, representative):
    motion = submit_motion(representative, meeting)
    en.force_login(representative)
    url = reverse("web:motion_withdraw", args=[meeting.association.slug, meeting.pk, 1])
    page = en.get(url)
    assert page.status_code == 200 and "Yes, withdraw" in page.content.decode()
    motion.refresh_from_db()
    assert motion.status == SubmissionStatus.ADMITTED  # GET only asks
    response = en.post(url)
    assert response.status_code == 302
    motion.refresh_from_db()
    assert motion.status == SubmissionStatus.WITHDRAWN


def test_another_member_cannot_withdraw(en, association, meeting, representative):
    motion = submit_motion(representative, meeting)
    other = factories.make_user(
        "wethouder-elders",
        association,
        Role.Kind.REPRESENTATIVE,
        member=factories.member(association, 1),
    )
    en.force_login(other)
    html = en.get(motion_url(meeting, motion)).content.decode()
    assert "Withdraw" not in html
    url = reverse("web:motion_withdraw", args=[association.slug, meeting.pk, 1])
    en.post(url)
    motion.refresh_from_db()
    assert motion.status == SubmissionStatus.ADMITTED


def test_amendment_is_submitted_beside_the_proposal_text(en, meeting, representative):
    proposal = factories.make_proposal(meeting)
    item = proposal.agenda_item
    url = reverse("web:amendment_create", args=[meeting.association.slug, meeting.pk, item.pk])
    en.force_login(representative)
    page = en.get(url)
    assert page.status_code == 200
    assert "De ALV besluit het fonds te herstellen." in page.content.decode()

    response = en.post(
        url, {"passage": "Eerste zin", "old_text": "niet in de tekst", "new_text": "x"}
    )
    assert response.status_code == 200
    assert "does not occur in the proposal" in response.content.decode()

    co = factories.member(meeting.association, 2)
    response = en.post(
        url,
        {
            "passage": "Eerste zin",
            "old_text": "het fonds te herstellen",
            "new_text": "het fonds te herstellen en te vergroten",
            "co_submitters": [co.pk],
        },
    )
    amendment = Amendment.objects.get()
    assert response["Location"] == reverse(
        "web:amendment", args=[meeting.association.slug, meeting.pk, amendment.pk]
    )
    html = en.get(response["Location"]).content.decode()
    own = factories.member(meeting.association, 0)
    assert f"Amendement {own.name} c.s." in html
    assert "het fonds te herstellen en te vergroten" in html
    assert "Old text" in html and "New text" in html


def test_amendment_on_an_item_without_proposal_is_404(en, meeting, representative):
    item = meeting.agenda_items.get(number="01")
    url = reverse("web:amendment_create", args=[meeting.association.slug, meeting.pk, item.pk])
    en.force_login(representative)
    response = en.get(url)
    assert response.status_code == 404
    assert "has no proposal" in response.content.decode()
