"""Helpers every page uses: find the object, check access, report domain errors, and
the context, breadcrumbs and guards of an association's pages."""

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from besluit import access
from besluit.associations.models import Association
from besluit.errors import DomainError, NotFound
from besluit.errors import PermissionDenied as DomainPermissionDenied
from besluit.languages import use_association_language
from besluit.meetings.models import Meeting
from besluit.proposals.models import Motion


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


def is_htmx(request: HttpRequest) -> bool:
    """Whether htmx sent the request (it then wants a fragment, not a page)."""
    return request.headers.get("HX-Request") == "true"


# What each capability checks and what a user without it is told (a 403 page).
_CAPABILITIES: dict[str, tuple[Callable[..., bool], str]] = {
    "administer": (access.can_administer, "Only the secretariat may do this."),
    "chair": (access.can_chair, "Only the chair or the secretariat may do this."),
    "follow_up": (access.can_follow_up, "Only the board or the secretariat may do this."),
}


def require(request: HttpRequest, association: Association, capability: str) -> None:
    """Refuse with a 403 page unless the user has the capability in the association."""
    allowed, message = _CAPABILITIES[capability]
    if not allowed(request.user, association):
        raise PermissionDenied(_(message))


def association_for(request: HttpRequest, slug: str, capability: str | None = None) -> Association:
    """The association, if the user may see it; 404 otherwise (existence is no one's business).
    With ``capability``, a 403 page unless the user has it there (see ``require``)."""
    association = get_object_or_404(Association, slug=slug)
    if not access.can_view(request.user, association):
        raise Http404("No such association.")
    use_association_language(request, association)
    if capability is not None:
        require(request, association, capability)
    return association


def meeting_for(
    request: HttpRequest, slug: str, meeting_id: int, capability: str | None = None
) -> Meeting:
    """The meeting of a visible association (else 404); with ``capability``, then a 403 page
    unless the user has it in the association."""
    association = association_for(request, slug)
    meeting = get_object_or_404(
        Meeting.objects.select_related("association"), pk=meeting_id, association=association
    )
    if capability is not None:
        require(request, association, capability)
    return meeting


def domain_guard(view):
    """Map the domain's NotFound and PermissionDenied (the access guards') onto a 404
    and a 403 page, not a 500."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except DomainPermissionDenied as exc:
            raise PermissionDenied(exc.message) from exc

    return wrapped


def run_service(request: HttpRequest, form, call: Callable[[], Any]) -> Any | None:
    """Call a service; on a domain error put the message on the form (or in messages).

    Returns the service's result, or None when it refused.
    """
    try:
        return call()
    except DomainError as exc:
        if form is not None:
            field = exc.field if exc.field in getattr(form, "fields", {}) else None
            form.add_error(field, exc.message)
            for problem in exc.problems[1:20]:
                form.add_error(None, problem)
        else:
            messages.error(request, refusal(exc))
        return None


def run_form(
    request: HttpRequest, form, call: Callable[[dict], Any], success: str | Callable[[Any], str]
) -> Any | None:
    """The POST of a form that calls one service: when the form is valid, call the
    service with its cleaned data (domain errors go onto the form, as in run_service) and
    say ``success`` (or ``success(result)``). Returns the result, or None when the form or
    the service refused, so the view renders the form again with status 400."""
    if not form.is_valid():
        return None
    result = run_service(request, form, lambda: call(form.cleaned_data))
    if result is not None:
        messages.success(request, success(result) if callable(success) else success)
    return result


def say_submitted(request: HttpRequest, submission, on_time: str) -> None:
    """Confirm a motion or amendment with ``on_time``; one received after the deadline is
    told instead that the chair decides whether it is admitted."""
    if not submission.is_late:
        messages.success(request, on_time)
    elif isinstance(submission, Motion):
        messages.warning(
            request,
            _(
                "Your motion has been received after the deadline (late, nagekomen). "
                "The chair decides whether it is admitted."
            ),
        )
    else:
        messages.warning(
            request,
            _(
                "Your amendment has been received after the deadline (late, "
                "nagekomen). The chair decides whether it is admitted."
            ),
        )


def refusal(exc: DomainError) -> str:
    """A refusal's message for a page, with its link (``exc.link``) when it has one."""
    if exc.link is None:
        return exc.message
    url, label = exc.link
    return format_html(
        '{} <a class="utrecht-link utrecht-link--html-a" href="{}">{}</a>', exc.message, url, label
    )


def crumbs(association: Association | None = None, *more: tuple[str, str]) -> list:
    """Breadcrumbs: (label, url) pairs from home to the current page."""
    trail = [(_("Home"), reverse("web:home"))]
    if association is not None:
        trail.append(
            (
                association.short_name or association.name,
                reverse("web:association", args=[association.slug]),
            )
        )
    return [*trail, *more]


def context(request: HttpRequest, association: Association, **extra) -> dict:
    """The context every association page needs (the menu depends on the roles)."""
    user = request.user
    standing = access.standing(user, association)
    return {
        "association": association,
        "standing": standing,
        "can_view": access.can_view(user, association),
        "can_administer": access.can_administer(user, association),
        "can_chair": access.can_chair(user, association),
        "can_follow_up": access.can_follow_up(user, association),
        "can_give_pre_advice": access.can_give_pre_advice(user, association),
        "my_member": standing.member,
        **extra,
    }
