"""Workflows for people: accounts created by an association's secretariat."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from besluit.accounts.models import CODE_USERNAME_PREFIX, User
from besluit.associations.models import Association, Member, Role
from besluit.associations.services import do_assign_role
from besluit.audit.services import record
from besluit.errors import ValidationFailed

# Usernames are global (one login form), so a secretariat that picked them freely would
# learn from "taken" which names other associations use. The people it creates get a name
# in the association's own namespace, NAME@slug: slugs hold no "@", so no two
# associations' namespaces meet, and "taken" only ever speaks of its own people.
SCOPE_SEPARATOR = "@"


def scoped_username(name: str, association: Association) -> str:
    return f"{name}{SCOPE_SEPARATOR}{association.slug}"


def check_username(username: str) -> str:
    """A person's username, stripped: what Django's username validator accepts. That
    keeps people out of the names of voting codes' accounts, which have a colon
    (CODE_USERNAME_PREFIX) the validator refuses; the prefix is refused in any case."""
    username = username.strip()
    if not username:
        raise ValidationFailed(_("A person needs a username."), field="username")
    try:
        User.username_validator(username)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], field="username") from exc
    if username.lower().startswith(CODE_USERNAME_PREFIX):
        raise ValidationFailed(_("This username is reserved for voting codes."), field="username")
    return username


def do_create_person(
    *,
    actor,
    association: Association,
    username: str,
    password: str | None,
    kind: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    member: Member | None = None,
    function: str = "",
    ip: str | None = None,
) -> Role:
    """Create a user and give them a role in ``association``: both or neither.

    The initial password must pass Django's password validators; the person
    should change it after the first login. Without one (None) the account has no
    usable password: single sign-on, a voting code or an API token only.
    """
    username = check_username(username)
    if SCOPE_SEPARATOR in username:
        raise ValidationFailed(
            _("A username cannot contain '@': the association's part is added to it."),
            field="username",
        )
    username = scoped_username(username, association)
    if kind == Role.Kind.REPRESENTATIVE and not function:
        raise ValidationFailed(
            _("A representative needs a function (mayor, alderman, ...)."), field="function"
        )
    candidate = User(
        username=username, first_name=first_name, last_name=last_name, email=email.strip()
    )
    if password is not None:
        try:
            validate_password(password, user=candidate)
        except ValidationError as exc:
            raise ValidationFailed(
                exc.messages[0], field="password", problems=exc.messages
            ) from exc
    with transaction.atomic():
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationFailed(
                _("The username '%(username)s' is taken.") % {"username": username},
                field="username",
            )
        candidate.set_password(password)  # None: an unusable password, no hash computed
        candidate.save()
        role = do_assign_role(
            actor=actor,
            user=candidate,
            association=association,
            kind=kind,
            member=member,
            function=function,
        )
        record(
            "person.created",
            actor=actor,
            association=association,
            obj=candidate,
            ip=ip,
            username=username,
            kind=kind,
            member=member.code if member else None,
        )
    return role
