"""Demo data for accountability: two earlier meetings, their motions followed up, a report.

``load_accountability_demo(association)`` builds, through the services:

- the Najaars-ALV 2025 (11 December 2025) and the Voorjaars-ALV 2026 (11 June 2026),
  closed, with motions decided by vote, by acclamation, on the pre-advice (taken over
  by the board) and one split into parts decided differently; the spring meeting also
  adopted a resolution whose three demands the secretariat marked;
- the commitments that followed, in every status: new, in progress, held over, done,
  not feasible and overdue, with owners, themes, due dates, milestones and dated updates;
- the accountability report the spring meeting decided (by acclamation), and the report
  on the agenda of the Najaars-ALV 2026 (item 08), published twice: a text updated
  before the meeting.

It expects the demo association of ``besluit.demo.data`` (its members, weight rule,
the accounts "secretariaat", "voorzitter" and "bestuur", and the Najaars-ALV 2026
with its standard agenda). It is idempotent: it does nothing when the Najaars-ALV 2025
exists.

Times. Every service that takes ``now`` gets the date the step happened. A few
services have no ``now`` (pre-advice, recording an outcome without a poll, closing a
meeting); ``_clock`` lets them see the demo's date so that the timelines read in order.
The content is Dutch: the association's own words. All of it is fictional.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

from django.db import transaction

from besluit.accountability import services as acc
from besluit.accountability import services_reports as reports
from besluit.accountability.models import Commitment, ReportEntry
from besluit.accounts.models import User
from besluit.associations.models import Association, Member, Role
from besluit.meetings import services as meetings
from besluit.meetings.models import Meeting
from besluit.proposals import services as proposals
from besluit.proposals.models import Motion, PreAdvice
from besluit.voting import services as voting
from besluit.voting.models import Poll

AMS = ZoneInfo("Europe/Amsterdam")
SEED = 20251211
AUTUMN_2025 = "Najaars-ALV 2025"
SPRING_2026 = "Voorjaars-ALV 2026"
AUTUMN_2026 = "Najaars-ALV 2026"
Status = Commitment.Status
P = ReportEntry.Proposal


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=AMS)


@contextmanager
def _clock(at: datetime) -> Iterator[None]:
    """For services without a ``now`` parameter: they read django.utils.timezone.now."""
    with mock.patch("django.utils.timezone.now", return_value=at):
        yield


RESOLUTION_TEXT = """\
De Voorjaarsnota 2026 bevestigt wat gemeenten al langer zien: de uitgaven aan zorg, jeugd \
en uitvoering stijgen sneller dan de inkomsten uit het gemeentefonds. Met deze resolutie \
geven de leden het bestuur een duidelijke inzet mee voor de gesprekken met het kabinet.

## Financiële verhoudingen

De leden vragen het kabinet:

1. schaf de opschalingskorting definitief af, ook voor de jaren na 2026;
2. herstel de groei van het gemeentefonds vanaf 2026 door de normeringssystematiek weer \
volledig toe te passen.

## Uitvoering

3. laat elk nieuw wetsvoorstel dat gemeenten raakt vooraf toetsen op uitvoerbaarheid en \
kosten, met een onafhankelijke uitvoeringstoets.

## Besluit

De Algemene Ledenvergadering stelt deze resolutie vast en draagt het bestuur op de leden \
op de Najaars-ALV 2026 te laten weten wat de inzet heeft opgeleverd.
"""

DEMANDS = (
    (
        "De opschalingskorting definitief afschaffen",
        "schaf de opschalingskorting definitief af, ook voor de jaren na 2026",
    ),
    (
        "De groei van het gemeentefonds vanaf 2026 herstellen",
        "herstel de groei van het gemeentefonds vanaf 2026 door de normeringssystematiek weer "
        "volledig toe te passen",
    ),
    (
        "Een uitvoeringstoets voor nieuwe wetten",
        "laat elk nieuw wetsvoorstel dat gemeenten raakt vooraf toetsen op uitvoerbaarheid en "
        "kosten, met een onafhankelijke uitvoeringstoets",
    ),
)


class _Loader:
    def __init__(self, association: Association) -> None:
        self.association = association
        self.rng = random.Random(SEED)
        self.secretariat = User.objects.get(username="secretariaat")
        self.chair = User.objects.get(username="voorzitter")
        self.board = User.objects.get(username="bestuur")
        roles = Role.objects.filter(association=association, kind=Role.Kind.REPRESENTATIVE)
        # Voters: one person per member (the demo's hidden voters and its representatives).
        self.voters: dict[str, User] = {}
        for role in roles.select_related("user", "member").order_by("user__username"):
            self.voters.setdefault(role.member.code, role.user)
        # Submitters: the demo representatives who can log in, one per member.
        self.submitters: list[tuple[Member, User]] = []
        seen = set()
        for role in (
            roles.filter(user__is_active=True)
            .select_related("user", "member")
            .order_by("member__name", "user__username")
        ):
            if role.member_id not in seen:
                seen.add(role.member_id)
                self.submitters.append((role.member, role.user))
        self.members = list(association.members.order_by("name"))
        self.g4 = list(association.members.filter(networks__code="G4").order_by("name"))

    def run(self) -> None:
        self.build_themes()
        autumn = self.build_autumn_2025()
        spring = self.build_spring_2026(autumn)
        self.follow_up(autumn, spring)
        self.build_autumn_2026_report()

    # --- helpers -----------------------------------------------------------------------

    def submitter(self, i: int) -> tuple[Member, User]:
        return self.submitters[i % len(self.submitters)]

    def meeting(self, title: str, day: date) -> Meeting:
        meeting = meetings.do_create_meeting(
            actor=self.secretariat,
            association=self.association,
            kind=Meeting.Kind.ALV,
            title=title,
            starts_at=_at(day, 10),
            ends_at=_at(day, 16, 30),
            location="Jaarbeurs, Utrecht",
            is_digital=True,
            convocation_date=day - timedelta(days=28),
            standard_agenda=True,
        )
        with _clock(_at(day - timedelta(days=28), 9)):
            meetings.do_set_meeting_status(
                actor=self.secretariat, meeting=meeting, status=Meeting.Status.CONVENED
            )
        return meeting

    def motion(self, meeting, i, title, considerations, request, submitted, co=(), item=None):
        member, user = self.submitter(i)
        return proposals.do_submit_motion(
            actor=user,
            meeting=meeting,
            title=title,
            considerations=considerations,
            request=request,
            co_submitters=[m for m in co if m != member],
            agenda_item=meeting.agenda_items.get(number=item) if item else None,
            now=submitted,
        )

    def advise(self, motion: Motion, advice: str, reason: str, at: datetime) -> None:
        with _clock(at):
            proposals.do_set_pre_advice(
                actor=self.board, submission=motion, advice=advice, reason=reason
            )

    def vote(self, poll: Poll, start: datetime, weights: dict[str, float], n: int = 60) -> Poll:
        """``n`` members vote (kept small: every ballot goes through the real service)."""
        voting.do_open_poll(actor=self.chair, poll=poll, now=start)
        codes = self.rng.sample(sorted(self.voters), n)
        keys, w = list(weights), list(weights.values())
        for k, code in enumerate(codes):
            voting.cast_ballot(
                actor=self.voters[code],
                poll=poll,
                option_key=self.rng.choices(keys, weights=w)[0],
                now=start + timedelta(seconds=5 * k + 5),
            )
        closes = start + timedelta(seconds=5 * n + 60)
        # A split motion's last part sets the motion's outcome, through a service without `now`.
        with _clock(closes):
            return voting.do_close_poll(actor=self.chair, poll=poll, now=closes)

    def vote_motion(self, motion: Motion, start: datetime, weights=None) -> Poll:
        poll = voting.do_create_poll(
            actor=self.chair, meeting=motion.meeting, subject=Poll.Subject.MOTION, motion=motion
        )
        return self.vote(poll, start, weights or {"for": 0.82, "against": 0.13, "abstain": 0.05})

    def assign(self, c: Commitment, at: datetime, *, theme, committee, owner=None, due=None,
               status=None, interval=90, note="") -> Commitment:  # fmt: skip
        c.refresh_from_db()
        return acc.do_update_commitment(
            actor=self.secretariat,
            commitment=c,
            title=c.title,
            theme=self.themes[theme],
            owner_committee=self.committees[committee],
            owner_user=owner,
            due_date=due or c.due_date,
            update_interval_days=interval,
            status=status or c.status,
            note=note,
            now=at,
        )

    def update(self, c: Commitment, at: datetime, done: str, planned: str = "", **kwargs):
        return acc.do_post_update(
            actor=self.board, commitment=c, done=done, planned=planned, now=at, **kwargs
        )

    # --- themes and committees ------------------------------------------------------------

    def build_themes(self) -> None:
        self.themes = {
            name: acc.do_create_theme(
                actor=self.secretariat, association=self.association, name=name
            )
            for name in (
                "Financiële verhoudingen",
                "Sociaal domein",
                "Klimaat en energie",
                "Wonen en ruimte",
                "Digitalisering",
            )
        }
        self.committees = {
            key: acc.do_create_committee(
                actor=self.secretariat, association=self.association, name=name, email=email
            )
            for key, name, email in (
                ("fin", "Bestuurscommissie Financiën", "financien@voorbeeld.invalid"),
                ("soc", "Bestuurscommissie Zorg, Jeugd en Onderwijs", "sociaal@voorbeeld.invalid"),
                ("kr", "Bestuurscommissie Klimaat, Energie en Ruimte", "ruimte@voorbeeld.invalid"),
                ("dig", "Bestuurscommissie Dienstverlening en Informatiebeleid", ""),
            )
        }

    # --- Najaars-ALV 2025 ----------------------------------------------------------------------

    def build_autumn_2025(self) -> dict:
        day = date(2025, 12, 11)
        meeting = self.meeting(AUTUMN_2025, day)
        m = {}
        m["omgevingswet"] = self.motion(
            meeting, 3, "Compensatie van de uitvoeringskosten van de Omgevingswet",
            "- gemeenten sinds de invoering van de Omgevingswet hogere uitvoeringskosten "
            "hebben dan in het financieel akkoord is aangenomen;\n"
            "- het onderzoek naar die kosten nog loopt.",
            "bij het Rijk aan te dringen op volledige compensatie van de uitvoeringskosten van "
            "de Omgevingswet en de leden te informeren over de uitkomst van het onderzoek.",
            _at(date(2025, 11, 20), 10, 15), co=[self.members[40]], item="08",
        )  # fmt: skip
        m["schulden"] = self.motion(
            meeting, 5, "Vroegsignalering van schulden in kleine gemeenten",
            "- de vroegsignalering van schulden een wettelijke taak is;\n"
            "- kleine gemeenten die taak met weinig mensen uitvoeren.",
            "met het Rijk en de vaste-lastenpartners afspraken te maken over een gezamenlijke "
            "aanpak van vroegsignalering die ook voor kleine gemeenten werkt.",
            _at(date(2025, 11, 21), 14, 2),
        )  # fmt: skip
        m["energie"] = self.motion(
            meeting, 1, "Ruimte voor energieopslag bij netcongestie",
            "- wachtlijsten voor het stroomnet de bouw van woningen en scholen vertragen;\n"
            "- buurtbatterijen en opslag op bedrijventerreinen het net kunnen ontlasten.",
            "a) bij netbeheerders en het Rijk aan te dringen op voorrang voor maatschappelijke "
            "aansluitingen (scholen, zorg, woningbouw) bij netcongestie;\n\n"
            "b) een landelijk fonds voor buurtbatterijen te bepleiten.",
            _at(date(2025, 11, 24), 9, 40), co=self.g4[:2], item="07",
        )  # fmt: skip
        m["cyber"] = self.motion(
            meeting, 4, "Gezamenlijke inkoop van cybersecuritydiensten",
            "- kleine gemeenten moeilijk specialisten op het gebied van informatiebeveiliging "
            "kunnen aantrekken.",
            "te onderzoeken of de vereniging cybersecuritydiensten gezamenlijk kan inkopen voor "
            "de leden die dat willen.",
            _at(date(2025, 11, 25), 16, 30),
        )  # fmt: skip
        advice = {
            "omgevingswet": (PreAdvice.MEETING_DECIDES, "Het bestuur laat het oordeel aan de "
                             "vergadering; het onderzoek naar de kosten loopt."),
            "schulden": (PreAdvice.MEETING_DECIDES, "Past bij de inzet op bestaanszekerheid."),
            "energie": (PreAdvice.MEETING_DECIDES, "Het bestuur steunt het eerste deel; over het "
                        "fonds verschillen de opvattingen. Oordeel vergadering."),
            "cyber": (PreAdvice.ADOPT, "Het bestuur neemt de motie over en laat het onderzoek "
                      "uitvoeren."),
        }  # fmt: skip
        for key, (value, reason) in advice.items():
            self.advise(m[key], value, reason, _at(date(2025, 12, 1), 11))

        self.vote_motion(m["omgevingswet"], _at(day, 11, 5))
        at = _at(day, 11, 30)
        with _clock(at):
            voting.do_record_acclamation(
                actor=self.chair, meeting=meeting, motion=m["schulden"],
                subject=f"{m['schulden'].display_title}: {m['schulden'].title}", now=at,
            )  # fmt: skip
        a, b = acc.do_split_motion(
            actor=self.chair,
            motion=m["energie"],
            parts=acc.parse_parts(m["energie"].request),
        )
        self.vote(acc.do_create_part_poll(actor=self.chair, part=a), _at(day, 13, 45),
                  {"for": 0.85, "against": 0.1, "abstain": 0.05})  # fmt: skip
        self.vote(acc.do_create_part_poll(actor=self.chair, part=b), _at(day, 14, 0),
                  {"for": 0.25, "against": 0.7, "abstain": 0.05})  # fmt: skip
        poll = voting.do_create_poll(
            actor=self.chair, meeting=meeting, subject=Poll.Subject.PRE_ADVICE, motion=m["cyber"]
        )
        self.vote(poll, _at(day, 14, 20), {"for": 0.9, "against": 0.06, "abstain": 0.04})
        self.close(meeting, _at(day, 16, 30))
        return {"meeting": meeting, **m}

    def close(self, meeting: Meeting, at: datetime) -> None:
        with _clock(at):
            meetings.do_set_meeting_status(
                actor=self.secretariat, meeting=meeting, status=Meeting.Status.CLOSED
            )

    # --- Voorjaars-ALV 2026 ----------------------------------------------------------------------

    def build_spring_2026(self, autumn: dict) -> dict:
        day = date(2026, 6, 11)
        meeting = self.meeting(SPRING_2026, day)
        m = {"meeting": meeting}
        m["jeugd"] = self.motion(
            meeting, 0, "Wachtlijsten in de jeugdzorg terugdringen",
            "- kinderen maanden wachten op specialistische jeugdhulp;\n"
            "- regio's die samen inkopen de wachttijden wel omlaag krijgen.",
            "samen met de regio's een aanpak van de wachtlijsten op te stellen, de goede "
            "voorbeelden te verspreiden en de leden halfjaarlijks te informeren.",
            _at(date(2026, 5, 20), 11), co=self.g4[2:4], item="07",
        )  # fmt: skip
        m["statushouders"] = self.motion(
            meeting, 3, "Meerjarige afspraken over de huisvesting van statushouders",
            "- de taakstelling voor de huisvesting van statushouders elk halfjaar wisselt.",
            "met het Rijk meerjarige afspraken te maken over de taakstelling en de financiering "
            "van de huisvesting van statushouders.",
            _at(date(2026, 5, 21), 15, 20),
        )  # fmt: skip
        m["personeel"] = self.motion(
            meeting, 5, "Personeelstekorten in het sociaal domein",
            "- gemeenten vacatures voor consulenten Wmo en jeugd niet vervuld krijgen.",
            "met de VNG Academie en de opleidingen een arbeidsmarktaanpak voor het sociaal "
            "domein op te zetten.",
            _at(date(2026, 5, 22), 9, 5), co=[self.members[100]],
        )  # fmt: skip
        self.advise(m["jeugd"], PreAdvice.MEETING_DECIDES, "Oordeel vergadering.",
                    _at(date(2026, 6, 1), 10))  # fmt: skip
        self.advise(m["statushouders"], PreAdvice.MEETING_DECIDES, "Oordeel vergadering.",
                    _at(date(2026, 6, 1), 10))  # fmt: skip
        self.advise(m["personeel"], PreAdvice.ADOPT, "Past in het werkplan.",
                    _at(date(2026, 6, 1), 10))  # fmt: skip

        # The resolution, with its demands marked by the secretariat before the vote.
        item = meeting.agenda_items.get(number="07")
        proposal = proposals.do_set_proposal(
            actor=self.secretariat,
            agenda_item=item,
            title="Resolutie 'Gemeenten en de Voorjaarsnota 2026'",
            text=RESOLUTION_TEXT,
        )
        for title, quote in DEMANDS:
            acc.do_mark_demand(
                actor=self.secretariat, proposal=proposal, title=title, quote=quote,
                now=_at(date(2026, 5, 29), 12),
            )  # fmt: skip
        poll = voting.do_create_poll(
            actor=self.chair, meeting=meeting, subject=Poll.Subject.PROPOSAL, proposal=proposal
        )
        self.vote(poll, _at(day, 11, 10), {"for": 0.9, "against": 0.07, "abstain": 0.03})
        self.vote_motion(m["jeugd"], _at(day, 11, 40))
        for key, minute in (("statushouders", 5), ("personeel", 10)):
            at = _at(day, 12, minute)
            with _clock(at):
                voting.do_record_acclamation(
                    actor=self.chair, meeting=meeting, motion=m[key],
                    subject=f"{m[key].display_title}: {m[key].title}", now=at,
                )  # fmt: skip
        m["resolution"] = proposal

        # The board's report on the motions of the autumn meeting, decided by acclamation.
        self.follow_up_until_spring(autumn)
        self.spring_report(autumn, meeting)
        self.close(meeting, _at(day, 16, 30))
        return m

    def commitment(self, motion: Motion, part_label: str | None = None) -> Commitment:
        qs = Commitment.objects.filter(motion=motion)
        if part_label:
            qs = qs.filter(part__label=part_label)
        return qs.get()

    def follow_up_until_spring(self, autumn: dict) -> None:
        omgevingswet = self.commitment(autumn["omgevingswet"])
        schulden = self.commitment(autumn["schulden"])
        energie = self.commitment(autumn["energie"], "deel a")
        cyber = self.commitment(autumn["cyber"])
        d = date(2026, 1, 12)
        self.assign(omgevingswet, _at(d, 10), theme="Financiële verhoudingen", committee="fin",
                    owner=self.board, due=date(2026, 12, 31))  # fmt: skip
        self.assign(schulden, _at(d, 10, 5), theme="Sociaal domein", committee="soc",
                    due=date(2026, 6, 30))  # fmt: skip
        self.assign(energie, _at(d, 10, 10), theme="Klimaat en energie", committee="kr",
                    owner=self.board, due=date(2026, 10, 1), interval=60)  # fmt: skip
        self.assign(cyber, _at(d, 10, 15), theme="Digitalisering", committee="dig",
                    owner=self.board, due=date(2026, 9, 30))  # fmt: skip

        self.update(
            omgevingswet, _at(date(2026, 2, 16), 9),
            "Bestuurlijk overleg met de minister van BZK gevoerd op 2 februari. Het Rijk laat "
            "de uitvoeringskosten onderzoeken door een onafhankelijk bureau.",
            "Zodra het onderzoek klaar is (verwacht: september) volgt nieuw overleg.",
            links="https://voorbeeld.invalid/nieuws/overleg-omgevingswet", progress=30,
        )  # fmt: skip
        self.update(
            schulden, _at(date(2026, 3, 9), 14),
            "Afspraken gemaakt met de energie- en drinkwaterbedrijven en de zorgverzekeraars "
            "over één landelijke aanlevering van signalen; een model voor kleine gemeenten is "
            "gepubliceerd.",
            "", progress=100, status=Status.DONE,
        )  # fmt: skip
        for title, planned in (
            ("Inventarisatie van maatschappelijke aansluitingen in de wachtrij", date(2026, 2, 1)),
            ("Overleg met Netbeheer Nederland en KGG", date(2026, 4, 1)),
            ("Afspraak over voorrangsregels in de codewijziging", date(2026, 7, 1)),
            ("Evaluatie met de leden", date(2026, 9, 15)),
        ):
            acc.do_add_milestone(
                actor=self.board, commitment=energie, title=title, due_date=planned,
                now=_at(date(2026, 1, 20), 9),
            )  # fmt: skip
        for milestone, reached in zip(
            energie.milestones.order_by("position")[:2],
            (date(2026, 2, 3), date(2026, 4, 14)),
            strict=True,
        ):
            acc.do_set_milestone_done(
                actor=self.board, milestone=milestone, done_on=reached, now=_at(reached, 17)
            )
        self.update(
            energie, _at(date(2026, 4, 14), 17),
            "Met Netbeheer Nederland en het ministerie van KGG afgesproken dat scholen, "
            "zorginstellingen en woningbouw voorrang krijgen in de wachtrij.",
            "De voorrangsregels moeten nog in de netcode worden vastgelegd.",
        )  # fmt: skip
        self.update(
            cyber, _at(date(2026, 3, 2), 11),
            "Marktverkenning gestart met drie aanbieders.",
            "Juridisch advies over de aanbesteding.",
            progress=20,
        )  # fmt: skip

    def spring_report(self, autumn: dict, meeting: Meeting) -> None:
        commitments = [
            self.commitment(autumn["omgevingswet"]),
            self.commitment(autumn["schulden"]),
            self.commitment(autumn["energie"], "deel a"),
        ]
        created = _at(date(2026, 5, 18), 9)
        report = reports.do_create_report(
            actor=self.secretariat, meeting=meeting, commitments=commitments, now=created
        )
        texts = {
            commitments[0].pk: (
                "Bestuurlijk overleg met BZK gevoerd; het Rijk laat de uitvoeringskosten "
                "onafhankelijk onderzoeken.",
                "Nieuw overleg zodra het onderzoek klaar is.",
                P.KEEP_OPEN,
            ),
            commitments[1].pk: (
                "Landelijke afspraken over vroegsignalering gemaakt; een model voor kleine "
                "gemeenten is gepubliceerd.",
                "",
                P.CARRIED_OUT,
            ),
            commitments[2].pk: (
                "Voorrang voor maatschappelijke aansluitingen afgesproken met netbeheerders.",
                "Vastleggen in de netcode; evaluatie met de leden in september.",
                P.KEEP_OPEN,
            ),
        }
        for entry in report.entries.all():
            taken, planned, proposal = texts[entry.commitment_id]
            reports.do_update_entry(
                actor=self.secretariat, entry=entry, actions_taken=taken,
                actions_planned=planned, proposal=proposal, now=created,
            )  # fmt: skip
        reports.do_publish_report(
            actor=self.secretariat, report=report, now=_at(date(2026, 5, 28), 10)
        )
        at = _at(date(2026, 6, 11), 14, 40)
        reports.do_decide_by_acclamation(actor=self.chair, report=report, now=at)

    # --- after the spring meeting -----------------------------------------------------------------

    def follow_up(self, autumn: dict, spring: dict) -> None:
        d = date(2026, 6, 22)
        jeugd = self.commitment(spring["jeugd"])
        personeel = self.commitment(spring["personeel"])
        demands = list(
            Commitment.objects.filter(demand__proposal=spring["resolution"]).order_by(
                "demand__position"
            )
        )
        self.assign(jeugd, _at(d, 10), theme="Sociaal domein", committee="soc",
                    owner=self.board, due=date(2027, 6, 30))  # fmt: skip
        self.assign(personeel, _at(d, 10, 5), theme="Sociaal domein", committee="soc",
                    owner=self.board, due=date(2027, 3, 31), interval=60)  # fmt: skip
        self.assign(demands[0], _at(d, 10, 10), theme="Financiële verhoudingen",
                    committee="fin", owner=self.board, due=date(2027, 6, 30))  # fmt: skip
        self.assign(demands[1], _at(d, 10, 15), theme="Financiële verhoudingen",
                    committee="fin", due=date(2027, 6, 30))  # fmt: skip
        for title, planned in (
            ("Uitvraag bij de jeugdregio's naar de wachttijden", date(2026, 9, 1)),
            ("Werkconferentie goede voorbeelden", date(2026, 11, 15)),
            ("Landelijke aanpak vastgesteld door het bestuur", date(2027, 3, 1)),
        ):
            acc.do_add_milestone(
                actor=self.board, commitment=jeugd, title=title, due_date=planned,
                now=_at(date(2026, 6, 25), 9),
            )  # fmt: skip
        acc.do_set_milestone_done(
            actor=self.board, milestone=jeugd.milestones.get(position=1),
            done_on=date(2026, 9, 4), now=_at(date(2026, 9, 4), 16),
        )  # fmt: skip
        self.update(
            jeugd, _at(date(2026, 9, 4), 16),
            "Alle 42 jeugdregio's hebben hun wachttijden aangeleverd; in twaalf regio's wacht "
            "meer dan de helft van de kinderen langer dan de norm.",
            "Werkconferentie met de regio's op 12 november.",
            links="https://voorbeeld.invalid/jeugdzorg/wachttijden-2026",
        )  # fmt: skip
        self.update(
            personeel, _at(date(2026, 7, 1), 11),
            "Eerste overleg met de VNG Academie en twee hogescholen.",
            "Opzet van een traineeship voor consulenten.",
            progress=15,
        )  # fmt: skip
        self.update(
            demands[0], _at(date(2026, 9, 18), 9),
            "De inzet is met de minister besproken; in de septembercirculaire is de korting "
            "voor 2027 gehalveerd.",
            "Doorpleiten voor volledige afschaffing bij de begrotingsbehandeling.",
            progress=50,
        )  # fmt: skip

        omgevingswet = self.commitment(autumn["omgevingswet"])
        energie = self.commitment(autumn["energie"], "deel a")
        cyber = self.commitment(autumn["cyber"])
        self.update(
            omgevingswet, _at(date(2026, 10, 5), 10),
            "Het onderzoek bevestigt hogere uitvoeringskosten. Het Rijk compenseert gemeenten "
            "structureel met € 150 miljoen per jaar vanaf 2027 (septembercirculaire 2026).",
            "", progress=100,
            links="https://voorbeeld.invalid/circulaires/september-2026",
        )  # fmt: skip
        self.update(
            energie, _at(date(2026, 8, 20), 15),
            "De codewijziging voor voorrangsregels ligt bij de toezichthouder; de besluitvorming "
            "loopt vertraging op.",
            "Evaluatie met de leden schuift naar het voorjaar.",
        )  # fmt: skip
        self.update(
            cyber, _at(date(2026, 9, 29), 13),
            "Het juridisch advies is negatief: een gezamenlijke inkoop door de vereniging past "
            "niet in het aanbestedingsrecht zonder een aparte inkooporganisatie. De leden kunnen "
            "wel aansluiten bij de bestaande raamovereenkomst van de Informatiebeveiligingsdienst.",
            "", status=Status.NOT_FEASIBLE,
        )  # fmt: skip

    # --- the report on the agenda of the Najaars-ALV 2026 ---------------------------------------

    def build_autumn_2026_report(self) -> None:
        meeting = Meeting.objects.get(association=self.association, title=AUTUMN_2026)
        autumn = Meeting.objects.get(association=self.association, title=AUTUMN_2025)
        spring = Meeting.objects.get(association=self.association, title=SPRING_2026)
        by_title = {
            c.title: c
            for c in Commitment.objects.filter(meeting__in=[autumn, spring]).select_related("part")
        }
        chosen = [
            by_title["Compensatie van de uitvoeringskosten van de Omgevingswet"],
            by_title["De opschalingskorting definitief afschaffen"],
            by_title["Ruimte voor energieopslag bij netcongestie (deel a)"],
            by_title["Gezamenlijke inkoop van cybersecuritydiensten"],
            by_title["Wachtlijsten in de jeugdzorg terugdringen"],
            by_title["Personeelstekorten in het sociaal domein"],
        ]
        created = _at(date(2026, 11, 16), 9)
        report = reports.do_create_report(
            actor=self.secretariat, meeting=meeting, commitments=chosen, now=created
        )
        proposals_ = {
            chosen[0].pk: (
                "Het onafhankelijke onderzoek bevestigt de hogere uitvoeringskosten. Het Rijk "
                "compenseert gemeenten vanaf 2027 structureel met € 150 miljoen per jaar.",
                "",
                P.CARRIED_OUT,
            ),
            chosen[1].pk: (
                "In de septembercirculaire is de opschalingskorting voor 2027 gehalveerd.",
                "Doorpleiten voor volledige afschaffing bij de begrotingsbehandeling.",
                P.KEEP_OPEN,
            ),
            chosen[2].pk: (
                "Voorrang voor maatschappelijke aansluitingen is afgesproken; de vastlegging in "
                "de netcode loopt vertraging op bij de toezichthouder.",
                "Evaluatie met de leden in het voorjaar van 2027.",
                P.KEEP_OPEN,
            ),
            chosen[3].pk: (
                "Gezamenlijke inkoop door de vereniging blijkt juridisch niet mogelijk. Leden "
                "kunnen aansluiten bij de raamovereenkomst van de Informatiebeveiligingsdienst.",
                "",
                P.CARRIED_OUT,
            ),
            chosen[4].pk: (
                "Wachttijden van alle 42 jeugdregio's in beeld gebracht.",
                "Werkconferentie goede voorbeelden; een landelijke aanpak in maart 2027.",
                P.KEEP_OPEN,
            ),
            chosen[5].pk: (
                "Eerste overleg met de VNG Academie en twee hogescholen.",
                "Een traineeship voor consulenten Wmo en jeugd.",
                P.KEEP_OPEN,
            ),
        }
        for entry in report.entries.all():
            taken, planned, proposal = proposals_[entry.commitment_id]
            reports.do_update_entry(
                actor=self.secretariat, entry=entry, actions_taken=taken,
                actions_planned=planned, proposal=proposal, now=created,
            )  # fmt: skip
        reports.do_add_cluster(
            actor=self.secretariat,
            report=report,
            title="Financiële verhoudingen",
            summary="De motie over de Omgevingswet en de eis uit de resolutie van juni gaan "
            "allebei over de middelen van gemeenten; het bestuur rapporteert erover samen.",
            entries=report.entries.filter(commitment__in=chosen[:2]),
            now=created,
        )
        reports.do_publish_report(
            actor=self.secretariat, report=report, now=_at(date(2026, 11, 20), 12)
        )
        # Until the meeting the text can change: the conference was held, a new version.
        jeugd = report.entries.get(commitment=chosen[4])
        reports.do_update_entry(
            actor=self.secretariat,
            entry=jeugd,
            actions_taken=jeugd.actions_taken + " Op 12 november hebben 180 deelnemers uit alle "
            "regio's op de werkconferentie goede voorbeelden uitgewisseld.",
            actions_planned="Een landelijke aanpak, vast te stellen door het bestuur in maart "
            "2027.",
            proposal=P.KEEP_OPEN,
            now=_at(date(2026, 11, 24), 9),
        )
        reports.do_publish_report(
            actor=self.secretariat, report=report, now=_at(date(2026, 11, 24), 9, 30)
        )


def load_accountability_demo(association: Association) -> bool:
    """Load the accountability demo into the demo association once; True if it loaded now."""
    if Meeting.objects.filter(association=association, title=AUTUMN_2025).exists():
        return False
    with transaction.atomic():
        _Loader(association).run()
    return True
