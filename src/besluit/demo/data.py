"""Demo data: two fictional associations, a Najaars-ALV in session and a written consultation.

Everything is built through the services, the way the secretariat, the chair
and the representatives would build it in the application; only the hidden
"demo voter" accounts (one per member, so that a few hundred members can cast
a ballot) are bulk-created, because the services have no bulk path for people.

The data is deterministic (fixed random seed). The content is in Dutch: it is
the association's own words, not interface text. All municipalities, people
and figures are fictional; the weight table is core.weights' example table,
not real statutes.

Dates. The meeting lies on 10 December 2026; amendments and motions are
submitted on dates before its deadline (passed to the services as ``now``), and
the ALV's polls carry the times of the meeting's morning, as if the meeting is
in session. The written consultation runs from 16 November to 7 December 2026;
its poll must stay open whenever the demo is started, so it closes at the end
of that window or two weeks after loading, whichever is later.
"""

from __future__ import annotations

import io
import math
import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TextIO
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from besluit import csvsafe
from besluit.accounts.models import User
from besluit.associations import services as assoc
from besluit.associations.models import Association, Member, Role
from besluit.audit.services import record
from besluit.core import weights as core_weights
from besluit.core.register_csv import PROVINCES
from besluit.meetings import services as meetings
from besluit.meetings.models import Meeting
from besluit.proposals import services as proposals
from besluit.proposals.models import PreAdvice
from besluit.voting import services as voting
from besluit.voting.models import Poll

AMS = ZoneInfo("Europe/Amsterdam")
SEED = 20261210
PASSWORD = "demo-besluit"  # passes the configured password validators (see the tests)

SLUG = "vvvg"
NAME = "Vereniging van Voorbeeldgemeenten"
SHORT_NAME = "VVVG"
DEPARTMENT_SLUG = "vzvg"
DEPARTMENT_NAME = "Vereniging van Zeeuwse Voorbeeldgemeenten"
DEPARTMENT_SHORT_NAME = "VZVG"
DEPARTMENT_PROVINCE = "Zeeland"

REFERENCE_DATE = date(2026, 1, 1)
RULE_VALID_FROM = date(2025, 1, 1)
RULE_LABEL = "Voorbeeldtabel (geen echte statuten)"
TARGET_INHABITANTS = 18_000_000

# Municipalities per province, as in the real country (342 in all).
PROVINCE_COUNTS: dict[str, int] = {
    "Groningen": 10, "Fryslân": 18, "Drenthe": 12, "Overijssel": 25, "Flevoland": 6,
    "Gelderland": 51, "Utrecht": 26, "Noord-Holland": 44, "Zuid-Holland": 50,
    "Zeeland": 13, "Noord-Brabant": 56, "Limburg": 31,
}  # fmt: skip
assert set(PROVINCE_COUNTS) == set(PROVINCES)
N_MEMBERS = sum(PROVINCE_COUNTS.values())  # 342

# The four largest (G4), hand-named; everything else is generated.
G4: tuple[tuple[str, str, int], ...] = (
    ("Grachtenburg", "Noord-Holland", 931_640),
    ("Havenmonde", "Zuid-Holland", 672_310),
    ("Hofduinen", "Zuid-Holland", 563_870),
    ("Domveste", "Utrecht", 374_120),
)
# The smallest member, a Wadden island like Vlieland or Schiermonnikoog.
SMALLEST = ("Kwelderoog", "Fryslân", 1_043)

# Fictional names: prefix + root + suffix, never a real municipality's name.
_PREFIXES = ("Oost", "West", "Noord", "Zuid", "Hoog", "Laag", "Groot", "Klein", "Oud",
             "Nieuw", "Neder", "Boven", "Over", "Achter")  # fmt: skip
_ROOTS = ("brak", "veen", "wold", "dijk", "horst", "broek", "meer", "zand", "berg", "dam",
          "voort", "hof", "kamp", "rijp", "goor", "wier", "laar", "donk", "heide", "beek",
          "weide", "kreek", "hout", "vliet")  # fmt: skip
_SUFFIXES = ("stad", "dorp", "erland", "um", "ingen", "wijk", "haven", "hem", "rade", "wolde",
             "veld", "recht", "sluis", "kerk", "zijl", "lo", "horn")  # fmt: skip
_REGIONAL_SUFFIXES = {
    "Zeeland": ("kerke", "dijke", "kapelle", "sluis", "hoek"),
    "Fryslân": ("um", "wâld", "dyk", "ein"),
    "Groningen": ("zijl", "um", "wolde", "ster"),
    "Limburg": ("rade", "heim", "broek", "ray"),
}
# Real municipality names these syllables can spell are refused. (The generated
# register was also compared with the list of all real municipalities: no match.)
_REAL_NAMES = frozenset({"westerveld", "veendam", "zandvoort", "oosterhout", "oldebroek"})


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str


@dataclass(frozen=True)
class DemoMember:
    code: str
    name: str
    province: str
    inhabitants: int
    networks: tuple[str, ...]

    @property
    def slug(self) -> str:
        return slugify(self.name)


# --- the register: pure and deterministic ------------------------------------


def _names(rng: random.Random, provinces: list[str], taken: set[str]) -> list[str]:
    names = []
    for province in provinces:
        suffixes = _REGIONAL_SUFFIXES.get(province, _SUFFIXES)
        while True:
            name = rng.choice(_PREFIXES) + rng.choice(_ROOTS) + rng.choice(suffixes)
            if name.lower() not in taken and name.lower() not in _REAL_NAMES:
                break
        taken.add(name.lower())
        names.append(name)
    return names


def _squeeze(value: float) -> float:
    """Keep a value between 1,500 and 248,000; large ones bend smoothly towards the top.

    Below 150,000 nothing changes; above, the excess is compressed so the tail
    stays below the G4 (more than 250,000) without piling up at one value.
    """
    if value <= 150_000:
        return max(1_500.0, value)
    return 150_000 + 98_000 * (1 - math.exp(-(value - 150_000) / 98_000))


def _populations(rng: random.Random, n: int, total: int) -> list[int]:
    """``n`` log-normal populations between 1,500 and 248,000, summing to about ``total``."""
    raw = [rng.lognormvariate(0.0, 0.85) for _ in range(n)]
    scale = total / sum(raw)
    for _ in range(50):  # rescale, squeeze, repeat: converges in a few rounds
        scale *= total / sum(_squeeze(r * scale) for r in raw)
    return [round(_squeeze(r * scale)) for r in raw]


def demo_members() -> list[DemoMember]:
    """The 342 fictional members of the VVVG, largest first; the same on every call."""
    rng = random.Random(SEED)
    fixed = [*G4, SMALLEST]
    rest_total = TARGET_INHABITANTS - sum(p for _, _, p in fixed)
    others = sorted(_populations(rng, N_MEMBERS - len(fixed), rest_total), reverse=True)
    slots = []
    for province, count in PROVINCE_COUNTS.items():
        slots += [province] * (count - sum(1 for _, p, _ in fixed if p == province))
    rng.shuffle(slots)
    # Zeeland has no large cities: keep its members out of the 100 largest.
    for i in range(100 - len(G4)):
        if slots[i] == DEPARTMENT_PROVINCE:
            j = rng.choice([k for k in range(100, len(slots)) if slots[k] != DEPARTMENT_PROVINCE])
            slots[i], slots[j] = slots[j], slots[i]
    taken = {n.lower() for n, _, _ in fixed}
    names = _names(rng, slots, taken)
    rows = [(n, p, i) for n, p, i in G4] + list(zip(names, slots, others, strict=True))
    rows.append(SMALLEST)

    # Networks. G4: the four largest; G40: the next 40; P10: 31 large rural
    # municipalities; M50: mid-size (30,000-80,000); K80: small (up to 25,000).
    networks: list[set[str]] = [set() for _ in rows]
    for i in range(4):
        networks[i].add("G4")
    for i in range(4, 44):
        networks[i].add("G40")
    rural = [i for i in range(44, len(rows)) if 35_000 <= rows[i][2] <= 100_000]
    p10 = set(rng.sample(rural, 31))
    mid = [i for i in range(44, len(rows)) if 30_000 <= rows[i][2] <= 80_000 and i not in p10]
    m50 = set(rng.sample(mid, min(50, len(mid))))
    small = [i for i in range(44, len(rows)) if rows[i][2] <= 25_000]
    k80 = set(rng.sample(small, min(80, len(small)))) | {len(rows) - 1}
    for code, chosen in (("P10", p10), ("M50", m50), ("K80", k80)):
        for i in chosen:
            networks[i].add(code)

    # Codes in alphabetical order of name: GM9001 ... GM9342 (CBS does not use 9xxx).
    order = sorted(range(len(rows)), key=lambda i: rows[i][0])
    code_of = {i: f"GM{9001 + k}" for k, i in enumerate(order)}
    return [
        DemoMember(code_of[i], name, province, inhabitants, tuple(sorted(networks[i])))
        for i, (name, province, inhabitants) in enumerate(rows)
    ]


def register_csv(members: Iterable[DemoMember]) -> bytes:
    out = io.StringIO()
    writer = csvsafe.writer(out, lineterminator="\n")
    writer.writerow(["gemeentecode", "naam", "provincie", "inwoners", "peildatum"])
    for m in members:
        writer.writerow([m.code, m.name, m.province, m.inhabitants, REFERENCE_DATE.isoformat()])
    return out.getvalue().encode()


# --- people -------------------------------------------------------------------


FUNCTION_WORD = {
    Role.Function.MAYOR: "burgemeester",
    Role.Function.ALDERMAN: "wethouder",
    Role.Function.CLERK: "griffier",
    Role.Function.SECRETARY: "gemeentesecretaris",
    Role.Function.COUNCIL_MEMBER: "raadslid",
}


@dataclass(frozen=True)
class _RoleSpec:
    association: str  # slug
    kind: str
    member_code: str | None = None
    function: str = ""


@dataclass(frozen=True)
class _Person:
    username: str
    first_name: str
    last_name: str
    description: str
    roles: tuple[_RoleSpec, ...]


@dataclass(frozen=True)
class _Cast:
    """The members the demo's named representatives act for."""

    largest: DemoMember
    city: DemoMember  # a G40 city
    rural: DemoMember  # a P10 municipality
    mid: DemoMember  # an M50 municipality
    smallest: DemoMember
    zeeland: DemoMember  # also a member of the provincial department

    @property
    def all(self) -> tuple[DemoMember, ...]:
        return (self.largest, self.city, self.rural, self.mid, self.smallest, self.zeeland)


def _cast(members: list[DemoMember]) -> _Cast:
    def first(test: Callable[[DemoMember], bool]) -> DemoMember:
        return next(m for m in members if test(m))

    rural = first(lambda m: "P10" in m.networks and m.province != DEPARTMENT_PROVINCE)
    mids = [m for m in members if "M50" in m.networks]
    # A mid-size member from the middle of M50 whose name does not look like the rural one's.
    mid = next(m for m in mids[len(mids) // 2 :] if m.name[:7] != rural.name[:7])
    zeeland = first(
        lambda m: (
            m.province == DEPARTMENT_PROVINCE and "G40" not in m.networks and m not in (rural, mid)
        )
    )
    return _Cast(
        largest=members[0],
        city=members[5],
        rural=rural,
        mid=mid,
        smallest=members[-1],
        zeeland=zeeland,
    )


def _people(cast: _Cast) -> list[_Person]:
    K, F = Role.Kind, Role.Function

    def rep(member: DemoMember, function: str, first: str, last: str, extra=()) -> _Person:
        word = FUNCTION_WORD[function]
        return _Person(
            username=f"{word}-{member.slug}",
            first_name=first,
            last_name=last,
            description=f"vertegenwoordiger: {word} van {member.name} ({member.code})",
            roles=(_RoleSpec(SLUG, K.REPRESENTATIVE, member.code, function), *extra),
        )

    return [
        _Person(
            "secretariaat", "Roos", "Verhagen-Tijl",
            "secretariaat (VVVG en VZVG): leden, gewichten, vergaderingen",
            (_RoleSpec(SLUG, K.SECRETARIAT), _RoleSpec(DEPARTMENT_SLUG, K.SECRETARIAT)),
        ),
        _Person("voorzitter", "Gerrit", "Molendijk", "voorzitter van de VVVG",
                (_RoleSpec(SLUG, K.CHAIR),)),
        _Person("bestuur", "Fatima", "El Boukhari-Steen", "bestuurslid (geeft preadviezen)",
                (_RoleSpec(SLUG, K.BOARD),)),
        rep(cast.largest, F.MAYOR, "Hendrika", "Bloemaert"),
        rep(cast.largest, F.ALDERMAN, "Joost", "Kalverstraten"),
        rep(cast.city, F.ALDERMAN, "Sanne", "Ter Wolde"),
        rep(cast.rural, F.MAYOR, "Pieter", "Hofsteenge"),
        rep(cast.mid, F.CLERK, "Anouk", "Dekkerman"),
        rep(cast.smallest, F.SECRETARY, "Wiebe", "Kwelderma"),
        rep(
            cast.zeeland, F.COUNCIL_MEMBER, "Marijke", "Dobbelaere",
            extra=(_RoleSpec(DEPARTMENT_SLUG, K.REPRESENTATIVE, cast.zeeland.code,
                             F.COUNCIL_MEMBER),),
        ),
        _Person("waarnemer", "Tom", "Uitenbroek", "waarnemer (alleen lezen)",
                (_RoleSpec(SLUG, K.OBSERVER),)),
    ]  # fmt: skip


def demo_accounts() -> list[DemoAccount]:
    """The accounts to log in with: the same on every call, whether loaded or not."""
    people = _people(_cast(demo_members()))
    accounts = []
    for p in people:
        description = p.description
        if len(p.roles) > 1 and p.roles[1].kind == Role.Kind.REPRESENTATIVE:
            description += "; ook in de VZVG"
        accounts.append(DemoAccount(p.username, PASSWORD, description))
    return accounts


# --- texts (the association's own words) -----------------------------------------


def _unwrap(text: str) -> str:
    """Join the source's wrapped lines: one line per paragraph, blank lines between.

    A line starting a heading ("## ") or a numbered point ("1. ") starts a new line.
    """
    blocks = []
    for block in text.strip("\n").split("\n\n"):
        lines: list[str] = []
        for line in block.split("\n"):
            if lines and not re.match(r"(## |\d+\. )", line):
                lines[-1] += " " + line
            else:
                lines.append(line)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


RESOLUTION_TITLE = "Resolutie 'Gemeenten aan zet: inzet voor de kabinetsformatie'"
RESOLUTION_DECISION = (
    "De resolutie 'Gemeenten aan zet: inzet voor de kabinetsformatie' vaststellen, met "
    "inbegrip van de aangenomen amendementen, als inzet van de vereniging richting de "
    "formerende partijen en het nieuwe kabinet."
)
RESOLUTION_EXPLANATION = (
    "Na de verkiezingen voor de Tweede Kamer wordt een nieuw kabinet gevormd. Het bestuur "
    "stelt voor dat de leden in één resolutie vastleggen wat gemeenten van de formatie "
    "vragen.\n\n"
    "De conceptresolutie is in september en oktober besproken in drie open "
    "ledenbijeenkomsten, in de provinciale afdelingen en in de netwerken G4, G40, P10, M50 "
    "en K80. De opbrengst daarvan is per passage verwerkt in deze definitieve tekst; een "
    "overzicht van de wijzigingen ten opzichte van het concept is als bijlage toegevoegd.\n\n"
    "Amendementen konden tot de indieningstermijn worden ingediend. De vergadering stemt "
    "eerst over de amendementen en daarna over de (gewijzigde) resolutie."
)

RESOLUTION_TEXT = _unwrap("""\
## Aanleiding

Na de verkiezingen voor de Tweede Kamer begint de formatie van een nieuw kabinet. De opgaven
waar ons land voor staat, van de woningnood tot de energietransitie en van de zorg voor ouderen
tot de opvang van asielzoekers, komen samen in de gemeente. Daar wonen mensen, daar zoeken zij
hulp en daar merken zij of beleid werkt. Gemeenten willen die verantwoordelijkheid dragen, maar
dan moeten taken, bevoegdheden en middelen met elkaar in evenwicht zijn. Dat evenwicht is de
afgelopen jaren verder zoekgeraakt.

Met deze resolutie geven de leden van de vereniging de formerende partijen mee wat gemeenten
nodig hebben om hun werk goed te kunnen doen, en wat zij op hun beurt bieden: uitvoeringskracht,
kennis van de eigen inwoners en de bereidheid om samen met Rijk en provincies
verantwoordelijkheid te nemen.

## Bestaanszekerheid

Steeds meer huishoudens komen met een gewoon inkomen niet rond. Vaste lasten stijgen sneller dan
lonen en uitkeringen, en wie eenmaal schulden heeft, raakt verstrikt in regels die boetes op
boetes stapelen. Gemeenten zien dagelijks wat dat betekent voor gezinnen, voor de gezondheid van
mensen en voor de kansen van kinderen.

Wij vragen het nieuwe kabinet om het sociaal minimum structureel te verhogen, het stelsel van
toeslagen te vervangen door een eenvoudiger regeling die mensen niet in de problemen brengt, en
gemeenten de ruimte te geven om maatwerk te bieden zonder eerst een doolhof van voorwaarden te
doorlopen. Vroegsignalering van schulden moet een vaste taak worden, met een passende en
blijvende vergoeding.

## Kansengelijkheid

De plek waar een kind opgroeit, bepaalt nog te vaak hoe zijn of haar toekomst eruitziet.
Gemeenten investeren in voorschoolse voorzieningen, in brede scholen en in samenwerking tussen
onderwijs, jeugdhulp, cultuur en sport. Die aanpak werkt alleen als zij jaren kan doorlopen.
Tijdelijke programma's met een looptijd van twee of drie jaar leveren vooral aanvragen en
verantwoording op.

Wij vragen het kabinet om de middelen voor kansengelijkheid voor ten minste tien jaar vast te
leggen en ze via het gemeentefonds te verdelen, zodat gemeenten samen met scholen en
maatschappelijke partners een lange adem kunnen hebben.

## Gezondheid en vergrijzing

Het aantal ouderen groeit snel, terwijl het aantal mensen dat in de zorg werkt nauwelijks
toeneemt. Gemeenten willen dat inwoners zo lang mogelijk prettig en veilig thuis kunnen wonen,
maar de vraag naar ondersteuning uit de Wmo stijgt harder dan de middelen die daarvoor
beschikbaar zijn. Ook de jeugdzorg blijft onder druk staan, financieel en inhoudelijk.

Wij vragen het kabinet om preventie en gezondheid in de wijk een vaste plek te geven, om samen
met gemeenten en zorgverzekeraars te werken aan woonvormen voor ouderen tussen het eigen huis en
het verpleeghuis, en om de afspraken over de jeugdzorg te herzien op basis van wat gemeenten in
de praktijk tegenkomen.

## Asiel en migratie

Gemeenten nemen hun verantwoordelijkheid voor de opvang van asielzoekers en de huisvesting van
statushouders. Zij doen dat in overleg met inwoners en bij voorkeur in kleinschalige locaties,
waar taal, werk en meedoen vanaf de eerste dag kunnen beginnen.

Dat vraagt om voorspelbaarheid: een stabiel stelsel van opvang met afspraken die langer meegaan
dan één kabinetsperiode, een eerlijke verdeling over alle gemeenten en een volledige vergoeding
van de kosten. Noodopvang in sporthallen en op schepen is geen oplossing, niet voor de mensen
die er verblijven en niet voor de gemeenten die het moeten organiseren.

## Klimaat en energie

De energietransitie vindt plaats in straten en wijken. Gemeenten stellen warmteplannen op,
helpen inwoners bij het isoleren van hun woning en zoeken ruimte voor het opwekken en opslaan
van energie. Het stroomnet raakt steeds vaker vol, waardoor nieuwe woningen en bedrijven moeten
wachten op een aansluiting.

Wij vragen het kabinet om de uitvoeringskracht van gemeenten voor de klimaat- en energieopgave
structureel te financieren, om netbeheerders de middelen te geven om sneller uit te breiden, en
om inwoners met een kleine beurs voorrang te geven bij het verduurzamen van hun huis.

## Wonen en ruimtelijke ordening

Het tekort aan betaalbare woningen raakt jongeren, ouderen, starters en mensen die na een
scheiding opnieuw moeten beginnen. Gemeenten willen bouwen, maar lopen aan tegen stikstofregels,
een vol stroomnet, lange procedures en tekorten op de grondexploitatie die zij niet alleen
kunnen dragen.

Wij vragen het kabinet om de afspraak van ten minste 100.000 nieuwe woningen per jaar te
ondersteunen met een meerjarige woningbouwimpuls, om de regie op de ruimtelijke ordening samen
met provincies en gemeenten te versterken, en om bij de verdeling van de schaarse ruimte
landbouw, natuur, water en bereikbaarheid in samenhang te bekijken.

## Financiële verhoudingen

Al deze opgaven komen samen in één vraag: kunnen gemeenten hun taken betalen? Het eerlijke
antwoord is op dit moment nee. Sinds 2026 hebben gemeenten te maken met een forse daling van hun
inkomsten, terwijl de kosten van zorg, jeugd en uitvoering blijven stijgen. Veel gemeenten
schrappen voorzieningen, verhogen de lokale lasten of teren in op hun reserves. Dat raakt
inwoners direct en ondermijnt het vertrouwen in de overheid als geheel.

Gemeenten vragen het nieuwe kabinet daarom:

1. draai de korting op het gemeentefonds van 675 miljoen euro in 2026 terug;
2. herstel de groei van het gemeentefonds door de normeringssystematiek weer volledig toe te
passen, zodat gemeenten meegroeien met de uitgaven van het Rijk;
3. indexeer het gemeentefonds met de werkelijke groei van de zorgkosten, zodat stijgende
uitgaven voor Wmo en jeugdzorg niet ten koste gaan van andere voorzieningen;
4. geef gemeenten meer algemene en minder specifieke uitkeringen, zodat zij zelf kunnen bepalen
wat in hun gemeente nodig is en minder tijd kwijt zijn aan aanvragen en verantwoording;
5. voer geen verdere bezuinigingen op gemeenten door, ook niet via nieuwe taken die zonder
passende middelen worden overgedragen.

Daarnaast vragen gemeenten om een eigen belastinggebied van betekenis, zodat de gemeenteraad ook
over de inkomsten van de begroting iets te kiezen heeft, en om een onafhankelijke toets op de
uitvoerbaarheid en de kosten van elk nieuw voorstel dat gemeenten raakt.

## Besluit

De Algemene Ledenvergadering stelt deze resolutie vast als inzet van de vereniging voor de
kabinetsformatie. Zij draagt het bestuur op de resolutie aan te bieden aan de informateur of
formateur en aan de fracties in de Tweede Kamer, de uitvoering ervan te bespreken met het nieuwe
kabinet en de leden op de Najaars-ALV van 2027 te laten weten wat de inzet heeft opgeleverd.
""")

AGENDA_EXPLANATIONS = {
    "04": "De notulen van de Voorjaars-ALV van 11 juni 2026 zijn met de convocatie van "
    "12 november 2026 aan de leden gestuurd. Er zijn geen opmerkingen ontvangen.",
    "05": "Het jaarverslag en de jaarrekening 2025 zijn door de financiële commissie "
    "besproken; de accountant heeft een goedkeurende verklaring afgegeven.",
    "06": "Het bestuur stelt voor de contributie voor 2027 te indexeren met 2,4 procent, "
    "volgens de afspraak uit de meerjarenbegroting.",
    "08": "Het bestuur rapporteert per motie wat er met de eerder aangenomen moties is "
    "gedaan en stelt per motie voor deze aan te houden of als afgedaan te beschouwen.",
    "09": "Het bestuur draagt twee kandidaten voor de vacatures in het bestuur voor. "
    "Tegenkandidaten konden tot de indieningstermijn worden aangemeld.",
}

CAO_EXPLANATION = (
    "De werkgeverscommissie en de vakbonden hebben een onderhandelingsresultaat bereikt "
    "voor de Cao Gemeenten 2027. Het bestuur legt het resultaat via een schriftelijke "
    "ledenraadpleging aan de leden voor, samen met een gewijzigd voorstel dat in de "
    "netwerken is ingebracht: de loonsverhoging in twee stappen in plaats van één.\n\n"
    "Elke gemeente brengt één stem uit, via de gemeentesecretaris of een andere "
    "vertegenwoordiger. De uitslag wordt per gemeente gepubliceerd en ter bekrachtiging "
    "voorgelegd aan de volgende ALV."
)
CAO_PROPOSAL = _unwrap("""\
## Voorstel van het bestuur

Instemmen met het onderhandelingsresultaat voor de Cao Gemeenten 2027: een loonsverhoging van
4,0 procent per 1 januari 2027, een eenmalige uitkering van 750 euro bij een voltijdaanstelling
en afspraken over duurzame inzetbaarheid en hybride werken.

## Gewijzigd voorstel

Instemmen met het onderhandelingsresultaat, met dien verstande dat de loonsverhoging in twee
stappen wordt toegekend: 2,5 procent per 1 januari 2027 en 1,5 procent per 1 juli 2027.
""")
CAO_ALTERNATIVES = (
    "Voor het voorstel van het bestuur",
    "Voor het gewijzigde voorstel",
    "Tegen beide",
)


# --- loading ------------------------------------------------------------------------


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=AMS)


MEETING_DAY = date(2026, 12, 10)
CAO_OPENS = _at(date(2026, 11, 16), 9)
CAO_CLOSES = _at(date(2026, 12, 7), 17)


class _Loader:
    def __init__(self, stdout: TextIO | None) -> None:
        self.stdout = stdout
        self.rng = random.Random(SEED + 1)
        self.members = demo_members()
        self.cast = _cast(self.members)
        self.people = _people(self.cast)
        self.associations: dict[str, Association] = {}
        self.users: dict[str, User] = {}
        self.db_members: dict[str, Member] = {}  # VVVG members by code
        self.voters: dict[str, User] = {}  # member code -> the user who votes for it
        self.hidden: dict[str, User] = {}  # member code -> its hidden demo voter

    def say(self, text: str) -> None:
        if self.stdout is not None:
            self.stdout.write(text + "\n")

    def run(self) -> None:
        self.build_associations()
        self.build_people()
        self.build_meeting()
        self.build_consultation()
        self.build_department_meeting()

    # associations, members, networks, weights

    def build_associations(self) -> None:
        vvvg = assoc.do_create_association(actor=None, name=NAME, slug=SLUG, short_name=SHORT_NAME)
        vzvg = assoc.do_create_association(
            actor=None, name=DEPARTMENT_NAME, slug=DEPARTMENT_SLUG,
            short_name=DEPARTMENT_SHORT_NAME,
        )  # fmt: skip
        self.associations = {SLUG: vvvg, DEPARTMENT_SLUG: vzvg}
        assoc.do_import_members(
            actor=None, association=vvvg, data=register_csv(self.members),
            reference_date=REFERENCE_DATE,
        )  # fmt: skip
        zeeland = [m for m in self.members if m.province == DEPARTMENT_PROVINCE]
        assoc.do_import_members(
            actor=None, association=vzvg, data=register_csv(zeeland),
            reference_date=REFERENCE_DATE,
        )  # fmt: skip
        self.say(f"{len(self.members)} + {len(zeeland)} members imported")

        self.db_members = {m.code: m for m in vvvg.members.all()}
        for m in self.members:
            if m.networks:
                assoc.do_set_networks(actor=None, member=self.db_members[m.code], codes=m.networks)
        assoc.do_set_weight_rule(
            actor=None,
            association=vvvg,
            valid_from=RULE_VALID_FROM,
            kind=core_weights.RuleKind.BRACKETS,
            brackets=core_weights.EXAMPLE_BRACKETS,
            label=RULE_LABEL,
            is_example=True,
        )
        assoc.do_set_weight_rule(
            actor=None,
            association=vzvg,
            valid_from=RULE_VALID_FROM,
            kind=core_weights.RuleKind.PROPORTIONAL,
            per_inhabitants=Decimal(1000),
            decimals=2,
            label="Evenredig: één stem per 1.000 inwoners (voorbeeld, geen echte statuten)",
            is_example=True,
        )

    # people

    def build_people(self) -> None:
        # One hash for every demo account: Argon2 is slow on purpose, and these
        # accounts share one published password anyway.
        encoded = make_password(PASSWORD)
        for person in self.people:
            user, _ = User.objects.update_or_create(
                username=person.username,
                defaults={
                    "first_name": person.first_name,
                    "last_name": person.last_name,
                    "email": f"{person.username}@voorbeeld.invalid",
                    "password": encoded,
                },
            )
            self.users[person.username] = user
            for spec in person.roles:
                association = self.associations[spec.association]
                member = (
                    association.members.get(code=spec.member_code) if spec.member_code else None
                )
                assoc.do_assign_role(
                    actor=None, user=user, association=association, kind=spec.kind,
                    member=member, function=spec.function,
                )  # fmt: skip
                if spec.association == SLUG and member is not None:
                    self.voters.setdefault(member.code, user)
        self._build_hidden_voters()
        self.say(f"{len(self.people)} demo accounts, {len(self.hidden)} hidden voters")

    def _build_hidden_voters(self) -> None:
        """One inactive helper account per member without a demo representative.

        They exist so that a few hundred members can vote in the demo polls.
        They cannot log in (inactive, unusable password). Bulk-created: the
        services create people one at a time, which is too slow for 336.
        """
        vvvg = self.associations[SLUG]
        codes = [m.code for m in self.members if m.code not in self.voters]
        usernames = {f"stem-{code.lower()}": code for code in codes}
        existing = set(
            User.objects.filter(username__in=usernames).values_list("username", flat=True)
        )
        unusable = make_password(None)
        User.objects.bulk_create(
            User(
                username=username,
                first_name="Demostemmer",
                last_name=usernames[username],
                password=unusable,
                is_active=False,
            )
            for username in usernames
            if username not in existing
        )
        users = {u.username: u for u in User.objects.filter(username__in=usernames)}
        Role.objects.bulk_create(
            Role(
                user=users[username],
                association=vvvg,
                kind=Role.Kind.REPRESENTATIVE,
                member=self.db_members[code],
                function=Role.Function.SECRETARY,
            )
            for username, code in usernames.items()
        )
        record("demo.voters_created", association=vvvg, count=len(usernames))
        self.hidden = {code: users[username] for username, code in usernames.items()}
        self.voters.update(self.hidden)

    def user(self, member: DemoMember) -> User:
        return self.users[f"{FUNCTION_WORD[self._function_of(member)]}-{member.slug}"]

    def _function_of(self, member: DemoMember) -> str:
        for person in self.people:
            for spec in person.roles:
                if spec.association == SLUG and spec.member_code == member.code:
                    return spec.function
        raise KeyError(member.code)

    # the Najaars-ALV

    def build_meeting(self) -> None:
        vvvg = self.associations[SLUG]
        secretariat = self.users["secretariaat"]
        chair = self.users["voorzitter"]
        board = self.users["bestuur"]
        cast = self.cast
        meeting = meetings.do_create_meeting(
            actor=secretariat,
            association=vvvg,
            kind=Meeting.Kind.ALV,
            title="Najaars-ALV 2026",
            starts_at=_at(MEETING_DAY, 10),
            ends_at=_at(MEETING_DAY, 16, 30),
            location="Jaarbeurs, Utrecht",
            is_digital=True,
            convocation_date=date(2026, 11, 12),
        )
        # The standard agenda, item by item, so that item 07 carries the
        # resolution's own title, requested decision and explanation (there is
        # no service to retitle an item that standard_agenda=True created).
        items = {}
        for standard in meetings.STANDARD_AGENDA:
            if standard.number == "07":
                title, decision, explanation = (
                    RESOLUTION_TITLE, RESOLUTION_DECISION, RESOLUTION_EXPLANATION,
                )  # fmt: skip
            else:
                title, decision = standard.title, standard.requested_decision
                explanation = AGENDA_EXPLANATIONS.get(standard.number, "")
            items[standard.number] = meetings.do_add_agenda_item(
                actor=secretariat, meeting=meeting, number=standard.number, title=title,
                requested_decision=decision, explanation=explanation,
            )  # fmt: skip
        proposal = proposals.do_set_proposal(
            actor=secretariat, agenda_item=items["07"], title=RESOLUTION_TITLE,
            text=RESOLUTION_TEXT,
        )  # fmt: skip
        meetings.do_set_meeting_status(
            actor=secretariat, meeting=meeting, status=Meeting.Status.CONVENED
        )

        m = self.db_members
        housing = proposals.do_submit_amendment(
            actor=self.user(cast.city),
            proposal=proposal,
            passage="Wonen en ruimtelijke ordening, tweede alinea",
            old_text="om de afspraak van ten minste 100.000 nieuwe woningen per jaar te "
            "ondersteunen met een meerjarige woningbouwimpuls",
            new_text="om de afspraak van ten minste 100.000 nieuwe woningen per jaar, "
            "waarvan twee derde betaalbaar, te ondersteunen met een meerjarige "
            "woningbouwimpuls die ook de tekorten op sociale huurwoningen dekt",
            explanation="Zonder afspraak over betaalbaarheid bouwen we vooral voor wie al "
            "een plek op de woningmarkt heeft. De impuls moet juist de sociale huur en de "
            "middenhuur vooruithelpen.",
            co_submitters=[m[self.members[7].code], m[cast.mid.code]],
            now=_at(date(2026, 11, 19), 14, 12),
        )
        proposals.do_submit_amendment(
            actor=self.user(cast.rural),
            proposal=proposal,
            passage="Klimaat en energie, tweede alinea",
            old_text="om netbeheerders de middelen te geven om sneller uit te breiden",
            new_text="om netbeheerders de middelen te geven om sneller uit te breiden, met "
            "voorrang voor het landelijk gebied, waar boerenbedrijven en dorpen nu jaren "
            "op een aansluiting wachten",
            explanation="De wachtlijsten voor het stroomnet zijn op het platteland het "
            "langst; de resolutie moet dat benoemen.",
            now=_at(date(2026, 11, 24), 9, 30),
        )
        proposals.do_set_pre_advice(
            actor=board,
            submission=housing,
            advice=PreAdvice.MEETING_DECIDES,
            reason="Het amendement past bij de inzet van de vereniging op betaalbaar wonen, "
            "maar legt een verhouding vast die niet in alle regio's haalbaar is. Het bestuur "
            "laat het oordeel aan de vergadering.",
        )

        youth = proposals.do_submit_motion(
            actor=self.user(cast.largest),
            meeting=meeting,
            agenda_item=items["07"],
            title="Meerjarige zekerheid voor de jeugdzorg",
            considerations="- gemeenten sinds de decentralisatie van 2015 structureel meer "
            "uitgeven aan jeugdzorg dan zij ervoor ontvangen;\n"
            "- kortlopende afspraken het voor gemeenten onmogelijk maken om met "
            "zorgaanbieders meerjarige contracten te sluiten;\n"
            "- kinderen en gezinnen de dupe zijn van wachtlijsten en wisselende "
            "hulpverleners.",
            request="in de gesprekken met het nieuwe kabinet te bepleiten dat de middelen "
            "voor jeugdzorg voor ten minste vijf jaar vast worden gelegd en jaarlijks worden "
            "geïndexeerd met de werkelijke kostenontwikkeling, en de leden over de voortgang "
            "te informeren.",
            co_submitters=[m[self.members[1].code], m[self.members[12].code]],
            now=_at(date(2026, 11, 20), 10),
        )
        small = proposals.do_submit_motion(
            actor=self.user(cast.smallest),
            meeting=meeting,
            title="Ondersteuning van kleine gemeenten bij nieuwe taken",
            considerations="- kleine gemeenten nieuwe wettelijke taken met een zeer kleine "
            "ambtelijke organisatie moeten uitvoeren;\n"
            "- de vaste kosten van een nieuwe taak voor een kleine gemeente even hoog zijn "
            "als voor een grote.",
            request="een ondersteuningsprogramma voor kleine gemeenten in te richten, met "
            "modellen, gedeelde expertise en een vaste contactpersoon per nieuwe taak.",
            now=_at(date(2026, 11, 23), 16, 45),
        )
        environment = proposals.do_submit_motion(
            actor=self.user(cast.mid),
            meeting=meeting,
            agenda_item=items["08"],
            title="Motie over de uitvoeringskosten van de Omgevingswet niet afdoen",
            considerations="- het bestuur voorstelt de motie over de uitvoeringskosten van "
            "de Omgevingswet als afgedaan te beschouwen;\n"
            "- het onderzoek naar die kosten nog niet is afgerond en gemeenten nog geen "
            "compensatie hebben ontvangen.",
            request="de motie over de uitvoeringskosten van de Omgevingswet aan te houden "
            "tot het Rijk de kosten heeft gecompenseerd, en daarover in de Voorjaars-ALV "
            "2027 te rapporteren.",
            now=_at(date(2026, 11, 25), 11, 5),
        )
        for motion, advice, reason in (
            (
                youth,
                PreAdvice.MEETING_DECIDES,
                "De motie sluit aan bij de resolutie; over de termijn van vijf jaar "
                "verschillen de opvattingen in de netwerken. Oordeel vergadering.",
            ),
            (
                small,
                PreAdvice.ADOPT,
                "Het bestuur neemt de motie over: het ondersteuningsprogramma past in het "
                "werkplan 2027 en kan binnen de begroting worden uitgevoerd.",
            ),
            (
                environment,
                PreAdvice.ADVISE_AGAINST,
                "De afspraken over de compensatie zijn gemaakt; de uitvoering wordt gevolgd "
                "via de reguliere voortgangsrapportage. Aanhouden van de motie voegt daar "
                "niets aan toe.",
            ),
        ):
            proposals.do_set_pre_advice(
                actor=board, submission=motion, advice=advice, reason=reason
            )
        self.say("meeting, agenda, resolution, 2 amendments, 3 motions")

        # The meeting in session: acclamations, a decided vote, a vote still open.
        voting.do_record_acclamation(
            actor=chair, meeting=meeting, agenda_item=items["03"],
            subject="Notulencommissie benoemd",
            text="De vergadering benoemt de notulencommissie bij acclamatie.",
            now=_at(MEETING_DAY, 10, 8),
        )  # fmt: skip
        voting.do_record_acclamation(
            actor=chair, meeting=meeting, agenda_item=items["04"],
            subject="Notulen vorige vergadering vastgesteld",
            text="De notulen van de Voorjaars-ALV van 11 juni 2026 zijn bij acclamatie "
            "vastgesteld.",
            now=_at(MEETING_DAY, 10, 12),
        )  # fmt: skip

        poll = voting.do_create_poll(
            actor=chair, meeting=meeting, subject=Poll.Subject.AMENDMENT, amendment=housing,
            question="Stemt u in met het amendement over betaalbare woningbouw?",
        )  # fmt: skip
        voting.do_open_poll(actor=chair, poll=poll, now=_at(MEETING_DAY, 10, 41))
        voters = self._closed_poll_voters()
        self._vote(poll, voters, _at(MEETING_DAY, 10, 42), self._housing_choice)
        voting.do_close_poll(actor=chair, poll=poll, now=_at(MEETING_DAY, 10, 55))

        poll = voting.do_create_poll(
            actor=chair, meeting=meeting, subject=Poll.Subject.MOTION, motion=youth,
            question="Stemt u in met de motie over meerjarige zekerheid voor de jeugdzorg?",
        )  # fmt: skip
        voting.do_open_poll(actor=chair, poll=poll, now=_at(MEETING_DAY, 11, 20))
        # Only hidden voters: the demo representatives can still vote here.
        voters = self.rng.sample(sorted(self.hidden), 120)
        self._vote(poll, voters, _at(MEETING_DAY, 11, 21), self._youth_choice)
        self.say("2 acclamations, 1 closed poll, 1 open poll")

    def _closed_poll_voters(self) -> list[str]:
        """300 of 342 members: the G4, the demo representatives' members, and others."""
        must = {m.code for m in self.members[:4]} | {m.code for m in self.cast.all}
        rest = sorted(code for code in self.voters if code not in must)
        return sorted(must) + self.rng.sample(rest, 300 - len(must))

    def _vote(
        self,
        poll: Poll,
        codes: list[str],
        start: datetime,
        choose: Callable[[DemoMember], str],
        spread: timedelta = timedelta(minutes=10),
    ) -> None:
        by_code = {m.code: m for m in self.members}
        step = spread / max(1, len(codes))
        for i, code in enumerate(codes):
            voting.cast_ballot(
                actor=self.voters[code],
                poll=poll,
                option_key=choose(by_code[code]),
                now=start + step * i,
            )

    def _pick(self, weights: dict[str, float]) -> str:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def _housing_choice(self, member: DemoMember) -> str:
        # The cities want affordable housing written down; rural members less so.
        if member.code == self.cast.rural.code:
            return "against"
        if member.code in {m.code for m in self.cast.all}:
            return "for"
        if "G4" in member.networks:
            return "against" if member.name == G4[3][0] else "for"
        if "G40" in member.networks:
            return self._pick({"for": 0.8, "against": 0.15, "abstain": 0.05})
        if "P10" in member.networks:
            return self._pick({"for": 0.35, "against": 0.55, "abstain": 0.10})
        return self._pick({"for": 0.6, "against": 0.32, "abstain": 0.08})

    def _youth_choice(self, member: DemoMember) -> str:
        if "G4" in member.networks or "G40" in member.networks:
            return self._pick({"for": 0.7, "against": 0.25, "abstain": 0.05})
        return self._pick({"for": 0.5, "against": 0.42, "abstain": 0.08})

    # the written consultation

    def build_consultation(self) -> None:
        vvvg = self.associations[SLUG]
        secretariat = self.users["secretariaat"]
        chair = self.users["voorzitter"]
        meeting = meetings.do_create_meeting(
            actor=secretariat,
            association=vvvg,
            kind=Meeting.Kind.WRITTEN,
            title="Ledenraadpleging Cao gemeenten 2027",
            starts_at=CAO_OPENS,
            ends_at=CAO_CLOSES,
            is_digital=True,
            convocation_date=date(2026, 11, 9),
        )
        item = meetings.do_add_agenda_item(
            actor=secretariat, meeting=meeting, number="01",
            title="Onderhandelingsresultaat Cao Gemeenten 2027",
            requested_decision="Kiezen tussen het voorstel van het bestuur, het gewijzigde "
            "voorstel of geen van beide.",
            explanation=CAO_EXPLANATION,
        )  # fmt: skip
        proposals.do_set_proposal(
            actor=secretariat, agenda_item=item, title="Cao Gemeenten 2027", text=CAO_PROPOSAL
        )
        # The poll must still be open whenever the demo is started: it closes at
        # the end of the voting window, or two weeks from now if that is later.
        closes_at = max(CAO_CLOSES, timezone.now() + timedelta(days=14))
        poll = voting.do_create_poll(
            actor=chair, meeting=meeting, subject=Poll.Subject.FREE, agenda_item=item,
            title="Ledenraadpleging Cao Gemeenten 2027",
            question="Welk voorstel steunt uw gemeente?",
            alternatives=CAO_ALTERNATIVES, with_abstain=False, closes_at=closes_at,
        )  # fmt: skip
        voting.do_open_poll(actor=chair, poll=poll, now=CAO_OPENS)
        voters = self.rng.sample(sorted(self.hidden), 170)
        self._vote(
            poll,
            voters,
            CAO_OPENS + timedelta(minutes=5),
            lambda _m: self._pick({"option-1": 0.62, "option-2": 0.34, "option-3": 0.04}),
            spread=timedelta(days=9),
        )
        self.say("written consultation with an open poll")

    def build_department_meeting(self) -> None:
        vzvg = self.associations[DEPARTMENT_SLUG]
        meetings.do_create_meeting(
            actor=self.users["secretariaat"],
            association=vzvg,
            kind=Meeting.Kind.ALV,
            title="Voorjaars-ALV 2027 VZVG",
            starts_at=_at(date(2027, 3, 18), 14),
            ends_at=_at(date(2027, 3, 18), 17),
            location="Middelburg",
            standard_agenda=True,
        )


def load_demo(*, stdout: TextIO | None = None) -> list[DemoAccount]:
    """Load the demo data once; return the demo accounts (also if it was there already).

    ``stdout``, when given, receives a line per step.
    """
    if Association.objects.filter(slug=SLUG).exists():
        return demo_accounts()
    with transaction.atomic():
        _Loader(stdout).run()
        # Earlier meetings' motions and their follow-up (commitments, a report).
        from besluit.demo.accountability import load_accountability_demo

        load_accountability_demo(Association.objects.get(slug=SLUG))
    return demo_accounts()
