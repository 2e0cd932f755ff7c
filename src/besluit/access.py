"""Who may do what: every permission check in Besluit goes through this module.

Views, the API and services ask these helpers; nothing else inspects roles.
Roles are per association (see associations.models.Role). A superuser may
administer everything but never votes: only representatives cast ballots.
"""

import json
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import BooleanField, Exists, F, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext, gettext_noop

from besluit.associations.models import Association, Member, Role
from besluit.errors import PermissionDenied

K = Role.Kind


@dataclass(frozen=True)
class Standing:
    """A user's roles in one association, looked up once per request."""

    kinds: frozenset[str]
    member: Member | None
    is_superuser: bool

    def has(self, *kinds: str) -> bool:
        return self.is_superuser or bool(self.kinds.intersection(kinds))


def standing(user, association: Association) -> Standing:
    if not getattr(user, "is_authenticated", False):
        return Standing(frozenset(), None, False)
    cache = user.__dict__.setdefault("_besluit_standing", {})
    if association.pk not in cache:
        roles = list(
            Role.objects.filter(user=user, association=association).select_related("member")
        )
        member = next((r.member for r in roles if r.kind == K.REPRESENTATIVE), None)
        cache[association.pk] = Standing(
            frozenset(r.kind for r in roles), member, bool(user.is_superuser)
        )
    return cache[association.pk]


# --- questions -------------------------------------------------------------


def can_view(user, association: Association) -> bool:
    s = standing(user, association)
    return s.is_superuser or bool(s.kinds)


def can_administer(user, association: Association) -> bool:
    """Members register, weights, people, meetings and agendas: the secretariat."""
    return standing(user, association).has(K.SECRETARIAT)


def can_chair(user, association: Association) -> bool:
    """Open and close polls, admit late submissions, record acclamations."""
    return standing(user, association).has(K.CHAIR, K.SECRETARIAT)


def can_give_pre_advice(user, association: Association) -> bool:
    return standing(user, association).has(K.BOARD, K.CHAIR, K.SECRETARIAT)


def can_follow_up(user, association: Association) -> bool:
    """Commitments after the vote (owners, due dates, reports): the board and the secretariat."""
    return standing(user, association).has(K.BOARD, K.SECRETARIAT)


def can_post_progress(user, commitment) -> bool:
    """A progress update on a commitment: the board, the secretariat or its owner."""
    if can_follow_up(user, commitment.association):
        return True
    return bool(getattr(user, "is_authenticated", False) and commitment.owner_user_id == user.pk)


def represented_member(user, association: Association) -> Member | None:
    """The member this user may act for (submit, vote), or None."""
    return standing(user, association).member


def represented_members(user_ids, association: Association, meeting=None) -> dict[int, Member]:
    """For many users at once (a batch of ballots in ``meeting``): the member each may
    vote for.

    The same rule as ``represented_member``, in one query: the user's
    representative role in this association. A voting code's account counts only in
    its own meeting, while that meeting is not closed and the account still has a
    valid code, and only for the member it was made for. (Whether the user may sign in
    is authentication's business, as for every other check here.)

    The query's SQL is built by the ORM once per (association, meeting) and process;
    a call only passes its users (one array parameter), since a batch of ballots asks
    it for every batch (see ``_represented_sql``).
    """
    ids = sorted({int(u) for u in user_ids if u is not None})
    if not ids:
        return {}
    sql, params, at, compiler = _represented_sql(association.pk, meeting.pk if meeting else None)
    params = list(params)
    params[at] = ids if connection.vendor == "postgresql" else json.dumps(ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    found: dict[int, Member] = {}
    names = _MEMBER_FIELDS
    for row in compiler.results_iter(results=[rows]):  # the ORM's conversions; by role id
        if row[0] not in found:
            found[row[0]] = Member.from_db(connection.alias, names, row[1:])
    return found


# The users' ids, in the SQL built once: a constant text whatever their number.
_USER_IDS = "besluit:user-ids"
_represented_sqls: dict[tuple, tuple] = {}
_MEMBER_FIELDS = [f.attname for f in Member._meta.concrete_fields]


def _represented_sql(association_id: int, meeting_id: int | None) -> tuple:
    """The SQL of ``represented_members`` for this association and meeting, its
    parameters, the place of the users' ids among them, and its compiler (which
    converts the rows as a queryset's iteration would).

    The users are one array (PostgreSQL: ``= ANY``) or JSON list (SQLite), not an
    ``IN`` list of their own length; whether the meeting is closed is read by the
    query itself, not from the caller's copy of the meeting."""
    key = (connection.vendor, association_id, meeting_id)
    found = _represented_sqls.get(key)
    if found is not None:
        return found
    from besluit.accounts.models import VotingCode
    from besluit.meetings.models import Meeting

    column = f'"{Role._meta.db_table}"."user_id"'
    users = RawSQL(
        f"{column} = ANY(%s::bigint[])"
        if connection.vendor == "postgresql"
        else f"{column} IN (SELECT value FROM json_each(%s))",
        (_USER_IDS,),
        output_field=BooleanField(),
    )
    may = Q(user__code_meeting__isnull=True)
    if meeting_id is not None:
        valid_code = VotingCode.objects.filter(
            user_id=OuterRef("user_id"), meeting_id=meeting_id, revoked_at__isnull=True
        )
        not_closed = [s for s in Meeting.Status.values if s != Meeting.Status.CLOSED]
        may |= Q(
            Exists(valid_code),
            user__code_meeting_id=meeting_id,
            user__code_meeting__status__in=not_closed,
            user__code_member=F("member"),
        )
    roles = (
        Role.objects.filter(
            may,
            users,
            association_id=association_id,
            kind=K.REPRESENTATIVE,
            member__isnull=False,
        )
        .annotate(voter=F("user_id"))
        .order_by("pk")
        .values_list("voter", *(f"member__{name}" for name in _MEMBER_FIELDS))
    )
    compiler = roles.query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    found = (sql, tuple(params), list(params).index(_USER_IDS), compiler)
    if len(_represented_sqls) > 256:
        _represented_sqls.clear()
    _represented_sqls[key] = found
    return found


def viewers(user_ids, association: Association) -> set[int]:
    """For many users at once: those who may see the association (``can_view``), in
    one query. A batch of ballots asks it only for senders who represent no member."""
    return set(
        get_user_model()
        .objects.filter(pk__in=list(user_ids))
        .filter(Q(is_superuser=True) | Q(roles__association=association))
        .values_list("pk", flat=True)
        .distinct()
    )


def administrators(user_ids, association: Association) -> set[int]:
    """For many users at once: those who may administer the association
    (``can_administer``), in one query. Asked by a batch of ballots only for paper
    ballots, which the secretariat enters."""
    if not user_ids:
        return set()
    return set(
        get_user_model()
        .objects.filter(pk__in=list(user_ids))
        .filter(Q(is_superuser=True) | Q(roles__association=association, roles__kind=K.SECRETARIAT))
        .values_list("pk", flat=True)
        .distinct()
    )


def can_submit_for(user, association: Association, member: Member) -> bool:
    return represented_member(user, association) == member


# --- guards that raise -----------------------------------------------------


def require(allowed: bool, message: str = gettext_noop("You may not do this.")) -> None:
    if not allowed:
        # Marked with gettext_noop where written, translated here for the reader.
        raise PermissionDenied(gettext(message))


def require_view(user, association: Association) -> None:
    require(can_view(user, association), gettext_noop("You have no role in this association."))


def require_administer(user, association: Association) -> None:
    require(can_administer(user, association), gettext_noop("Only the secretariat may do this."))


def require_chair(user, association: Association) -> None:
    require(
        can_chair(user, association), gettext_noop("Only the chair or the secretariat may do this.")
    )


def require_follow_up(user, association: Association) -> None:
    require(
        can_follow_up(user, association),
        gettext_noop("Only the board or the secretariat may do this."),
    )


def require_representative(user, association: Association) -> Member:
    member = represented_member(user, association)
    require(member is not None, gettext_noop("Only a member's representative may do this."))
    return member
