"""The secretariat's webhook pages: subscriptions, their delivery log, a test button."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from besluit.frame.shortcuts import association_for, context, crumbs, run_service
from besluit.webhooks import services
from besluit.webhooks.forms import SubscriptionForm
from besluit.webhooks.models import EVENTS, Subscription


def _subscription(request, slug: str, subscription_id: int):
    association = association_for(request, slug, "administer")
    return association, get_object_or_404(Subscription, pk=subscription_id, association=association)


@login_required
@require_http_methods(["GET", "POST"])
def subscription_list(request, slug):
    association = association_for(request, slug, "administer")
    form = SubscriptionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            subscription = run_service(
                request,
                form,
                lambda: services.do_create_subscription(
                    actor=request.user,
                    association=association,
                    url=data["url"],
                    events=data["events"],
                    description=data["description"],
                ),
            )
            if subscription is not None:
                messages.success(request, _("The webhook has been added."))
                return redirect("webhooks:detail", slug, subscription.pk)
        status = 400
    subscriptions = association.webhook_subscriptions.all()
    ctx = context(
        request,
        association,
        nav_active="webhooks",
        form=form,
        subscriptions=subscriptions,
        crumbs=crumbs(association, (_("Webhooks"), "")),
    )
    return render(request, "webhooks/list.html", ctx, status=status)


@login_required
def subscription_detail(request, slug, subscription_id):
    association, subscription = _subscription(request, slug, subscription_id)
    deliveries = subscription.deliveries.prefetch_related("attempt_log")[:50]
    ctx = context(
        request,
        association,
        nav_active="webhooks",
        subscription=subscription,
        deliveries=deliveries,
        event_labels=[EVENTS[e] for e in subscription.events if e in EVENTS],
        crumbs=crumbs(
            association,
            (_("Webhooks"), reverse("webhooks:list", args=[slug])),
            (subscription.url, ""),
        ),
    )
    return render(request, "webhooks/detail.html", ctx)


@login_required
@require_POST
def subscription_test(request, slug, subscription_id):
    _association, subscription = _subscription(request, slug, subscription_id)
    services.do_send_test(actor=request.user, subscription=subscription)
    messages.success(request, _("A test event has been queued; its attempts appear below."))
    return redirect("webhooks:detail", slug, subscription.pk)


@login_required
@require_POST
def subscription_toggle(request, slug, subscription_id):
    _association, subscription = _subscription(request, slug, subscription_id)
    services.do_set_active(
        actor=request.user, subscription=subscription, active=not subscription.active
    )
    return redirect("webhooks:detail", slug, subscription.pk)


@login_required
@require_POST
def subscription_delete(request, slug, subscription_id):
    _association, subscription = _subscription(request, slug, subscription_id)
    services.do_delete_subscription(actor=request.user, subscription=subscription)
    messages.success(request, _("The webhook has been removed."))
    return redirect("webhooks:list", slug)


base = "<slug:slug>/webhooks/"
urlpatterns = [
    path(base, subscription_list, name="list"),
    path(f"{base}<id:subscription_id>/", subscription_detail, name="detail"),
    path(f"{base}<id:subscription_id>/test/", subscription_test, name="test"),
    path(f"{base}<id:subscription_id>/pauzeren/", subscription_toggle, name="toggle"),
    path(f"{base}<id:subscription_id>/verwijderen/", subscription_delete, name="delete"),
]
