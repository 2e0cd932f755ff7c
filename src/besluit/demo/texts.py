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
from besluit.demo import data, register
from besluit.proposals.models import Proposal
from besluit.texts import services
from besluit.texts.models import ConsultationInput, ConsultationSession, TextVersion

AMS = ZoneInfo("Europe/Amsterdam")
MEETING_TITLE = "Najaars-ALV 2026"

FINAL = data.RESOLUTION_TEXT


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
        v1 = services.do_start_draft(
            actor=secretariat,
            proposal=proposal,
            document=from_markdown(DRAFT).document,
            kind=TextVersion.Kind.DRAFT,
            label="Conceptresolutie voor de ledenraadpleging",
        )
        v1 = services.do_edit_draft(
            actor=secretariat,
            version=v1,
            summary="Het concept waarover het bestuur de leden raadpleegt in open "
            "ledenbijeenkomsten, de afdelingen en de netwerken.",
        )
        v1 = services.do_publish_version(
            actor=secretariat, version=v1, now=_at(date(2026, 9, 1), 9)
        )

        # 2. the consultation round and its sessions
        round_ = services.do_open_consultation(
            actor=secretariat,
            proposal=proposal,
            title="Ledenraadpleging conceptresolutie kabinetsformatie",
            opens_on=date(2026, 9, 1),
            closes_on=date(2026, 10, 9),
            description="Het bestuur hoort graag wat u van de conceptresolutie vindt: in een "
            "van de open ledenbijeenkomsten, via uw provinciale afdeling of netwerk, of "
            "schriftelijk tot en met 9 oktober.",
        )
        K = ConsultationSession.Kind
        sessions = {}
        for key, kind, title, day, place in (
            (
                "utrecht",
                K.OPEN_MEETING,
                "Open ledenbijeenkomst Utrecht",
                date(2026, 9, 15),
                "Utrecht",
            ),
            ("zwolle", K.OPEN_MEETING, "Open ledenbijeenkomst Zwolle", date(2026, 9, 22), "Zwolle"),
            ("zeeland", K.DEPARTMENT, "Afdeling Zeeland (VZVG)", date(2026, 9, 29), "Middelburg"),
            ("g40", K.NETWORK, "Netwerk G40", date(2026, 10, 2), "digitaal"),
            ("p10", K.NETWORK, "Netwerk P10", date(2026, 10, 6), "Assen"),
            (
                "klankbord",
                K.SOUNDING_BOARD,
                "Regionale klankbordgroep",
                date(2026, 10, 8),
                "Den Haag",
            ),
        ):
            sessions[key] = services.do_add_session(
                actor=secretariat,
                consultation=round_,
                kind=kind,
                title=title,
                held_on=day,
                location=place,
            )

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

        kansen = written(
            cast.city,
            "Vijf jaar is te kort voor een aanpak die werkt: scholen en partners moeten kunnen "
            "rekenen op tien jaar. Graag de termijn verlengen.",
            "middelen voor kansengelijkheid",
            "voor ten minste vijf jaar vast te leggen",
            date(2026, 9, 18),
        )
        vroeg = recorded(
            "zwolle",
            cast.smallest,
            "Vroegsignalering van schulden werkt, maar kleine gemeenten kunnen het niet "
            "volhouden zonder vaste vergoeding. Neem dat op in de resolutie.",
            "sociaal minimum structureel te verhogen",
        )
        zorg = recorded(
            "utrecht",
            cast.largest,
            "De stijging van de zorgkosten ontbreekt bij de financiële vragen. Vraag om "
            "indexatie van het gemeentefonds met de werkelijke groei van de zorgkosten.",
            "Gemeenten vragen het nieuwe kabinet daarom",
        )
        provincies = recorded(
            "zeeland",
            None,
            "Noem de provincies bij de regie op de ruimtelijke ordening: zonder hen lukt de "
            "verdeling van de schaarse ruimte niet.",
            "regie op de ruimtelijke ordening",
            "om de regie op de ruimtelijke ordening te versterken",
            on_behalf="Afdeling Zeeland",
        )
        noodopvang = recorded(
            "zeeland",
            cast.zeeland,
            "Zeg expliciet dat noodopvang in sporthallen en op schepen geen oplossing is.",
            "voorspelbaarheid: een stabiel stelsel",
        )
        beurs = written(
            cast.mid,
            "Laat de resolutie ook vragen om voorrang voor inwoners met een kleine beurs bij "
            "het verduurzamen van hun woning, met een volledige vergoeding voor gemeenten.",
            "uitvoeringskracht van gemeenten voor de klimaat",
            "om netbeheerders de middelen te geven om sneller uit te breiden",
            date(2026, 10, 1),
        )
        platteland = recorded(
            "p10",
            cast.rural,
            "Op het platteland wachten boerenbedrijven en dorpen het langst op een aansluiting. "
            "Vraag voorrang voor het landelijk gebied bij de uitbreiding van het stroomnet.",
            "uitvoeringskracht van gemeenten voor de klimaat",
            "om netbeheerders de middelen te geven om sneller uit te breiden",
        )
        betaalbaar = recorded(
            "g40",
            None,
            "Leg vast dat twee derde van de nieuwe woningen betaalbaar moet zijn.",
            "100.000 nieuwe woningen per jaar",
            "ten minste 100.000 nieuwe woningen per jaar",
            on_behalf="Netwerk G40",
        )
        belasting = recorded(
            "klankbord",
            cast.largest,
            "Laat de vraag om een eigen belastinggebied weg: die leidt af van de kern, de "
            "korting op het gemeentefonds.",
            "eigen belastinggebied van betekenis",
        )
        volgorde = recorded(
            "klankbord",
            None,
            "Zet de vraag om geen verdere bezuinigingen aan het eind van de lijst: dan sluit "
            "die logisch af.",
            "voer geen verdere bezuinigingen",
            on_behalf="Regionale klankbordgroep",
        )
        R = ConsultationInput.Response
        for item, response, reason, day in (
            (kansen, R.ADOPTED, "Overgenomen: de termijn is verlengd naar tien jaar.", 12),
            (
                vroeg,
                R.ADOPTED,
                "Overgenomen: vroegsignalering wordt als vaste taak met een "
                "blijvende vergoeding gevraagd.",
                12,
            ),
            (zorg, R.ADOPTED, "Overgenomen als derde financiële vraag.", 12),
            (
                provincies,
                R.ADOPTED,
                "Overgenomen: de regie wordt samen met provincies en gemeenten versterkt.",
                12,
            ),
            (noodopvang, R.ADOPTED, "Overgenomen in de definitieve tekst.", 12),
            (
                beurs,
                R.PARTLY,
                "Deels overgenomen: de voorrang voor inwoners met een kleine beurs "
                "staat erin; de vergoeding valt onder de structurele financiering die al gevraagd "
                "wordt.",
                12,
            ),
            (
                platteland,
                R.NOT_ADOPTED,
                "Niet overgenomen: de resolutie vraagt snellere "
                "uitbreiding van het net voor alle gemeenten. Een voorrangsregel per gebied kan "
                "als amendement aan de ALV worden voorgelegd.",
                12,
            ),
            (
                betaalbaar,
                R.NOT_ADOPTED,
                "Niet overgenomen: een vaste verhouding is niet in alle "
                "regio's haalbaar. Het netwerk kan een amendement indienen.",
                12,
            ),
            (
                belasting,
                R.NOT_ADOPTED,
                "Niet overgenomen: een grote meerderheid in de "
                "bijeenkomsten wil het eigen belastinggebied juist noemen.",
                12,
            ),
            (volgorde, R.ADOPTED, "Overgenomen: de volgorde van de vragen is aangepast.", 12),
        ):
            services.do_respond(
                actor=board,
                item=item,
                response=response,
                reason=reason,
                now=_at(date(2026, 10, day), 10),
            )
        services.do_close_consultation(actor=secretariat, consultation=round_)

        # 3. the revised draft, its changes linked to the input they answer
        v2 = services.do_start_draft(
            actor=secretariat,
            proposal=proposal,
            document=from_markdown(REVISED).document,
            kind=TextVersion.Kind.REVISED,
            label="Herziene conceptresolutie",
        )
        v2 = services.do_edit_draft(
            actor=secretariat,
            version=v2,
            summary="Verwerkt: de opbrengst van de ledenraadpleging. Kansengelijkheid voor tien "
            "jaar, vroegsignalering van schulden, indexatie met de zorgkosten, de provincies "
            "bij de ruimtelijke ordening en een logischer volgorde van de financiële vragen.",
        )
        for needle, inputs in (
            ("middelen voor kansengelijkheid", [kansen]),
            ("Vroegsignalering van schulden", [vroeg]),
            ("werkelijke groei van de zorgkosten", [zorg]),
            ("samen met provincies en gemeenten", [provincies]),
            ("voer geen verdere bezuinigingen", [volgorde]),
        ):
            services.do_set_change_reasons(
                actor=secretariat, version=v2, block_id=_block_with(v2, needle), inputs=inputs
            )
        services.do_publish_version(actor=secretariat, version=v2, now=_at(date(2026, 10, 15), 9))

        # 4. the final text
        v3 = services.do_start_draft(
            actor=secretariat,
            proposal=proposal,
            document=from_markdown(FINAL).document,
            kind=TextVersion.Kind.FINAL,
            label="Definitieve tekst",
        )
        v3 = services.do_edit_draft(
            actor=secretariat,
            version=v3,
            summary="Verwerkt na de afdelingsbijeenkomst en de schriftelijke inbreng: noodopvang "
            "is geen oplossing, en voorrang voor inwoners met een kleine beurs bij het "
            "verduurzamen.",
        )
        for needle, inputs in (
            ("Noodopvang in sporthallen", [noodopvang]),
            ("inwoners met een kleine beurs", [beurs]),
        ):
            services.do_set_change_reasons(
                actor=secretariat, version=v3, block_id=_block_with(v3, needle), inputs=inputs
            )
        v3 = services.do_publish_version(
            actor=secretariat, version=v3, now=_at(date(2026, 11, 12), 9)
        )

        # 5. the amendments point at their passages in the final text
        services.do_link_amendments(actor=secretariat, proposal=proposal)
        services.do_set_branding(
            actor=secretariat,
            association=association,
            sender=f"{association.name}\nPostbus 1234\n2500 AA Den Haag",
            signature=f"Het bestuur van de {association.name}",
        )
    assert cr.redline(v1.document, v3.document).changes  # the history is not empty
    return v3
