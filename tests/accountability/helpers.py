"""Building blocks for the accountability tests: motions decided through the real services."""

from datetime import datetime, timedelta

from besluit.associations.models import Role
from besluit.meetings import services as meetings
from besluit.meetings.models import Meeting
from besluit.proposals import services as proposals
from besluit.voting import services as voting
from besluit.voting.models import Poll
from tests import factories


def voters(association, indexes=range(1, 7)):
    """One representative for each of these members (index 0 has the `representative`)."""
    out = []
    for i in indexes:
        member = factories.member(association, i)
        user = factories.make_user(
            f"stemmer{i}", association, Role.Kind.REPRESENTATIVE, member=member
        )
        out.append(user)
    return out


def hold_vote(chair, poll, people, option="for"):
    """Open the poll, let everyone vote ``option`` (or per person from a dict), close it."""
    voting.do_open_poll(actor=chair, poll=poll)
    for person in people:
        choice = option.get(person.username, "for") if isinstance(option, dict) else option
        voting.cast_ballot(actor=person, poll=poll, option_key=choice)
    return voting.do_close_poll(actor=chair, poll=Poll.objects.get(pk=poll.pk))


def submit_motion(rep, meeting, title="Meer geld voor de jeugdzorg", co=(), agenda_item=None):
    return proposals.do_submit_motion(
        actor=rep,
        meeting=meeting,
        title=title,
        considerations="- gemeenten tekorten hebben op de jeugdzorg;",
        request="bij het Rijk te pleiten voor structureel meer geld voor de jeugdzorg.",
        co_submitters=co,
        agenda_item=agenda_item,
    )


def adopt_by_vote(chair, motion, people):
    poll = voting.do_create_poll(
        actor=chair, meeting=motion.meeting, subject=Poll.Subject.MOTION, motion=motion
    )
    return hold_vote(chair, poll, people)


def meeting_in(association, days: int, title: str):
    """A general meeting ``days`` from now with the standard agenda (item 08 included)."""
    starts = datetime.now(factories.AMS).replace(microsecond=0) + timedelta(days=days)
    return meetings.do_create_meeting(
        actor=None,
        association=association,
        kind=Meeting.Kind.ALV,
        title=title,
        starts_at=starts,
        ends_at=starts + timedelta(hours=4),
        location="Jaarbeurs Utrecht",
        standard_agenda=True,
    )
