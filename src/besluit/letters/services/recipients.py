"""Who receives a letter: the members' addresses, per role and meeting."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from besluit.associations.models import Association, Member, Role
from besluit.letters.models import Letter, MemberAddress


@dataclass(frozen=True)
class Recipient:
    member: Member
    email: str
    name: str
    function: str


@dataclass
class Recipients:
    recipients: list[Recipient] = field(default_factory=list)
    without_address: list[Member] = field(default_factory=list)


def recipients_for(
    association: Association, members: Iterable[Member], audience: str = Letter.Audience.ALL
) -> Recipients:
    """Each member's representatives (active accounts with an e-mail address) and its own
    mailboxes; with ``audience=secretaries`` only municipal secretaries and mailboxes
    marked as the secretary's. One entry per address (the first member that has it).
    """
    members = list(members)
    ids = [m.pk for m in members]
    by_member: dict[int, list[Recipient]] = {m.pk: [] for m in members}
    member_of = {m.pk: m for m in members}
    roles = (
        Role.objects.filter(
            association=association,
            kind=Role.Kind.REPRESENTATIVE,
            member_id__in=ids,
            user__is_active=True,
            user__code_meeting__isnull=True,  # voting codes' accounts get no letters
        )
        .exclude(user__email="")
        .select_related("user")
        .order_by("member_id", "user__username")
    )
    if audience == Letter.Audience.SECRETARIES:
        roles = roles.filter(function=Role.Function.SECRETARY)
    for role in roles:
        by_member[role.member_id].append(
            Recipient(
                member_of[role.member_id],
                role.user.email.strip().lower(),
                role.user.get_full_name() or role.user.username,
                role.get_function_display() or str(Role.Kind.REPRESENTATIVE.label),
            )
        )
    addresses = MemberAddress.objects.filter(member_id__in=ids).order_by("member_id", "email")
    if audience == Letter.Audience.SECRETARIES:
        addresses = addresses.filter(is_secretary=True)
    for address in addresses:
        by_member[address.member_id].append(
            Recipient(
                member_of[address.member_id],
                address.email.strip().lower(),
                address.label,
                address.label or "mailbox",
            )
        )
    result = Recipients()
    seen: set[str] = set()
    for member in members:
        found = [r for r in by_member[member.pk] if r.email not in seen]
        if not by_member[member.pk]:
            result.without_address.append(member)
        for r in found:
            seen.add(r.email)
            result.recipients.append(r)
    return result
