"""Elections built through the services, as a secretariat, board and members would."""

from datetime import date, timedelta

from django.utils import timezone

from besluit.associations.models import Role
from besluit.elections import services as el
from tests import factories


def reps(association, n: int) -> list:
    """A representative for each of the first ``n`` members (in code order)."""
    return [
        factories.make_user(
            f"rep{i}",
            association,
            Role.Kind.REPRESENTATIVE,
            member=factories.member(association, i),
        )
        for i in range(n)
    ]


def body(secretariat, association, name="Bestuur", kind="board"):
    return el.do_create_body(actor=secretariat, association=association, kind=kind, name=name)


def election(chair, meeting, body, *, method="ranked", seats=2, secret=True, days=5, **kw):
    return el.do_create_election(
        actor=chair,
        meeting=meeting,
        body=body,
        title=kw.pop("title", "Verkiezing bestuursleden"),
        seats=seats,
        term_starts=date(2027, 1, 1),
        term_ends=date(2030, 12, 31),
        method=method,
        nomination_deadline=timezone.now() + timedelta(days=days),
        is_secret=secret,
        **kw,
    )


def stand(election, names, *, by, secretariat) -> list:
    """Nominate (by the board) and accept for each name; returns the candidacies."""
    out = []
    for name in names:
        c = el.do_nominate(actor=by, election=election, name=name, by_board=True)
        out.append(el.do_consent(actor=secretariat, candidacy=c, accept=True))
    return out
