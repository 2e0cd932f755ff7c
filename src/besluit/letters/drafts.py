"""The letter templates: a subject and a text to start from, per kind of letter.

The texts are Dutch: like the agenda titles, they are the association's own words
(its members read them), not interface text; the secretariat edits them before
sending. Placeholders are Django template syntax, filled from the meeting.
"""

from django.template import Context, Engine
from django.utils import timezone, translation
from django.utils.formats import date_format

from besluit.letters.models import Letter
from besluit.meetings.models import Meeting
from besluit.voting.models import Decision

K = Letter.Kind

SUBJECTS = {
    K.CONVOCATION: "Convocatie {{ meeting.title }} op {{ starts|date:'j F Y' }}",
    K.DEADLINE_REMINDER: "Herinnering: moties en amendementen voor {{ meeting.title }} "
    "uiterlijk {{ motion_deadline|date:'j F' }}",
    K.RESULTS: "Uitslagen {{ meeting.title }}",
    K.CONSULTATION: "Ledenraadpleging geopend: {{ meeting.title }}",
    K.OTHER: "",
}

BODIES = {
    K.CONVOCATION: """Geacht college en gemeenteraad,

Het bestuur nodigt u uit voor de {{ meeting.title }} van de {{ association.name }}.

Datum: {{ when }}
Plaats: {{ where }}

De agenda en de stukken staan in Besluit. Amendementen kunt u indienen tot
{{ amendments_until }}, moties tot {{ motions_until }}.
{% if agenda %}
Agenda
{% for item in agenda %}{{ item.number }}. {{ item.title }}
{% endfor %}{% endif %}
In de bijlage vindt u een uitnodiging voor uw agenda.

Met vriendelijke groet,

Het bestuur van de {{ association.name }}
""",
    K.DEADLINE_REMINDER: """Geacht college en gemeenteraad,

Graag herinneren wij u aan de termijn voor het indienen van moties en amendementen
voor de {{ meeting.title }} van {{ starts|date:'j F Y' }}.

Amendementen: uiterlijk {{ amendments_until }}.
Moties: uiterlijk {{ motions_until }}.

Later ingediende moties en amendementen zijn nagekomen; de voorzitter beslist of
zij worden toegelaten. U dient ze in via Besluit.

Met vriendelijke groet,

Het bestuur van de {{ association.name }}
""",
    K.RESULTS: """Geacht college en gemeenteraad,

Hierbij ontvangt u de uitslagen van de {{ meeting.title }} van {{ starts|date:'j F Y' }}.
{% for d in decisions %}
- {{ d.subject }}: {{ d.text }}{% empty %}
(Er zijn nog geen besluiten vastgelegd.)
{% endfor %}
Het stemgedrag per gemeente staat in Besluit en in de open data van de vereniging.

Met vriendelijke groet,

Het bestuur van de {{ association.name }}
""",
    K.CONSULTATION: """Geacht college,

Het bestuur legt u via een schriftelijke ledenraadpleging de volgende vraag voor:
{{ meeting.title }}.

De stemming staat open van {{ starts|date:'l j F Y, H:i' }} uur{% if ends %} tot en met
{{ ends|date:'l j F Y, H:i' }} uur{% endif %}. Elke gemeente brengt één stem uit, via de
gemeentesecretaris of een andere vertegenwoordiger, in Besluit.

De uitslag wordt per gemeente gepubliceerd en ter bekrachtiging voorgelegd aan de
volgende algemene ledenvergadering.

Met vriendelijke groet,

Het bestuur van de {{ association.name }}
""",
    K.OTHER: "",
}

_engine = Engine(libraries={}, builtins=["django.template.defaultfilters"], autoescape=False)


def where(meeting: Meeting) -> str:
    if meeting.is_digital and meeting.location:
        return f"{meeting.location} en digitaal"
    return "digitaal" if meeting.is_digital else meeting.location


def render(kind: str, association, meeting: Meeting | None) -> tuple[str, str]:
    """The subject and text of a new letter of this kind, filled in for the meeting."""
    subject, body = SUBJECTS.get(kind, ""), BODIES.get(kind, "")
    if meeting is None:
        # Without a meeting only the frame makes sense; the secretariat writes the rest.
        return (
            "",
            f"Geacht college en gemeenteraad,\n\n\n\nMet vriendelijke groet,\n\n"
            f"Het bestuur van de {association.name}\n",
        )
    starts = timezone.localtime(meeting.starts_at)
    ends = timezone.localtime(meeting.ends_at) if meeting.ends_at else None
    with translation.override("nl"):
        span = f"{date_format(starts, 'l j F Y')}, {starts:%H:%M}"
        if ends and ends.date() == starts.date():
            span += f" tot {ends:%H:%M}"
        elif ends:
            span += f" tot {date_format(ends, 'l j F Y')}, {ends:%H:%M}"

        def until(moment):
            local = timezone.localtime(moment)
            return f"{date_format(local, 'l j F Y')}, {local:%H:%M} uur"

        extra = {
            "when": span + " uur",
            "amendments_until": until(meeting.amendment_deadline),
            "motions_until": until(meeting.motion_deadline),
        }
    context = Context(
        {
            **extra,
            "association": association,
            "meeting": meeting,
            "starts": timezone.localtime(meeting.starts_at),
            "ends": timezone.localtime(meeting.ends_at) if meeting.ends_at else None,
            "amendment_deadline": timezone.localtime(meeting.amendment_deadline),
            "motion_deadline": timezone.localtime(meeting.motion_deadline),
            "where": where(meeting),
            "agenda": list(meeting.agenda_items.all()),
            "decisions": list(Decision.objects.filter(meeting=meeting).order_by("recorded_at")),
        }
    )
    with translation.override("nl"):
        return (
            " ".join(_engine.from_string(subject).render(context).split()),
            _engine.from_string(body).render(context).strip() + "\n",
        )
