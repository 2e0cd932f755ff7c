"""Webhook subscriptions and their delivery log through the API (the secretariat's)."""

from datetime import datetime

from django.http import HttpResponse
from ninja import Query, Status
from pydantic import Field

from besluit import access
from besluit.api import schemas as s
from besluit.api.collections import ListParams, Sorting, paginate
from besluit.api.endpoints import _association
from besluit.api.router import api
from besluit.errors import NotFound
from besluit.webhooks import services
from besluit.webhooks.models import Delivery, Subscription


class SubscriptionIn(s.CamelIn):
    url: str = Field(min_length=1, max_length=500)
    events: list[str] = Field(min_length=1, max_length=20)
    description: str = Field("", max_length=200)


class SubscriptionOut(s.Camel):
    id: int
    url: str
    events: list[str]
    description: str
    active: bool
    created_at: datetime


class NewSubscriptionOut(SubscriptionOut):
    secret: str = Field(description="the signing secret (whsec_...); keep it at the receiver")


class AttemptOut(s.Camel):
    at: datetime
    status_code: int | None
    error: str
    duration_ms: int
    recovered: bool = Field(
        description="made by a worker that took over after another stopped while sending "
        "(the receiver may have had this webhook-id already)"
    )


class DeliveryOut(s.Camel):
    webhook_id: str
    event_type: str
    status: str
    attempts: list[AttemptOut]
    next_attempt_at: datetime | None
    created_at: datetime


def _out(x: Subscription) -> SubscriptionOut:
    return SubscriptionOut(
        id=x.pk,
        url=x.url,
        events=x.events,
        description=x.description,
        active=x.active,
        created_at=x.created_at,
    )


def _subscription(request, slug: str, subscription_id: int) -> Subscription:
    association = _association(request, slug)
    access.require_administer(request.user, association)
    found = Subscription.objects.filter(pk=subscription_id, association=association).first()
    if found is None:
        raise NotFound(f"No webhook {subscription_id}.")
    return found


SUBSCRIPTION_SORT = Sorting(fields={"id": lambda x: x.id}, default="id", unique=lambda x: x.id)
DELIVERY_SORT = Sorting(
    fields={"createdAt": lambda d: d[0]}, default="-createdAt", unique=lambda d: d[1].webhook_id
)


@api.get(
    "/associations/{slug}/webhooks",
    response=list[SubscriptionOut],
    tags=["webhooks"],
    description="The association's webhook subscriptions (docs/webhooks.md). "
    + SUBSCRIPTION_SORT.describe(),
)
def list_webhooks(request, response: HttpResponse, slug: str, params: Query[ListParams]):
    association = _association(request, slug)
    access.require_administer(request.user, association)
    items = [_out(x) for x in association.webhook_subscriptions.all()]
    return paginate(request, response, items, params, SUBSCRIPTION_SORT)


@api.post(
    "/associations/{slug}/webhooks",
    response={201: NewSubscriptionOut},
    tags=["webhooks"],
    summary="Subscribe an address to events",
)
def create_webhook(request, slug: str, body: SubscriptionIn):
    association = _association(request, slug)
    subscription = services.do_create_subscription(
        actor=request.user,
        association=association,
        url=body.url,
        events=body.events,
        description=body.description,
    )
    return Status(
        201, NewSubscriptionOut(**_out(subscription).model_dump(), secret=subscription.secret)
    )


@api.delete(
    "/associations/{slug}/webhooks/{subscription_id}", response={204: None}, tags=["webhooks"]
)
def delete_webhook(request, slug: str, subscription_id: s.Id):
    subscription = _subscription(request, slug, subscription_id)
    services.do_delete_subscription(actor=request.user, subscription=subscription)
    return Status(204, None)


@api.post(
    "/associations/{slug}/webhooks/{subscription_id}/test",
    response={202: DeliveryOut},
    tags=["webhooks"],
    summary="Send a test event (webhook.test) through the background worker",
)
def test_webhook(request, slug: str, subscription_id: s.Id):
    subscription = _subscription(request, slug, subscription_id)
    delivery = services.do_send_test(actor=request.user, subscription=subscription)
    return Status(202, _delivery_out(delivery))


def _delivery_out(d: Delivery) -> DeliveryOut:
    return DeliveryOut(
        webhook_id=d.message_id,
        event_type=d.event_type,
        status=d.status,
        attempts=[
            AttemptOut(
                at=a.at,
                status_code=a.status_code,
                error=a.error,
                duration_ms=a.duration_ms,
                recovered=a.recovered,
            )
            for a in d.attempt_log.all()
        ],
        next_attempt_at=d.next_attempt_at,
        created_at=d.created_at,
    )


@api.get(
    "/associations/{slug}/webhooks/{subscription_id}/deliveries",
    response=list[DeliveryOut],
    tags=["webhooks"],
    description="The delivery log, with each attempt. " + DELIVERY_SORT.describe(),
)
def list_webhook_deliveries(
    request, response: HttpResponse, slug: str, subscription_id: s.Id, params: Query[ListParams]
):
    subscription = _subscription(request, slug, subscription_id)
    deliveries = subscription.deliveries.prefetch_related("attempt_log")
    items = [(d.created_at, _delivery_out(d)) for d in deliveries]
    return [d for _, d in paginate(request, response, items, params, DELIVERY_SORT)]
