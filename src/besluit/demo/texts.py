"""Demo data for structured texts: the Najaars-ALV resolution from draft to final text.

``load_texts_demo(association)`` turns the proposal under agenda item 07 of "Najaars-ALV 2026"
into a structured text with a history, all through the texts services:

1. a draft resolution (concept, 1 September 2026), consulted with the members in open meetings,
   the Zeeland department, the G40 and P10 networks, a sounding board and in writing;
2. input from several municipalities and a network, each answered by the board (adopted,
   partly, not adopted, with the reason);
3. a revised draft (15 October) and the final text (12 November), whose changes are linked to
   the input they answer; the final text is the proposal's text as the demo loader wrote it;
4. the demo's amendments pointed at their passages in the final text.

Idempotent: a proposal that has structured versions already is left alone. The content is
Dutch: it is the association's own words.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import transaction

from besluit.associations.models import Association, Member, Role
from besluit.core import redline as cr
from besluit.core.text_import import from_markdown
from besluit.demo import alv, prose, register
from besluit.proposals.models import Proposal
from besluit.texts import services
from besluit.texts.models import ConsultationInput, ConsultationSession, TextVersion

AMS = ZoneInfo("Europe/Amsterdam")
MEETING_TITLE = "Najaars-ALV 2026"

FINAL = alv.RESOLUTION_TEXT
STORY = prose.table("resolutie-tekstgeschiedenis.toml")


def _replace(text: str, old: str, new: str) -> str:
    """str.replace that insists: the demo's drafts must differ where they say they do."""
    if old not in text:
        raise ValueError(f"not in the resolution: {old[:60]!r}")
    return text.replace(old, new)


_NOODOPVANG = (
    " Noodopvang in sporthallen en op schepen is geen oplossing, niet voor de mensen die er "
    "verblijven en niet voor de gemeenten die het moeten organiseren."
)
_KLEINE_BEURS = (
    ", en om inwoners met een kleine beurs voorrang te geven bij het verduurzamen van hun huis"
)
_VROEG = (
    " Vroegsignalering van schulden moet een vaste taak worden, met een passende en blijvende "
    "vergoeding."
)
_ZORGKOSTEN = (
    "3. indexeer het gemeentefonds met de werkelijke groei van de zorgkosten, zodat stijgende "
    "uitgaven voor Wmo en jeugdzorg niet ten koste gaan van andere voorzieningen;\n"
)
_ITEM4 = (
    "4. geef gemeenten meer algemene en minder specifieke uitkeringen, zodat zij zelf kunnen "
    "bepalen wat in hun gemeente nodig is en minder tijd kwijt zijn aan aanvragen en "
    "verantwoording;\n"
)
_ITEM5 = (
    "5. voer geen verdere bezuinigingen op gemeenten door, ook niet via nieuwe taken die zonder "
    "passende middelen worden overgedragen."
)

# The revised draft (15 October): the final text without what only the last round brought in.
REVISED = _replace(_replace(FINAL, _NOODOPVANG, ""), _KLEINE_BEURS, "")

# The draft (1 September): before the consultation. The last two financial demands stood the
# other way round (a move in the redline).
DRAFT = REVISED
for _old, _new in (
    (_VROEG, ""),
    ("voor ten minste tien jaar vast te leggen", "voor ten minste vijf jaar vast te leggen"),
    (
        "om de regie op de ruimtelijke ordening samen met provincies en gemeenten te versterken",
        "om de regie op de ruimtelijke ordening te versterken",
    ),
    (_ZORGKOSTEN, ""),
    (
        _ITEM4 + _ITEM5,
        _ITEM5.replace("5.", "3.", 1)[:-1] + ";\n" + _ITEM4.replace("4.", "4.", 1)[:-2] + ".",
    ),
):
    DRAFT = _replace(DRAFT, _old, _new)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=AMS)


def _block_with(version: TextVersion, needle: str) -> str:
    for b in version.document.blocks:
        if needle in b.text:
            return b.id
    raise LookupError(needle)


def _representative(association: Association, member: Member):
    role = (
        Role.objects.filter(
            association=association,
            kind=Role.Kind.REPRESENTATIVE,
            member=member,
            user__is_active=True,
        )
        .select_related("user")
        .first()
    )
    return role.user if role else None


def _version(secretariat, proposal, text: str, kind: str, spec: dict, inputs: dict) -> TextVersion:
    """A version of the text: started, summarised, its changes' reasons set, published."""
    version = services.do_start_draft(
        actor=secretariat,
        proposal=proposal,
        document=from_markdown(text).document,
        kind=kind,
        label=spec["label"],
    )
    version = services.do_edit_draft(actor=secretariat, version=version, summary=spec["summary"])
    for needle, keys in spec.get("reasons", ()):
        services.do_set_change_reasons(
            actor=secretariat,
            version=version,
            block_id=_block_with(version, needle),
            inputs=[inputs[k] for k in keys],
        )
    return services.do_publish_version(
        actor=secretariat, version=version, now=prose.local(spec["published"])
    )


def load_texts_demo(association: Association) -> TextVersion | None:
    """Build the texts demo for the association's Najaars-ALV resolution (once)."""
    proposal = (
        Proposal.objects.filter(
            agenda_item__meeting__association=association,
            agenda_item__meeting__title=MEETING_TITLE,
            agenda_item__number="07",
        )
        .select_related("agenda_item__meeting")
        .first()
    )
    if proposal is None or TextVersion.objects.filter(proposal=proposal).exists():
        return None
    users = {
        r.user.username: r.user
        for r in Role.objects.filter(association=association)
        .select_related("user")
        .filter(kind__in=[Role.Kind.SECRETARIAT, Role.Kind.BOARD])
    }
    secretariat = next(
        u
        for u in users.values()
        if Role.objects.filter(user=u, association=association, kind=Role.Kind.SECRETARIAT).exists()
    )
    board = next(
        (
            u
            for u in users.values()
            if Role.objects.filter(user=u, association=association, kind=Role.Kind.BOARD).exists()
        ),
        secretariat,
    )
    cast = register.demo_cast(register.demo_members())
    members = {m.code: m for m in association.members.all()}

    def member(demo_member) -> Member:
        return members[demo_member.code]

    with transaction.atomic():
        # 1. the draft, published for the consultation
        v1 = _version(secretariat, proposal, DRAFT, TextVersion.Kind.DRAFT, STORY["draft"], {})

        # 2. the consultation round, its sessions, the input and the board's answers
        spec = STORY["consultation"]
        round_ = services.do_open_consultation(
            actor=secretariat,
            proposal=proposal,
            title=spec["title"],
            opens_on=spec["opens_on"],
            closes_on=spec["closes_on"],
            description=spec["description"],
        )
        sessions = {
            s["key"]: services.do_add_session(
                actor=secretariat,
                consultation=round_,
                kind=ConsultationSession.Kind[s["kind"]],
                title=s["title"],
                held_on=s["held_on"],
                location=s["location"],
            )
            for s in STORY["sessions"]
        }

        def recorded(session, who, text, needle="", quote="", on_behalf="", day=None):
            block = _block_with(v1, needle) if needle else ""
            return services.do_record_input(
                actor=secretariat,
                session=sessions[session],
                text=text,
                member=member(who) if who else None,
                on_behalf=on_behalf,
                block_id=block,
                quote=quote,
                now=_at(day or sessions[session].held_on, 16),
            )

        def written(who, text, needle, quote, day):
            actor = _representative(association, member(who))
            block = _block_with(v1, needle)
            if actor is None:
                return recorded("utrecht", who, text, needle, quote, day=day)
            return services.do_submit_written_input(
                actor=actor,
                consultation=round_,
                text=text,
                block_id=block,
                quote=quote,
                now=_at(day, 11, 20),
            )

        inputs = {}
        for s in STORY["inputs"]:
            quote = s.get("quote", "")
            if "written_by" in s:
                who = getattr(cast, s["written_by"])
                inputs[s["key"]] = written(who, s["text"], s["block"], quote, s["day"])
            else:
                who = getattr(cast, s["member"]) if "member" in s else None
                inputs[s["key"]] = recorded(
                    s["session"], who, s["text"], s["block"], quote, s.get("on_behalf", "")
                )
        for s in STORY["inputs"]:
            services.do_respond(
                actor=board,
                item=inputs[s["key"]],
                response=ConsultationInput.Response[s["response"]],
                reason=s["reason"],
                now=prose.local(STORY["responded"]),
            )
        services.do_close_consultation(actor=secretariat, consultation=round_)

        # 3. the revised draft, its changes linked to the input they answer
        _version(secretariat, proposal, REVISED, TextVersion.Kind.REVISED, STORY["revised"], inputs)
        # 4. the final text
        v3 = _version(secretariat, proposal, FINAL, TextVersion.Kind.FINAL, STORY["final"], inputs)

        # 5. the amendments point at their passages in the final text
        services.do_link_amendments(actor=secretariat, proposal=proposal)
        services.do_set_branding(
            actor=secretariat,
            association=association,
            sender=STORY["branding"]["sender"].format(name=association.name),
            signature=STORY["branding"]["signature"].format(name=association.name),
        )
    assert cr.redline(v1.document, v3.document).changes  # the history is not empty
    return v3
