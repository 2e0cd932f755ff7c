"""Every URL and API endpoint, for every role: allowed or refused, as the table says.

The URLs come from the URL configuration itself (the resolver and the ninja API's
patterns), so a new URL without an entry in EXPECTED fails this test. Each entry
says, per method, which roles may use it:

    refused  = 401, 403, a redirect to the login page, or 404 (hidden) for that role
    allowed  = anything else below 500 (200, a redirect, 400 for an empty form,
               409 for a state that does not fit): the permission check let it through

GETs run first (for all URLs), then POSTs with an empty body, so that an allowed
POST (which may close or delete something) cannot change a later GET's answer.
"""

import json
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from besluit.accounts.models import ApiToken
from besluit.associations.models import Role
from besluit.meetings import services as meetings
from besluit.proposals import services as proposals
from besluit.voting import services as voting
from besluit.voting.models import Poll
from tests import factories

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "observer", "representative", "board", "chair", "secretariat", "superuser")
ALL = frozenset(ROLES)
LOGGED_IN = ALL - {"anonymous"}
VIEW = LOGGED_IN  # every role below has a role in the association
ADMIN = frozenset({"secretariat", "superuser"})
CHAIR = frozenset({"chair", "secretariat", "superuser"})
PRE_ADVICE = frozenset({"board", "chair", "secretariat", "superuser"})
FOLLOW_UP = frozenset({"board", "secretariat", "superuser"})
REP = frozenset({"representative"})
REP_OR_CHAIR = REP | CHAIR
NONE = frozenset()

# url name -> {method: roles allowed}. GET for pages, POST for what changes state.
EXPECTED: dict[str, dict[str, frozenset]] = {
    # accounts, languages, second factor
    "login": {"GET": ALL},
    "logout": {"POST": ALL},
    "set_language": {"POST": ALL},
    "security:second_factor": {"GET": LOGGED_IN, "POST": LOGGED_IN},
    "security:remove_second_factor": {"POST": LOGGED_IN},
    "security:policy": {"GET": ADMIN, "POST": ADMIN},
    "accounts:tokens": {"GET": LOGGED_IN, "POST": LOGGED_IN},
    "sso:start": {"GET": NONE},  # 404 for everyone: this world has no provider
    "sso:callback": {"GET": NONE},  # no login started here: back to the login page
    "sso:settings": {"GET": ADMIN, "POST": ADMIN},
    "accounts:token_revoke": {"POST": LOGGED_IN},  # one's own tokens only (absent here)
    # the API (see also API_EXPECTED for POSTs)
    "api:openapi-json": {"GET": ALL},
    "api:openapi-view": {"GET": ALL},
    "api:api-root": {"GET": NONE},  # ninja's root: answers 404 to everyone
    "api:list_associations": {"GET": LOGGED_IN},
    "api:get_association": {"GET": VIEW},
    "api:list_members": {"GET": VIEW},
    "api:list_meetings": {"GET": LOGGED_IN},
    "api:get_meeting": {"GET": VIEW},
    "api:list_agenda_items": {"GET": VIEW},
    "api:list_motions": {"GET": VIEW},
    "api:submit_motion": {"POST": REP},
    "api:get_motion": {"GET": VIEW},
    "api:list_amendments": {"GET": VIEW},
    "api:submit_amendment": {"POST": REP},
    "api:get_amendment": {"GET": VIEW},
    "api:list_polls": {"GET": VIEW},
    "api:get_poll": {"GET": VIEW},
    "api:open_poll": {"POST": CHAIR},
    "api:close_poll": {"POST": CHAIR},
    "api:cast_ballot": {"POST": REP},
    "api:cast_sealed_ballot": {"POST": REP},
    "api:get_bundle": {"GET": VIEW},
    "api:get_participation": {"GET": VIEW},
    "api:get_results": {"GET": VIEW},
    "api:list_elections": {"GET": VIEW},
    "api:get_election": {"GET": VIEW},
    "api:cast_election_ballot": {"POST": REP},
    "api:open_election_round": {"POST": CHAIR},
    "api:close_election_round": {"POST": CHAIR},
    "api:get_election_bundle": {"GET": VIEW},
    "api:list_bodies": {"GET": VIEW},
    "api:create_body": {"POST": ADMIN},
    "api:create_election": {"POST": CHAIR},
    "api:declare_unopposed": {"POST": CHAIR},
    "api:list_candidacies": {"GET": VIEW},
    "api:nominate": {"POST": REP | PRE_ADVICE},
    "api:accept_candidacy": {"POST": ADMIN},  # and the candidate's own account
    "api:decline_candidacy": {"POST": ADMIN},  # and the candidate's own account
    "api:withdraw_candidacy": {"POST": ADMIN},  # and the candidate's own account
    "api:get_election_results": {"GET": VIEW},
    "api:get_attendance": {"GET": VIEW},
    "api:check_in": {"POST": ADMIN},
    "api:self_check_in": {"POST": REP},
    "api:check_out": {"POST": ADMIN},
    "api:list_proxies": {"GET": VIEW},
    "api:request_proxy": {"POST": REP | ADMIN},
    "api:decide_proxy": {"POST": ADMIN},
    "api:revoke_proxy": {"POST": REP | ADMIN},
    "api:set_proxy_rule": {"POST": ADMIN},
    "api:enter_paper_ballot": {"POST": ADMIN},
    "api:enter_paper_round": {"POST": ADMIN},
    "api:sign_paper_round": {"POST": ADMIN},
    "api:require_meeting_quorum": {"POST": CHAIR},
    "api:list_tokens": {"GET": LOGGED_IN},
    "api:create_token": {"POST": LOGGED_IN},
    "api:revoke_token": {"DELETE": LOGGED_IN},  # one's own tokens only (absent here)
    "api:create_association": {"POST": frozenset({"superuser"})},
    "api:import_members": {"POST": ADMIN},
    "api:update_member": {"PATCH": ADMIN},
    "api:list_weight_rules": {"GET": VIEW},
    "api:create_weight_rule": {"POST": ADMIN},
    "api:list_networks": {"GET": VIEW},
    "api:put_network": {"PUT": ADMIN},
    "api:list_people": {"GET": ADMIN},
    "api:create_person": {"POST": ADMIN},
    "api:import_people": {"POST": ADMIN},
    "api:put_role": {"PUT": ADMIN},
    "api:delete_role": {"DELETE": ADMIN},
    "api:create_meeting": {"POST": ADMIN},
    "api:update_meeting": {"PATCH": ADMIN},
    "api:create_agenda_item": {"POST": ADMIN},
    "api:update_agenda_item": {"PUT": ADMIN},
    "api:put_proposal": {"PUT": ADMIN},
    "api:get_proposal": {"GET": VIEW},
    "api:create_poll": {"POST": CHAIR},
    "api:list_letters": {"GET": LOGGED_IN},  # ?association= required (400 without it)
    "api:create_letter": {"POST": ADMIN},
    "api:get_letter": {"GET": ADMIN},  # a draft letter
    "api:update_letter": {"PATCH": ADMIN},
    "api:send_letter": {"POST": ADMIN},
    "api:list_commitments": {"GET": LOGGED_IN},  # ?association= required (400 without it)
    "api:get_commitment": {"GET": VIEW},
    "api:update_commitment": {"PATCH": FOLLOW_UP},
    "api:list_webhooks": {"GET": ADMIN},
    "api:create_webhook": {"POST": ADMIN},
    "api:delete_webhook": {"DELETE": ADMIN},
    "api:test_webhook": {"POST": ADMIN},
    "api:list_webhook_deliveries": {"GET": ADMIN},
    "api:list_open_associations": {"GET": ALL},
    "api:get_open_association": {"GET": ALL},
    "api:get_open_meeting": {"GET": ALL},
    "api:list_open_vote_events": {"GET": ALL},
    "api:get_open_vote_event": {"GET": ALL},
    # open data: public
    "opendata:index": {"GET": ALL},
    "opendata:checkpoints": {"GET": ALL},
    "opendata:checkpoints_atom": {"GET": ALL},
    "opendata:bundle": {"GET": ALL},
    "opendata:election_bundle": {"GET": ALL},
    "opendata:poll_checkpoint": {"GET": ALL},
    "opendata:association": {"GET": ALL},
    "opendata:popolo": {"GET": ALL},
    "opendata:ori": {"GET": ALL},
    "opendata:meeting_ori": {"GET": ALL},
    "opendata:zip": {"GET": ALL},
    "opendata:table": {"GET": ALL},
    "opendata:meeting_popolo": {"GET": ALL},
    "opendata:meeting_zip": {"GET": ALL},
    "opendata:meeting_table": {"GET": ALL},
    # live meeting
    "live:events": {"GET": VIEW},
    "live:code_login": {"GET": ALL},
    "live:participant": {"GET": VIEW},
    "live:projector": {"GET": VIEW},
    "live:console": {"GET": CHAIR},
    "live:console_panel": {"GET": CHAIR},
    "live:open_vote": {"POST": CHAIR},
    "live:close_vote": {"POST": CHAIR},
    "live:voting_rules": {"GET": ADMIN, "POST": ADMIN},
    "live:set_current_item": {"POST": CHAIR},
    "live:request_to_speak": {"POST": REP_OR_CHAIR},
    "live:speaker_action": {"POST": CHAIR},
    "live:voting_codes": {"GET": ADMIN},
    "live:stream_settings": {"GET": ADMIN, "POST": ADMIN},
    "live:fragment": {"GET": VIEW},
    # accountability: public reading, follow-up by the board and the secretariat
    "accountability:overview": {"GET": ALL},
    "accountability:export_csv": {"GET": ALL},
    "accountability:export_json": {"GET": ALL},
    "accountability:feed": {"GET": ALL},
    "accountability:commitment": {"GET": ALL},
    "accountability:attachment": {"GET": ALL},
    "accountability:timeline": {"GET": ALL},
    "accountability:commitment_edit": {"POST": FOLLOW_UP},
    "accountability:commitment_update": {"POST": FOLLOW_UP},
    "accountability:milestone_add": {"POST": FOLLOW_UP},
    "accountability:milestone": {"POST": FOLLOW_UP},
    "accountability:motion_split": {"GET": CHAIR, "POST": CHAIR},
    "accountability:part_action": {"POST": CHAIR},
    "accountability:demands": {"GET": ADMIN},
    "accountability:proposal_demands": {"GET": ADMIN, "POST": ADMIN},
    "accountability:demand_commitments": {"POST": ADMIN},
    "accountability:demand_remove": {"POST": ADMIN},
    "accountability:settings": {"GET": ADMIN, "POST": ADMIN},
    "accountability:reports": {"GET": ALL, "POST": FOLLOW_UP},
    "accountability:report": {"GET": FOLLOW_UP},  # a draft report
    "accountability:report_edit": {"POST": FOLLOW_UP},
    "accountability:report_add_entries": {"POST": FOLLOW_UP},
    "accountability:report_entry": {"POST": FOLLOW_UP},
    "accountability:report_cluster_add": {"POST": FOLLOW_UP},
    "accountability:report_cluster": {"POST": FOLLOW_UP},
    "accountability:report_publish": {"POST": FOLLOW_UP},
    # the report is a draft: only the board and the secretariat see it, so of the chairs
    # only the secretariat reaches it
    "accountability:report_poll": {"POST": CHAIR & FOLLOW_UP},
    "accountability:report_acclamation": {"POST": CHAIR & FOLLOW_UP},
    # member letters: the secretariat writes; members read sent letters
    "letters:list": {"GET": VIEW},
    "letters:create": {"GET": ADMIN, "POST": ADMIN},
    "letters:detail": {"GET": ADMIN},  # a draft letter
    "letters:edit": {"GET": ADMIN, "POST": ADMIN},
    "letters:attachment_add": {"POST": ADMIN},
    "letters:attachment": {"GET": ADMIN},
    "letters:attachment_remove": {"POST": ADMIN},
    "letters:invitation": {"GET": ADMIN},
    "letters:preview": {"GET": ADMIN, "POST": ADMIN},
    "letters:report": {"GET": ADMIN},
    "letters:retry": {"POST": ADMIN},
    "letters:bounced": {"POST": ADMIN},
    # minutes (a published concept: adopted minutes would be public)
    "minutes:page": {"GET": VIEW},
    "minutes:make_draft": {"POST": ADMIN},
    "minutes:edit": {"GET": ADMIN, "POST": ADMIN},
    "minutes:publish": {"POST": ADMIN},
    "minutes:correction": {"GET": REP, "POST": REP},
    "minutes:version": {"GET": VIEW},
    "minutes:accept": {"POST": ADMIN},
    "minutes:adopt": {"POST": CHAIR},
    "minutes:pdf": {"GET": VIEW},
    "minutes:open_data": {"GET": NONE},  # 404 until adopted
    # texts
    "texts:index": {"GET": VIEW},
    "texts:proposal": {"GET": VIEW},
    "texts:version": {"GET": VIEW},
    "texts:version_json": {"GET": VIEW},
    "texts:compare": {"GET": VIEW},
    "texts:compare_pdf": {"POST": VIEW},
    "texts:draft": {"GET": ADMIN, "POST": ADMIN},
    "texts:draft_start": {"POST": ADMIN},
    "texts:draft_import": {"POST": ADMIN},
    "texts:draft_reasons": {"POST": ADMIN},
    "texts:draft_publish": {"POST": ADMIN},
    "texts:draft_discard": {"POST": ADMIN},
    "texts:consultation": {"GET": VIEW},
    "texts:consultation_open": {"POST": ADMIN},
    "texts:consultation_close": {"POST": ADMIN},
    "texts:session_add": {"POST": ADMIN},
    "texts:input_add": {"GET": REP | ADMIN, "POST": REP | ADMIN},
    "texts:respond": {"POST": PRE_ADVICE},
    "texts:amendments": {"GET": VIEW},
    "texts:amend": {"GET": REP, "POST": REP},
    "texts:vote_order": {"POST": CHAIR},
    "texts:link_amendments": {"POST": ADMIN},
    "texts:compose_adopted": {"POST": ADMIN},
    "texts:passage": {"GET": VIEW, "POST": REP | ADMIN},
    "texts:books": {"GET": VIEW},
    "texts:book_request": {"POST": VIEW},  # the decision list: anyone who can see it
    "texts:job": {"GET": VIEW},
    "texts:job_download": {"GET": VIEW},
    "texts:branding": {"GET": ADMIN, "POST": ADMIN},
    "texts:logo": {"GET": VIEW},
    # weight analysis (voting power)
    "analysis:analyse": {"GET": VIEW},
    # attendance, proxies, paper ballots: the list is for every role, the door for the
    # secretariat; a proxy for the grantor's representative or the secretariat
    "attendance:register": {"GET": VIEW},
    "attendance:register_csv": {"GET": VIEW},
    "attendance:check_in": {"GET": ADMIN, "POST": ADMIN},
    "attendance:check_out": {"POST": ADMIN},
    "attendance:self_check_in": {"POST": REP},
    "attendance:settings": {"GET": ADMIN, "POST": ADMIN},
    "attendance:qr_cards": {"GET": ADMIN},
    "attendance:summary": {"GET": VIEW},
    "attendance:proxies": {"GET": VIEW, "POST": REP | ADMIN},
    "attendance:proxy_rule": {"POST": ADMIN},
    "attendance:proxy_decide": {"POST": ADMIN},
    "attendance:proxy_revoke": {"POST": REP | ADMIN},
    "attendance:proxy_document": {"GET": REP | ADMIN},
    "attendance:proxy_vote": {"POST": REP},
    "attendance:paper_ballot": {"GET": ADMIN, "POST": ADMIN},
    "attendance:paper_round": {"GET": ADMIN, "POST": ADMIN},
    "attendance:require_quorum": {"POST": CHAIR},
    # web
    # webhooks: the secretariat's
    "webhooks:list": {"GET": ADMIN, "POST": ADMIN},
    "webhooks:detail": {"GET": ADMIN},
    "webhooks:test": {"POST": ADMIN},
    "webhooks:toggle": {"POST": ADMIN},
    "webhooks:delete": {"POST": ADMIN},
    "web:home": {"GET": ALL},
    "web:association": {"GET": VIEW},
    "web:members": {"GET": VIEW},
    "web:members_import": {"GET": ADMIN, "POST": ADMIN},
    "web:member_edit": {"GET": VIEW, "POST": ADMIN},
    "web:weights": {"GET": VIEW, "POST": ADMIN},
    "web:people": {"GET": ADMIN, "POST": ADMIN},
    "web:people_import": {"GET": ADMIN, "POST": ADMIN},
    "web:association_settings": {"GET": ADMIN, "POST": ADMIN},
    # public once the association publishes them (the walk's association does)
    "web:public_decisions": {"GET": ALL},
    "web:public_result": {"GET": ALL},
    "web:meetings": {"GET": VIEW},
    "web:meeting_create": {"GET": ADMIN, "POST": ADMIN},
    "web:meeting": {"GET": VIEW},
    "web:meeting_status": {"POST": ADMIN},
    "web:agenda_item_create": {"GET": ADMIN, "POST": ADMIN},
    "web:agenda_item": {"GET": VIEW, "POST": ADMIN},
    "web:agenda_item_edit": {"GET": ADMIN, "POST": ADMIN},
    "web:attachment": {"GET": VIEW},
    "web:motion_create": {"GET": REP, "POST": REP},
    "web:motion": {"GET": VIEW},
    "web:motion_pre_advice": {"POST": PRE_ADVICE},
    "web:motion_admit": {"POST": CHAIR},
    "web:motion_outcome": {"POST": CHAIR},
    "web:motion_withdraw": {"POST": REP | CHAIR},
    "web:amendment_create": {"GET": REP, "POST": REP},
    "web:amendment": {"GET": VIEW},
    "web:amendment_pre_advice": {"POST": PRE_ADVICE},
    "web:amendment_admit": {"POST": CHAIR},
    "web:amendment_outcome": {"POST": CHAIR},
    "web:amendment_withdraw": {"POST": REP | CHAIR},
    "web:polls": {"GET": VIEW},
    "web:poll_create": {"GET": CHAIR, "POST": CHAIR},
    "web:acclamation": {"GET": CHAIR, "POST": CHAIR},
    "web:decisions": {"GET": VIEW},
    "web:poll": {"GET": VIEW},
    "web:poll_vote": {"POST": REP},
    # encrypted secret polls (web/views/sealed.py): trustees only, and the walk has none
    "web:poll_vote_sealed": {"POST": REP},
    "web:trustees": {"GET": VIEW, "POST": CHAIR},
    "web:trustee_desk": {"GET": NONE},
    "web:trustee_state": {"GET": NONE},
    "web:trustee_key": {"POST": NONE},
    "web:trustee_shares": {"POST": NONE},
    "web:trustee_tally": {"POST": NONE},
    "web:check_receipt": {"GET": ALL},
    "web:poll_participation": {"GET": VIEW},
    "web:poll_open": {"GET": CHAIR, "POST": CHAIR},
    "web:poll_close": {"GET": CHAIR, "POST": CHAIR},
    # elections of persons
    "elections:list": {"GET": VIEW, "POST": CHAIR},
    "elections:projector_panel": {"GET": VIEW},
    "elections:console_panel": {"GET": CHAIR},
    "elections:participant_panel": {"GET": VIEW},
    "elections:detail": {"GET": VIEW},
    "elections:nominate": {"POST": REP | PRE_ADVICE},
    "elections:vote": {"GET": VIEW, "POST": REP},
    "elections:bundle": {"GET": VIEW},
    "elections:popolo": {"GET": VIEW},
    "elections:round_action": {"POST": CHAIR},
    "elections:candidate": {"GET": ADMIN, "POST": ADMIN},  # and the candidate's own account
    "elections:photo": {"GET": VIEW},
    "elections:candidacy_action": {"POST": ADMIN},  # consent: and the candidate's own account
    "elections:board": {"GET": VIEW, "POST": ADMIN},
    "elections:public_result": {"GET": ALL},
}


# URLs whose object this world does not build (its id does not exist): for these an
# allowed role may get 404; a refused role must still be refused.
ABSENT = {
    "api:delete_webhook",  # the page's delete (a POST, run before DELETEs) removed it
    "accounts:token_revoke",
    "api:revoke_token",
    "accountability:attachment",
    "letters:bounced",
    "texts:respond",
    "texts:job_download",  # the job is queued, so there is no file yet
    "texts:logo",  # no logo uploaded
    "elections:bundle",  # not decided yet
    "elections:public_result",  # not decided yet
    "opendata:election_bundle",  # not decided yet
    "elections:photo",  # no photo uploaded
    "api:sign_paper_round",  # the poll has no paper round
}

# POSTs that change what other URLs work on (publish the draft, send the letter): last.
LAST = {"texts:draft_publish", "api:send_letter"}

# Refusals that come back as a redirect with an error message (run_service and friends).
REFUSAL_MESSAGES = (
    "Only the ",
    "Only a member's representative",
    "Only representatives",
    "You have no role",
    "You may not",
)

# Form data for POSTs whose form is checked before the permission, so that the permission
# check is what answers. Other POSTs go empty: a refused role may then get 400 (nothing
# done, the permission not reached); that is counted and shown as "not reached".
FORM_DATA = {
    "texts:consultation_close": {"confirm": "on"},
    "texts:draft_publish": {"confirm": "on"},
    "texts:draft_discard": {"discard-confirm": "on"},
    "texts:compose_adopted": {"confirm": "on"},
    "web:motion_admit": {"admit": "1"},
    "web:amendment_admit": {"admit": "1"},
    "web:motion_pre_advice": {"pre_advice": "adopt", "pre_advice_reason": "x"},
    "web:amendment_pre_advice": {"pre_advice": "adopt", "pre_advice_reason": "x"},
    "web:poll_vote": {"option": "option-1", "request_key": "walk"},
    "accountability:milestone": {"action": "done"},
    "accountability:part_action": {"action": "poll"},
    "attendance:proxy_vote": {"member": "GM1001", "option": "option-1"},
    "accountability:report_cluster": {"action": "remove"},
    "elections:nominate": {"name": "Walk", "by": "board"},
}

# BUGS found by this walk: (url name, role) pairs that answer 500 instead of 403.
# Counted as refusals here so that the rest of the table still runs. None at present.
KNOWN_500: set[tuple[str, str]] = set()


def url_patterns() -> Iterator[tuple[str, str, dict]]:
    """(route, name, default kwargs) of every URL, API endpoints included."""

    def walk(patterns, prefix="", namespace=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = namespace + (f"{p.namespace}:" if p.namespace else "")
                yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern), namespace + (p.name or ""), p.default_args

    yield from walk(get_resolver().url_patterns)


def test_every_url_has_an_entry_and_every_entry_a_url():
    names = {name for _, name, _ in url_patterns()}
    missing = sorted(names - set(EXPECTED))
    stale = sorted(set(EXPECTED) - names)
    assert not missing, f"URLs without an entry in EXPECTED (say who may use them): {missing}"
    assert not stale, f"entries in EXPECTED for URLs that no longer exist: {stale}"


# --- the world the walk runs in -----------------------------------------------------------


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.dummy.DummyBackend",
            "QUEUES": ["default", "letters"],
        }
    }
    association = factories.make_association(12, slug="vvg")
    association.publish_decisions = True
    association.save(update_fields=["publish_decisions"])
    meeting = factories.make_meeting(association)
    users = {
        "observer": factories.make_user("waarnemer", association, Role.Kind.OBSERVER),
        "representative": factories.make_user(
            "burgemeester",
            association,
            Role.Kind.REPRESENTATIVE,
            member=factories.member(association, 0),
        ),
        "board": factories.make_user("bestuurslid", association, Role.Kind.BOARD),
        "chair": factories.make_user("voorzitter", association, Role.Kind.CHAIR),
        "secretariat": factories.make_user("secretariaat", association, Role.Kind.SECRETARIAT),
    }
    from besluit.accounts.models import User

    users["superuser"] = User.objects.create_superuser("root", password="correct horse battery")
    rep, chair, sec = users["representative"], users["chair"], users["secretariat"]
    proposal = factories.make_proposal(meeting)
    item = proposal.agenda_item
    motion = proposals.do_submit_motion(
        actor=rep, meeting=meeting, title="Jeugdzorg", considerations="- x", request="y"
    )
    amendment = proposals.do_submit_amendment(
        actor=rep, proposal=proposal, passage="1", old_text="fonds", new_text="gemeentefonds"
    )
    attachment = meetings.do_add_attachment(
        actor=sec, agenda_item=item, upload=SimpleUploadedFile("a.pdf", b"%PDF-1.7\n%%EOF\n")
    )
    poll = voting.do_create_poll(
        actor=chair, meeting=meeting, subject="free", alternatives=["A", "B"]
    )
    voting.do_open_poll(actor=chair, poll=poll)
    voting.cast_ballot(actor=rep, poll=poll, option_key="option-1")
    voting.do_close_poll(actor=chair, poll=poll)
    kwargs = {
        "slug": association.slug,
        "meeting_id": meeting.pk,
        "item_id": item.pk,
        "proposal_id": proposal.pk,
        "number": motion.number,
        "amendment_id": amendment.pk,
        "motion_id": motion.pk,
        "poll_id": Poll.objects.get(pk=poll.pk).public_id,
        "table": "organizations",
        "name": "polls",
        "kind": "decision_list",
        "action": "start",
        "where": "projector",
        "vote_event_id": "x",
        "token_id": 10**6,
        "code": factories.member(association, 1).code,
        "uuid": attachment.uuid,
    }
    kwargs |= _optional_objects(association, meeting, proposal, motion, users)
    return association, users, kwargs


def _optional_objects(association, meeting, proposal, motion, users) -> dict:
    """Objects of the letters, texts, live and accountability apps; made through their
    services where that is simple, else the URL gets an id that does not exist."""
    found: dict = {}
    sec, rep = users["secretariat"], users["representative"]
    from besluit.letters import services as letters
    from besluit.letters.models import Letter

    letter = letters.do_create_letter(
        actor=sec, association=association, kind=Letter.Kind.CONVOCATION, meeting=meeting
    )
    letters.do_add_attachment(
        actor=sec, letter=letter, upload=SimpleUploadedFile("b.pdf", b"%PDF-1.7\n%%EOF\n")
    )
    found["letter_id"] = letter.pk
    found["letter_uuid"] = letter.attachments.get().uuid
    found["delivery_id"] = 10**6

    from besluit.texts import services as texts

    version = texts.do_publish_version(
        actor=sec, version=texts.do_start_draft(actor=sec, proposal=proposal)
    )
    found["version"] = version.number
    texts.do_start_draft(actor=sec, proposal=proposal)  # a draft to edit, publish or discard
    consultation = texts.do_open_consultation(
        actor=sec,
        proposal=proposal,
        title="Raadpleging",
        opens_on=date.today(),
        closes_on=date.today() + timedelta(days=14),
    )
    found["consultation_id"] = consultation.pk
    found["input_id"] = 10**6
    job = texts.do_request_pdf(actor=sec, kind="decision_list", meeting=meeting)
    found["job_id"] = job.public_id

    from besluit.live import services as live

    speaker = live.do_request_to_speak(actor=rep, meeting=meeting)
    found["speaker_id"] = speaker.pk

    from besluit.minutes import services as minutes

    concept = minutes.do_make_draft(actor=sec, meeting=meeting)
    minutes.do_publish(actor=sec, minutes=concept.minutes)
    found["minutes_version"] = concept.number

    from besluit.accountability import services as accountability
    from besluit.accountability import services as reports
    from besluit.voting import services as voting

    chair = users["chair"]
    # An adopted motion gets a commitment (the accountability app listens for the decision).
    adopted = proposals.do_submit_motion(
        actor=rep, meeting=meeting, title="Wonen", considerations="- x", request="y"
    )
    poll = voting.do_create_poll(actor=chair, meeting=meeting, subject="motion", motion=adopted)
    voting.do_open_poll(actor=chair, poll=poll)
    voting.cast_ballot(actor=rep, poll=poll, option_key="for")
    voting.do_close_poll(actor=chair, poll=poll)
    from besluit.accountability.models import Commitment

    commitment = Commitment.objects.get(motion=adopted)
    found["pk"] = found["commitment_id"] = commitment.pk
    found["milestone_id"] = accountability.do_add_milestone(
        actor=sec, commitment=commitment, title="Eerste stap"
    ).pk
    parts = accountability.do_split_motion(
        actor=chair, motion=motion, parts=[("a", "het eerste deel"), ("b", "het tweede deel")]
    )
    found["part_id"] = parts[0].pk
    found["demand_id"] = accountability.do_mark_demand(
        actor=sec, proposal=proposal, title="Fonds", quote="het fonds te herstellen"
    ).pk
    report = reports.do_create_report(actor=sec, meeting=meeting, title="Verantwoording")
    found["report_id"] = report.pk
    reports.do_add_entries(actor=sec, report=report, commitments=[commitment])
    found["entry_id"] = report.entries.first().pk
    found["cluster_id"] = reports.do_add_cluster(actor=sec, report=report, title="Cluster").pk
    from tests.elections import helpers as election_helpers

    body = election_helpers.body(sec, association)
    election = election_helpers.election(chair, meeting, body, seats=1)
    (candidacy, _other) = election_helpers.stand(
        election, ["A. Kandidaat", "B. Kandidaat"], by=users["board"], secretariat=sec
    )
    found["election_id"] = election.public_id
    found["candidacy_number"] = candidacy.number
    found["body_id"] = body.pk

    from besluit.attendance import services as attendance

    attendance.do_set_proxy_rule(
        actor=sec, association=association, valid_from=date(2000, 1, 1), max_represented=2
    )
    found["proxy_id"] = attendance.do_request_proxy(
        actor=rep,
        meeting=meeting,
        grantor=rep.roles.get().member,
        holder=association.members.order_by("code")[1],
        document=SimpleUploadedFile("volmacht.pdf", b"%PDF-1.7\n%%EOF\n"),
    ).public_id
    from django.test import override_settings

    from besluit.webhooks import services as webhooks

    with override_settings(BESLUIT_WEBHOOKS_ALLOW_PRIVATE=True):
        found["subscription_id"] = webhooks.do_create_subscription(
            actor=sec, association=association, url="http://127.0.0.1:9/", events=["poll.opened"]
        ).pk
    for name in ("pk", "milestone_id", "part_id", "demand_id", "entry_id", "cluster_id"):
        found.setdefault(name, 10**6)
    return found


# which kwarg names a route's converters take their value from
def _url(route: str, defaults: dict, kwargs: dict, name: str) -> str:
    import re

    values = dict(kwargs)
    if name.startswith("letters:"):
        values["uuid"] = kwargs["letter_uuid"]
    if name.startswith("accountability:report"):
        values["pk"] = kwargs["report_id"]
    if name == "api:put_network":
        values["code"] = "G4"
    if name in ("api:put_role", "api:delete_role"):
        values["username"], values["kind"] = "waarnemer", "board"
    if name.startswith("texts:job"):
        values["job_id"] = kwargs["job_id"]
    if name == "texts:version" or name == "texts:version_json":
        values["number"] = kwargs["version"]
    if name.startswith("elections:"):
        values["number"] = kwargs["candidacy_number"]
        values["action"] = {"elections:round_action": "openen"}.get(name, "instemmen")
    if name.endswith("_candidacy"):
        values["number"] = kwargs["candidacy_number"]
    if name == "live:console_panel":
        values["name"] = "votes"
    if name in ("minutes:version", "minutes:accept"):
        values["number"] = kwargs["minutes_version"]

    def fill(match):
        key = match.group("name")
        return str(values[key])

    path = re.sub(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>", fill, route)
    return "/" + path


def _refused(response) -> bool:
    from django.contrib.messages.constants import ERROR

    if response.status_code in (401, 403, 404):
        return True
    if response.status_code == 302:
        if response["Location"].startswith("/accounts/login/"):
            return True
        return any(
            m.level == ERROR and str(m.message).startswith(REFUSAL_MESSAGES)
            for m in _new_messages(response)
        )
    return False


def _stopped_by_validation(response) -> bool:
    """A 400 form page, or a redirect back with a (non-permission) error message."""
    from django.contrib.messages.constants import ERROR

    if response.status_code == 400:
        return True
    return response.status_code == 302 and any(
        m.level == ERROR and not str(m.message).startswith(REFUSAL_MESSAGES)
        for m in _new_messages(response)
    )


def _new_messages(response) -> list:
    """The messages this request added (not those still waiting from earlier ones)."""
    request = getattr(response, "wsgi_request", None)
    storage = getattr(request, "_messages", None)
    return list(getattr(storage, "_queued_messages", []))


def _said(response) -> str:
    said = [str(m.message)[:80] for m in _new_messages(response)]
    return f": {said}" if said else ""


def _api_body(name: str, kwargs: dict) -> dict | None:
    """A schema-valid body, so that the permission check is what answers."""
    return {
        "api:submit_motion": {
            "meetingId": kwargs["meeting_id"],
            "title": "t",
            "considerations": "c",
            "request": "r",
        },
        "api:submit_amendment": {
            "proposalId": kwargs["proposal_id"],
            "passage": "1",
            "oldText": "fonds",
            "newText": "x",
        },
        "api:cast_ballot": {"option": "option-1"},
        "api:cast_election_ballot": {"ranking": ["k1"]},
        "api:create_body": {"kind": "committee", "name": "Walk"},
        "api:create_election": {
            "bodyId": kwargs["body_id"],
            "title": "W",
            "seats": 1,
            "termStarts": "2031-01-01",
            "termEnds": "2034-12-31",
            "method": "ranked",
            "nominationDeadline": "2030-01-01T10:00:00+01:00",
        },
        "api:nominate": {"name": "Walk"},
        "api:check_in": {"member": "GM1002"},
        "api:self_check_in": {},
        "api:check_out": {"member": "GM1002"},
        "api:request_proxy": {"grantor": "GM1000", "holder": "GM1003"},
        "api:decide_proxy": {"approve": False, "reason": "walk"},
        "api:revoke_proxy": {},
        "api:set_proxy_rule": {
            "association": "vvg",
            "validFrom": "2001-01-01",
            "maxRepresented": 2,
        },
        "api:enter_paper_ballot": {"member": "GM1005", "option": "option-1", "handedInBy": "x"},
        "api:enter_paper_round": {"members": ["GM1005"], "totals": {}},
        "api:require_meeting_quorum": {"required": True},
        "api:create_token": {"name": "walk", "scopes": ["read"]},
        "api:create_association": {"name": "Walk", "slug": "walk"},
        "api:create_weight_rule": {"validFrom": "2001-01-01", "kind": "equal"},
        "api:put_network": {"members": []},
        "api:create_person": {"username": "walker", "role": "observer"},
        "api:create_meeting": {
            "association": "vvg",
            "kind": "alv",
            "title": "W",
            "startsAt": "2030-01-01T10:00:00+01:00",
            "isDigital": True,
        },
        "api:update_meeting": {"status": "convened"},
        "api:create_agenda_item": {"number": "99", "title": "W"},
        "api:update_agenda_item": {"number": "07", "title": "W"},
        "api:put_proposal": {"title": "W", "text": "De ALV besluit het fonds te herstellen."},
        "api:create_poll": {
            "meetingId": kwargs["meeting_id"],
            "subject": "free",
            "alternatives": ["A", "B"],
        },
        "api:create_letter": {"association": "vvg", "kind": "other", "subject": "W", "body": "W"},
        "api:send_letter": {},
        "api:update_commitment": {"title": "W"},
        "api:update_member": {"networks": ["G4"]},
        "api:put_role": {},
        "api:create_webhook": {"url": "https://93.184.216.34/hook", "events": ["poll.opened"]},
        "api:update_letter": {"subject": "Nieuw onderwerp"},
        "api:cast_sealed_ballot": {"ballot": "00", "requestKey": "k" * 22},
    }.get(name)


# The reading walk and the writing walk run as two tests, each on a world of its own, so
# that the two xdist workers share them (one walk took a third of the suite's wall time).
# Each still walks every URL for every role; a write cannot change a read's answer, as
# before (then the reads simply ran first).
@pytest.mark.parametrize(
    "methods", [("GET",), ("POST", "PATCH", "PUT", "DELETE")], ids=["reads", "writes"]
)
def test_walk_every_url_for_every_role(world, capsys, methods):
    _association, users, kwargs = world
    clients = {"anonymous": Client(raise_request_exception=False)}
    clients["anonymous"].cookies["django_language"] = "en"
    tokens = {}
    for role, user in users.items():
        client = Client(raise_request_exception=False)
        client.cookies["django_language"] = "en"
        client.force_login(user)
        clients[role] = client
        tokens[role] = ApiToken.issue(user, "walk")[1]
    routes = [(r, n, d) for r, n, d in url_patterns() if n in EXPECTED]
    problems, not_reached, consumed, count, known_bugs = [], [], set(), 0, 0
    for method in methods:
        # Publishing the draft last, so that discarding it has a draft to refuse.
        ordered = sorted(routes, key=lambda r: r[1] in LAST)
        for route, name, defaults in ordered:
            allowed_roles = EXPECTED[name].get(method)
            if allowed_roles is None:
                continue
            url = _url(route, defaults, kwargs, name)
            for role in ROLES:
                client = clients[role]
                if role != "anonymous" and method != "GET":
                    client.force_login(users[role])  # a POST to logout logs out
                body = _api_body(name, kwargs) if method != "GET" else None
                if body is not None:
                    response = client.generic(
                        method, url, json.dumps(body), content_type="application/json"
                    )
                elif method in ("PATCH", "PUT", "DELETE"):
                    response = client.generic(method, url, "{}", content_type="application/json")
                elif method == "GET":
                    response = client.get(url)
                else:
                    response = client.post(url, FORM_DATA.get(name, {}))
                count += 1
                allowed = role in allowed_roles
                status = response.status_code
                if status >= 500 and (name, role) in KNOWN_500 and not allowed:
                    known_bugs += 1
                elif status >= 500:
                    problems.append(f"{method} {url} as {role}: {status}")
                elif allowed and status == 404 and (name in ABSENT or url in consumed):
                    continue
                elif allowed and _refused(response):
                    problems.append(
                        f"{method} {url} as {role}: refused ({status}{_said(response)})"
                    )
                elif not allowed and method != "GET" and _stopped_by_validation(response):
                    not_reached.append(f"{name} as {role}")
                elif not allowed and not _refused(response):
                    problems.append(
                        f"{method} {url} as {role}: allowed ({status}{_said(response)})"
                    )
                elif allowed and method != "GET":
                    consumed.add(url)  # it may have deleted or closed what later roles ask for
    with capsys.disabled():
        print(
            f"\npermission walk: {len(routes)} URLs × {len(ROLES)} roles → {count} requests, "
            f"{len(problems)} unexpected, {known_bugs} known 500s (bugs), {len(not_reached)} "
            f"refused-role POSTs stopped by form validation before the permission check: "
            f"{sorted(set(n.split(' as ')[0] for n in not_reached))}"
        )
    assert not problems, "\n".join(problems)


def test_live_pages_refuse_with_403_not_500(association, meeting, board):
    client = Client(raise_request_exception=False)
    client.force_login(board)
    base = f"/{association.slug}/vergaderingen/{meeting.pk}"
    statuses = [
        client.get(f"{base}{path}").status_code
        for path in ("/voorzitter/", "/stemcodes/", "/voorzitter/paneel/votes/")
    ]
    assert statuses == [403, 403, 403]
