"""{% secrecy_warnings poll as warnings %}: can this secret poll keep its votes secret?"""

from decimal import Decimal

from django import template
from django.utils import timezone

from besluit.associations.selectors import weighted_register
from besluit.core.secrecy import check_secrecy
from besluit.errors import DomainError
from besluit.voting.models import Poll

register = template.Library()


def register_rows(poll: Poll) -> list[tuple[str, Decimal]]:
    """The frozen register of an opened poll, or the one opening it now would freeze."""
    if poll.status != Poll.Status.DRAFT:
        return list(poll.register.values_list("member__code", "weight"))
    day = timezone.localdate(poll.meeting.starts_at)
    try:
        rows = weighted_register(poll.meeting.association, day)
    except DomainError:  # no weight rule in force: opening fails anyway, and says why
        return []
    return [(row.member.code, row.weight) for row in rows if row.eligible]


@register.simple_tag
def secrecy_warnings(poll: Poll) -> list[dict]:
    if not poll.is_secret or poll.status == Poll.Status.CLOSED:
        return []
    return [
        {
            "code": w.code,
            "members": w.members,
            "member_count": len(w.members),
            "percent": f"{w.share * 100:.1f}" if w.share is not None else "",
        }
        for w in check_secrecy(register_rows(poll))
    ]
