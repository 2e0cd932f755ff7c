"""What the secretariat (and installation administrators) set up: associations, the
members register, weight rules, networks, people and roles."""

import re
from datetime import date
from decimal import Decimal
from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Status
from pydantic import Field, field_validator

from besluit import access
from besluit.accounts.people import do_import_people
from besluit.accounts.services import do_create_person
from besluit.api import schemas as s
from besluit.api.collections import ListParams, Sorting, paginate
from besluit.api.endpoints import _association
from besluit.api.router import api
from besluit.associations import selectors as assoc_selectors
from besluit.associations import services as assoc
from besluit.associations.models import Network, Role, WeightRule
from besluit.core import weights as core_weights
from besluit.errors import DomainError, NotFound, ValidationFailed
from besluit.http import problems

CSV_BODY = {
    "requestBody": {
        "required": True,
        "content": {"text/csv": {"schema": {"type": "string", "format": "binary"}}},
    },
    "responses": {
        "415": {
            "description": "The body is not sent as text/csv.",
            "content": {
                "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
            },
        }
    },
}
REFERENCE_DATE = Query(None, alias="referenceDate", description="for rows without peildatum")


def _csv_body(request: HttpRequest) -> bytes | HttpResponse:
    kind = request.content_type or ""
    if kind not in ("text/csv", "application/csv"):
        return problems.problem(
            415,
            "Unsupported media type",
            "Send the file as the body with 'Content-Type: text/csv'.",
            code="unsupported-media-type",
        )
    return request.body


def _admin(request, slug: str):
    association = _association(request, slug)
    access.require_administer(request.user, association)
    return association


# --- associations ---------------------------------------------------------


class AssociationIn(s.CamelIn):
    name: str = Field(min_length=1, max_length=200)
    slug: str = Field(min_length=1, max_length=50, description="a-z, 0-9 and '-'")
    short_name: str = Field("", max_length=40)

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str) -> str:
        # After CamelIn's check for control characters (which runs first).
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", value):
            raise ValueError("a slug has only a-z, 0-9 and '-', and starts with a letter or digit")
        return value


@api.post(
    "/associations",
    response={201: s.AssociationOut},
    tags=["associations"],
    summary="Create an association (installation administrators)",
)
def create_association(request, body: AssociationIn):
    access.require(request.user.is_superuser, "Only an installation administrator may do this.")
    association = assoc.do_create_association(
        actor=request.user, name=body.name, slug=body.slug, short_name=body.short_name
    )
    return Status(201, association)


# --- the members register ---------------------------------------------------


class ImportReportOut(s.Camel):
    created: int
    updated: int
    unchanged: int


@api.post(
    "/associations/{slug}/members/import",
    response={200: ImportReportOut},
    tags=["members"],
    summary="Import the members register (CSV, all or nothing)",
    description="Body: the CSV file itself (`Content-Type: text/csv`), "
    "`gemeentecode,naam,provincie,inwoners[,peildatum]` or a CBS StatLine export, as on the "
    "page. Every problem is in `invalidParams` with its line.",
    openapi_extra=CSV_BODY,
)
def import_members(request, slug: str, reference_date: date | None = REFERENCE_DATE):
    association = _admin(request, slug)
    data = _csv_body(request)
    if isinstance(data, HttpResponse):
        return data
    try:
        report = assoc.do_import_members(
            actor=request.user, association=association, data=data, reference_date=reference_date
        )
    except ValidationFailed as exc:
        raise _with_lines(exc) from None
    return ImportReportOut(
        created=len(report.created), updated=len(report.updated), unchanged=report.unchanged
    )


def _with_lines(exc: DomainError) -> DomainError:
    """A refused file: each problem (with its line) as one invalid parameter."""
    return _LinedError(exc.message, problems=exc.problems)


class _LinedError(ValidationFailed):
    pass


@api.exception_handler(_LinedError)
def _lined(request, exc: _LinedError):
    errors = [{"name": "file", "reason": p} for p in exc.problems] or None
    return problems.response(problems.status_body(400, exc.message, code="invalid", errors=errors))


class MemberPatch(s.CamelIn):
    weight_override: Decimal | None = Field(
        None, ge=0, max_digits=18, decimal_places=6, description="null: the computed weight"
    )
    override_reason: str = Field("", max_length=300, description="required with an override")
    networks: list[str] | None = Field(None, max_length=50, description="network codes")


class MemberSetOut(s.Camel):
    code: str
    name: str
    weight_override: Decimal | None
    override_reason: str
    networks: list[str]


@api.patch(
    "/associations/{slug}/members/{code}",
    response=MemberSetOut,
    tags=["members"],
    summary="Override a member's weight (with its reason) or set its networks",
    description="Only the fields sent change.",
)
def update_member(request, slug: str, code: str, body: MemberPatch):
    association = _admin(request, slug)
    member = association.members.filter(code=code.strip().upper()).first()
    if member is None:
        raise NotFound(f"No member '{code}'.")
    sent = body.model_fields_set
    if "weight_override" in sent:
        assoc.do_override_weight(
            actor=request.user,
            member=member,
            weight=body.weight_override,
            reason=body.override_reason,
        )
    if body.networks is not None:
        assoc.do_set_networks(actor=request.user, member=member, codes=body.networks)
    member.refresh_from_db()
    return MemberSetOut(
        code=member.code,
        name=member.name,
        weight_override=member.weight_override,
        override_reason=member.override_reason,
        networks=sorted(n.code for n in member.networks.all()),
    )


# --- weight rules -----------------------------------------------------------


class BracketIo(s.CamelIn):
    min_inhabitants: int = Field(ge=0, le=10**9)
    votes: Decimal = Field(ge=0, max_digits=18, decimal_places=6)


class WeightRuleIn(s.CamelIn):
    valid_from: date
    kind: Literal["brackets", "proportional", "square_root", "equal"]
    brackets: list[BracketIo] = Field(default_factory=list, max_length=200)
    per_inhabitants: Decimal = Field(Decimal(1), gt=0, max_digits=12, decimal_places=2)
    decimals: int = Field(2, ge=0, le=6)
    label: str = Field("", max_length=200)
    is_example: bool = False


class WeightRuleOut(s.Camel):
    id: int
    valid_from: date
    kind: str
    brackets: list[BracketIo]
    per_inhabitants: Decimal
    decimals: int
    label: str
    is_example: bool
    in_force: bool


def _rule_out(rule: WeightRule, in_force_id: int | None) -> WeightRuleOut:
    return WeightRuleOut(
        id=rule.pk,
        valid_from=rule.valid_from,
        kind=rule.kind,
        brackets=[
            BracketIo(min_inhabitants=int(b[0]), votes=Decimal(str(b[1]))) for b in rule.brackets
        ],
        per_inhabitants=rule.per_inhabitants,
        decimals=rule.decimals,
        label=rule.label,
        is_example=rule.is_example,
        in_force=rule.pk == in_force_id,
    )


RULE_SORT = Sorting(
    fields={"validFrom": lambda r: r.valid_from}, default="-validFrom", unique=lambda r: r.id
)


@api.get(
    "/associations/{slug}/weight-rules",
    response=list[WeightRuleOut],
    tags=["weights"],
    description=RULE_SORT.describe(),
)
def list_weight_rules(request, response: HttpResponse, slug: str, params: Query[ListParams]):
    association = _association(request, slug)
    in_force = assoc_selectors.rule_in_force(association, timezone.localdate())
    rules = [
        _rule_out(r, in_force.pk if in_force else None) for r in association.weight_rules.all()
    ]
    return paginate(request, response, rules, params, RULE_SORT)


@api.post(
    "/associations/{slug}/weight-rules",
    response={201: WeightRuleOut},
    tags=["weights"],
    summary="Add the weight rule in force from a date (or replace that date's rule)",
)
def create_weight_rule(request, slug: str, body: WeightRuleIn):
    association = _admin(request, slug)
    rule = assoc.do_set_weight_rule(
        actor=request.user,
        association=association,
        valid_from=body.valid_from,
        kind=body.kind,
        brackets=[core_weights.Bracket(b.min_inhabitants, b.votes) for b in body.brackets],
        per_inhabitants=body.per_inhabitants,
        decimals=body.decimals,
        label=body.label,
        is_example=body.is_example,
    )
    in_force = assoc_selectors.rule_in_force(association, timezone.localdate())
    return Status(201, _rule_out(rule, in_force.pk if in_force else None))


# --- networks ---------------------------------------------------------------


class NetworkOut(s.Camel):
    code: str
    name: str
    members: list[str]


class NetworkIn(s.CamelIn):
    name: str = Field("", max_length=200)
    members: list[str] = Field(default_factory=list, max_length=5000, description="member codes")


NETWORK_SORT = Sorting(fields={"code": lambda n: n.code}, default="code", unique=lambda n: n.code)


def _network_out(n: Network) -> NetworkOut:
    return NetworkOut(code=n.code, name=n.name, members=sorted(m.code for m in n.members.all()))


@api.get(
    "/associations/{slug}/networks",
    response=list[NetworkOut],
    tags=["members"],
    description=NETWORK_SORT.describe(),
)
def list_networks(request, response: HttpResponse, slug: str, params: Query[ListParams]):
    association = _association(request, slug)
    networks = [_network_out(n) for n in association.networks.prefetch_related("members")]
    return paginate(request, response, networks, params, NETWORK_SORT)


@api.put(
    "/associations/{slug}/networks/{code}",
    response=NetworkOut,
    tags=["members"],
    summary="Create a network or set its name and exactly its members",
)
def put_network(request, slug: str, code: str, body: NetworkIn):
    association = _admin(request, slug)
    wanted = sorted({c.strip().upper() for c in body.members})
    found = {m.code: m for m in association.members.filter(code__in=wanted)}
    missing = [c for c in wanted if c not in found]
    if missing:
        raise ValidationFailed(f"Unknown member code(s): {', '.join(missing)}.", field="members")
    network = assoc.do_set_network(
        actor=request.user,
        association=association,
        code=code,
        name=body.name,
        members=list(found.values()),
    )
    return _network_out(network)


# --- people and roles -------------------------------------------------------


class PersonOut(s.Camel):
    username: str
    first_name: str
    last_name: str
    email: str
    role: str
    member: str | None
    function: str


class PersonIn(s.CamelIn):
    username: str = Field(min_length=1, max_length=100)
    password: str | None = Field(
        None,
        max_length=200,
        description="none: single sign-on, codes, tokens; else Django's password rules",
    )
    first_name: str = Field("", max_length=150)
    last_name: str = Field("", max_length=150)
    email: str = Field("", max_length=254)
    role: Literal["secretariat", "chair", "board", "representative", "observer"]
    member: str | None = Field(None, max_length=10, description="member code")
    function: Literal["", "mayor", "alderman", "council_member", "secretary", "clerk"] = ""


def _person_out(r: Role) -> PersonOut:
    return PersonOut(
        username=r.user.username,
        first_name=r.user.first_name,
        last_name=r.user.last_name,
        email=r.user.email,
        role=r.kind,
        member=r.member.code if r.member else None,
        function=r.function,
    )


PEOPLE_SORT = Sorting(
    fields={
        "username": lambda p: p.username,
        "role": lambda p: p.role,
        "member": lambda p: p.member,
    },
    default="username",
    unique=lambda p: (p.username, p.role),
)


@api.get(
    "/associations/{slug}/people",
    response=list[PersonOut],
    tags=["people"],
    description="Everyone with a role, one row per role. Filter with role. "
    + PEOPLE_SORT.describe(),
)
def list_people(
    request, response: HttpResponse, slug: str, params: Query[ListParams], role: str | None = None
):
    association = _admin(request, slug)
    roles = Role.objects.filter(association=association).select_related("user", "member")
    if role:
        roles = roles.filter(kind=role)
    people = [_person_out(r) for r in roles if not r.user.is_code_account]
    return paginate(request, response, people, params, PEOPLE_SORT, filters=("role",))


@api.post("/associations/{slug}/people", response={201: PersonOut}, tags=["people"])
def create_person(request, slug: str, body: PersonIn):
    association = _admin(request, slug)
    member = None
    if body.member:
        member = association.members.filter(code=body.member.strip().upper()).first()
        if member is None:
            raise ValidationFailed(
                f"No member '{body.member}' in this association.", field="member"
            )
    role = do_create_person(
        actor=request.user,
        association=association,
        username=body.username,
        password=body.password,
        kind=body.role,
        first_name=body.first_name,
        last_name=body.last_name,
        email=body.email,
        member=member,
        function=body.function,
        ip=request.META.get("REMOTE_ADDR"),
    )
    return Status(201, _person_out(role))


class PeopleReportOut(s.Camel):
    created: list[str] = Field(description="the new usernames")


@api.post(
    "/associations/{slug}/people/import",
    response={201: PeopleReportOut},
    tags=["people"],
    summary="Create many people with their roles (CSV, all or nothing)",
    description="Body: the CSV file (`Content-Type: text/csv`) with the columns naam, e-mail, "
    "lidcode, functie, rol[, gebruikersnaam]. Every problem is in `invalidParams` with its "
    "line. The people get no password.",
    openapi_extra=CSV_BODY,
)
def import_people(request, slug: str):
    association = _admin(request, slug)
    data = _csv_body(request)
    if isinstance(data, HttpResponse):
        return data
    try:
        report = do_import_people(
            actor=request.user,
            association=association,
            data=data,
            ip=request.META.get("REMOTE_ADDR"),
        )
    except ValidationFailed as exc:
        raise _with_lines(exc) from None
    return Status(201, PeopleReportOut(created=report.created))


class RoleIn(s.CamelIn):
    member: str | None = Field(None, max_length=10, description="member code (representatives)")
    function: Literal["", "mayor", "alderman", "council_member", "secretary", "clerk"] = ""


RoleKind = Literal["secretariat", "chair", "board", "representative", "observer"]


def _person(association, username: str):
    """A person with a role in this association (others do not exist for its secretariat)."""
    from besluit.accounts.models import User

    user = (
        User.objects.filter(username=username, code_meeting__isnull=True)
        .filter(roles__association=association)
        .first()
    )
    if user is None:
        raise NotFound(f"No person '{username}' in this association.")
    return user


@api.put(
    "/associations/{slug}/people/{username}/roles/{kind}",
    response=PersonOut,
    tags=["people"],
    summary="Give a person of the association a role (or change its member or function)",
)
def put_role(request, slug: str, username: str, kind: RoleKind, body: RoleIn):
    association = _admin(request, slug)
    user = _person(association, username)
    member = None
    if body.member:
        member = association.members.filter(code=body.member.strip().upper()).first()
        if member is None:
            raise ValidationFailed(
                f"No member '{body.member}' in this association.", field="member"
            )
    role = assoc.do_assign_role(
        actor=request.user,
        user=user,
        association=association,
        kind=kind,
        member=member,
        function=body.function,
    )
    return _person_out(role)


@api.delete(
    "/associations/{slug}/people/{username}/roles/{kind}",
    response={204: None},
    tags=["people"],
)
def delete_role(request, slug: str, username: str, kind: RoleKind):
    association = _admin(request, slug)
    user = _person(association, username)
    role = Role.objects.filter(user=user, association=association, kind=kind).first()
    if role is None:
        raise NotFound(f"'{username}' has no role '{kind}' here.")
    assoc.do_remove_role(actor=request.user, role=role)
    return Status(204, None)
