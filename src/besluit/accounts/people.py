"""Many people at once: a CSV of representatives and officers, all or nothing.

People made here get no password (an unusable one: no slow hash, so 343 people take
well under a second); they log in through single sign-on or a voting code, or the
secretariat issues them an API token (accounts.tokens). Usernames are scoped to the
association (accounts.services.scoped_username), as for one person.
"""

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from besluit.accounts.models import User
from besluit.accounts.services import scoped_username
from besluit.associations.models import Association, Role
from besluit.audit import services as audit
from besluit.audit.services import record
from besluit.core import people_csv
from besluit.core.register_csv import ImportProblem
from besluit.errors import ValidationFailed


@dataclass(frozen=True)
class PeopleReport:
    created: list[str]  # usernames

    @property
    def summary(self) -> str:
        return f"{len(self.created)} people created"


def _refuse(problems: list[ImportProblem]):
    texts = [str(p) for p in problems]
    return ValidationFailed(
        _("The file was not imported: %(problems)s") % {"problems": "; ".join(texts[:20])},
        field="file",
        problems=texts,
    )


def do_import_people(
    *, actor, association: Association, data: bytes, ip: str | None = None
) -> PeopleReport:
    """Create every person in the file with their role, or none (each problem with its line)."""
    try:
        rows = people_csv.parse_people(data)
    except people_csv.PeopleImportError as exc:
        raise _refuse(list(exc.problems)) from None
    members = dict(association.members.values_list("code", "pk"))
    usernames = {r.line: scoped_username(r.username, association) for r in rows}
    problems = [
        ImportProblem(r.line, "lidcode", f"no member {r.member} in this association")
        for r in rows
        if r.member and r.member not in members
    ]
    with transaction.atomic():
        # Case-insensitive, as do_create_person refuses "Jan" when "jan" exists.
        lowered = [u.lower() for u in usernames.values()]
        taken = set(
            User.objects.annotate(lowered=Lower("username"))
            .filter(lowered__in=lowered)
            .values_list("lowered", flat=True)
        )
        problems += [
            ImportProblem(r.line, "gebruikersnaam", f"the username '{usernames[r.line]}' is taken")
            for r in rows
            if usernames[r.line].lower() in taken
        ]
        if problems:
            raise _refuse(sorted(problems, key=lambda p: p.line or 0))
        unusable = make_password(None)  # "!" and random text: no hash computed, no login
        users = User.objects.bulk_create(
            [
                User(
                    username=usernames[r.line],
                    first_name=r.first_name[:150],
                    last_name=r.last_name[:150],
                    email=r.email,
                    password=unusable,
                )
                for r in rows
            ]
        )
        if users and users[0].pk is None:  # a backend that does not return ids
            by_name = dict(
                User.objects.filter(username__in=[u.username for u in users]).values_list(
                    "username", "pk"
                )
            )
            for u in users:
                u.pk = by_name[u.username]
        Role.objects.bulk_create(
            [
                Role(
                    user_id=u.pk,
                    association=association,
                    kind=r.role,
                    member_id=members.get(r.member) if r.role == Role.Kind.REPRESENTATIVE else None,
                    function=r.function,
                )
                for u, r in zip(users, rows, strict=True)
            ]
        )
        now = timezone.now()
        actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
        audit.record_many(
            (
                audit.Event(
                    action="person.created",
                    actor_id=actor_id,
                    association_id=association.pk,
                    object_type="User",
                    object_id=str(u.pk),
                    data={"username": u.username, "kind": r.role, "member": r.member or None},
                    ip=ip,
                )
                for u, r in zip(users, rows, strict=True)
            ),
            at=now,
        )
        record("people.imported", actor=actor, association=association, ip=ip, created=len(users))
    return PeopleReport(created=[u.username for u in users])
