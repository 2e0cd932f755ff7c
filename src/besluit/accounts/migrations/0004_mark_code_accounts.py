"""Mark the accounts of existing voting codes as code accounts, or stop trusting them.

Before 0003 the issuing service found a code's account by its predictable name
(stemcode-<meeting>-<member code>) and reused any account of that name, whoever made
it. An account it made itself has an unusable password, no other role and codes of
one meeting and member only: it becomes a code account with a random name. Any other
account behind a code may have been made by someone else to take a member's vote: its
valid codes are revoked (the secretariat issues new ones, with fresh accounts) and the
representative role the issuing gave it is taken away.
"""

import secrets

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import migrations
from django.utils import timezone


def forwards(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    VotingCode = apps.get_model("accounts", "VotingCode")
    Role = apps.get_model("associations", "Role")
    now = timezone.now()
    user_ids = VotingCode.objects.values_list("user_id", flat=True).distinct()
    for user in User.objects.filter(pk__in=list(user_ids)).iterator():
        if user.code_meeting_id is not None:
            continue
        pairs = set(
            VotingCode.objects.filter(user=user).values_list(
                "meeting_id", "member_id", "meeting__association_id", "member__code"
            )
        )
        roles = list(Role.objects.filter(user=user).values_list("association_id", "kind", "member_id"))
        trusted = (
            len(pairs) == 1
            and user.password.startswith(UNUSABLE_PASSWORD_PREFIX)
            and not (user.is_staff or user.is_superuser)
        )
        if trusted:
            ((meeting_id, member_id, association_id, _code),) = pairs
            trusted = all(r == (association_id, "representative", member_id) for r in roles)
        if trusted:
            user.code_meeting_id, user.code_member_id = meeting_id, member_id
            user.username = "stemcode:" + secrets.token_urlsafe(18)
            user.save(update_fields=["code_meeting", "code_member", "username"])
            continue
        VotingCode.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
        for meeting_id, member_id, association_id, code in pairs:
            if user.username == f"stemcode-{meeting_id}-{code.lower()}":
                Role.objects.filter(
                    user=user, association_id=association_id, kind="representative",
                    member_id=member_id,
                ).delete()  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_code_accounts"),
        ("associations", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
