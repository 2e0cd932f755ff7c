"""API tokens through the API: your own, or (the secretariat) a person's of your association."""

from datetime import datetime

from django.http import HttpResponse
from ninja import Query, Status
from pydantic import Field

from besluit.accounts import tokens
from besluit.accounts.models import ApiToken, User
from besluit.api import schemas as s
from besluit.api.collections import ListParams, Sorting, paginate
from besluit.api.router import api
from besluit.associations.models import Association
from besluit.errors import NotFound, ValidationFailed


class TokenIn(s.CamelIn):
    name: str = Field(min_length=1, max_length=100)
    scopes: list[str] = Field(min_length=1, max_length=3, description="read, write, vote")
    expires_in_days: int = Field(tokens.DEFAULT_DAYS, ge=1, le=tokens.MAX_DAYS)
    username: str | None = Field(
        None, max_length=150, description="a person of `association` (default: yourself)"
    )
    association: str | None = Field(None, max_length=50, description="slug; with username")


class TokenOut(s.Camel):
    id: int
    name: str
    username: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    status: str


class NewTokenOut(TokenOut):
    token: str = Field(description="the secret: shown only in this answer")


def _out(t: ApiToken) -> TokenOut:
    return TokenOut(
        id=t.pk,
        name=t.name,
        username=t.user.username,
        scopes=t.scope_list,
        created_at=t.created_at,
        expires_at=t.expires_at,
        last_used_at=t.last_used_at,
        status=tokens.status(t),
    )


TOKEN_SORT = Sorting(
    fields={"createdAt": lambda t: t.created_at, "name": lambda t: t.name},
    default="-createdAt",
    unique=lambda t: t.id,
)


@api.get(
    "/tokens",
    response=list[TokenOut],
    tags=["tokens"],
    description="Your tokens and those you issued. " + TOKEN_SORT.describe(),
)
def list_tokens(request, response: HttpResponse, params: Query[ListParams]):
    items = [_out(t) for t in tokens.visible_tokens(request.user)]
    return paginate(request, response, items, params, TOKEN_SORT)


@api.post(
    "/tokens",
    response={201: NewTokenOut},
    tags=["tokens"],
    summary="Issue a token (its secret is in this answer only)",
    description="For yourself; or, with `username` and `association`, for a person whose "
    "every role is in that association, if you are its secretariat.",
)
def create_token(request, body: TokenIn):
    user, association = request.user, None
    if body.username is not None:
        if not body.association:
            raise ValidationFailed(
                "A token for someone else names the association.", field="association"
            )
        association = Association.objects.filter(slug=body.association).first()
        if association is None:
            raise NotFound(f"No association '{body.association}'.")
        user = User.objects.filter(username=body.username, code_meeting__isnull=True).first()
        if user is None or not user.roles.filter(association=association).exists():
            raise ValidationFailed(
                f"No person '{body.username}' in this association.", field="username"
            )
    token, raw = tokens.do_issue_token(
        actor=request.user,
        user=user,
        name=body.name,
        scopes=body.scopes,
        expires_in_days=body.expires_in_days,
        association=association,
        ip=request.META.get("REMOTE_ADDR"),
    )
    return Status(201, NewTokenOut(**_out(token).model_dump(), token=raw))


@api.delete("/tokens/{token_id}", response={204: None}, tags=["tokens"])
def revoke_token(request, token_id: s.Id):
    token = tokens.visible_tokens(request.user).filter(pk=token_id).first()
    if token is None:
        raise NotFound(f"No token {token_id}.")
    tokens.do_revoke_token(actor=request.user, token=token, ip=request.META.get("REMOTE_ADDR"))
    return Status(204, None)
