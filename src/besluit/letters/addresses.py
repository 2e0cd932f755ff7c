"""Members' own mailboxes for member letters: import from CSV, and the demo's addresses."""

import csv
import io

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from besluit.associations.models import Association
from besluit.audit.services import record
from besluit.core import safetext
from besluit.errors import ValidationFailed
from besluit.letters.models import MemberAddress

DEMO_DOMAIN = "voorbeeld.invalid"


def do_import_addresses(*, actor, association: Association, data: bytes) -> int:
    """CSV with columns ``gemeentecode,email[,label]``; all rows or none. Returns rows added."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ValidationFailed(
            _("line %(line)s: not UTF-8; save the file as 'CSV UTF-8'") % {"line": line}
        ) from None
    rows = list(csv.DictReader(io.StringIO(text)))
    members = {m.code: m for m in association.members.all()}
    problems, wanted = [], []
    for line, row in enumerate(rows, start=2):
        # PostgreSQL refuses a NUL in any text: checked before a row reaches a query.
        if found := safetext.first_problem([v for v in row.values() if v]):
            problems.append(f"line {line}: {found}")
            continue
        code = (row.get("gemeentecode") or "").strip().upper()
        email = (row.get("email") or "").strip().lower()
        if code not in members:
            problems.append(f"line {line}: unknown member code '{code}'")
            continue
        try:
            validate_email(email)
        except ValidationError:
            problems.append(f"line {line}: '{email}' is not an e-mail address")
            continue
        wanted.append((members[code], email, (row.get("label") or "").strip()[:100]))
    if problems:
        raise ValidationFailed("; ".join(problems[:20]), problems=problems)
    with transaction.atomic():
        created = MemberAddress.objects.bulk_create(
            [MemberAddress(member=m, email=e, label=label) for m, e, label in wanted],
            ignore_conflicts=True,
        )
        record("letters.addresses_imported", actor=actor, association=association, rows=len(wanted))
    return len(created)


def add_demo_addresses(association: Association) -> int:
    """One fictional secretariat mailbox per member (the .invalid domain never delivers)."""
    existing = set(
        MemberAddress.objects.filter(member__association=association).values_list(
            "member_id", flat=True
        )
    )
    MemberAddress.objects.bulk_create(
        [
            MemberAddress(
                member=m,
                email=f"secretariaat@{slugify(m.name)}.{DEMO_DOMAIN}",
                label="Gemeentesecretaris",
                is_secretary=True,
            )
            for m in association.members.all()
            if m.pk not in existing
        ],
        ignore_conflicts=True,
    )
    return MemberAddress.objects.filter(member__association=association).count()
