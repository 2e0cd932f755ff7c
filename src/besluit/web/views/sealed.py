"""Encrypted secret polls on the web: the sealed vote, the trustees' pages and their calls.

The browser does the cryptography (voting/static/voting/*.js); these views hand it the
public values and take back ballots, keys, boxed shares and decryption shares, each
checked by voting.encrypted or voting.trustees before anything is stored. The JSON
answers carry a Dutch ``detail`` (the user's language) for the page to show.
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from besluit import access
from besluit.associations.models import Role
from besluit.core import votelog as vl
from besluit.errors import DomainError, PermissionDenied
from besluit.frame.shortcuts import (
    association_for,
    client_ip,
    context,
    meeting_for,
    require,
    run_service,
)
from besluit.voting import encrypted, selectors, trustees
from besluit.voting import log as vote_log
from besluit.voting.models import Election, Poll, Trustee
from besluit.web.presenting import meeting_crumbs


def _problem(exc: DomainError) -> JsonResponse:
    return JsonResponse(
        {"title": _("Refused"), "status": exc.status, "detail": _(exc.message)},
        status=exc.status,
        content_type="application/problem+json",
    )


def _hex(request, name: str) -> bytes:
    try:
        return bytes.fromhex(request.POST.get(name, ""))
    except ValueError:
        return b""


# --- voting ------------------------------------------------------------------


@login_required
@require_POST
def poll_vote_sealed(request, slug, poll_id):
    """A sealed ballot from the vote page's script; answers the receipt as JSON."""
    association = association_for(request, slug)
    poll = selectors.poll_in(association, poll_id)
    req = encrypted.SealedRequest(
        user_id=request.user.pk,
        ballot=_hex(request, "ballot"),
        request_key=request.POST.get("request_key", ""),
        ip=client_ip(request),
        for_member=request.POST.get("member", "")[:10],
    )
    try:
        receipt = encrypted.cast_sealed(poll.pk, req)
    except DomainError as exc:
        return _problem(exc)
    return JsonResponse(
        {
            "tracker": receipt.tracker,
            "replayed": receipt.replayed,
            "receipt": receipt.as_json(),
            "check": request.build_absolute_uri(reverse("web:check_receipt")),
        },
        status=200 if receipt.replayed else 201,
    )


# --- trustees: who, and the setup by the chair -----------------------------------------


def _candidates(association):
    roles = Role.objects.filter(
        association=association,
        kind__in=[Role.Kind.CHAIR, Role.Kind.BOARD, Role.Kind.SECRETARIAT],
    ).select_related("user")
    seen, out = set(), []
    for role in roles.order_by("user__username"):
        if role.user_id not in seen and role.user.code_meeting_id is None:
            seen.add(role.user_id)
            out.append(role.user)
    return out


@login_required
@require_http_methods(["GET", "POST"])
def trustees_page(request, slug, meeting_id):
    """Who the trustees are and what their absence means; the chair appoints them."""
    meeting = meeting_for(request, slug, meeting_id)
    association = meeting.association
    election = Election.objects.filter(meeting=meeting).first()
    candidates = _candidates(association)
    error = ""
    if request.method == "POST":
        require(request, association, "chair")
        ids = {int(i) for i in request.POST.getlist("trustees") if i.isdigit()}
        chosen = [u for u in candidates if u.pk in ids]
        try:
            threshold = int(request.POST.get("threshold", "0"))
        except ValueError:
            threshold = 0
        done = run_service(
            request,
            None,
            lambda: trustees.do_create_election(
                actor=request.user,
                meeting=meeting,
                trustees=chosen,
                threshold=threshold,
                server=request.POST.get("server") == "1",
            ),
        )
        if done is not None:
            messages.success(request, _("The trustees have been appointed."))
            return redirect("web:trustees", slug, meeting.pk)
        error = _("The trustees could not be appointed.")
    mine = None
    if election is not None:
        mine = election.trustees.filter(user=request.user, is_server=False).first()
    can_chair = access.can_chair(request.user, association)
    return render(
        request,
        "web/sealed/trustees.html",
        context(
            request,
            association,
            meeting=meeting,
            election=election,
            trustee_list=list(election.trustees.all()) if election else [],
            mine=mine,
            candidates=candidates,
            can_chair=can_chair,
            refusals=_refusals(election) if election and (can_chair or mine) else [],
            error=error,
            crumbs=meeting_crumbs(meeting, (_("Trustees"), "")),
        ),
        status=400 if error else 200,
    )


# --- the trustee's own page and its calls ------------------------------------------------


def _my_trustee(request, slug, meeting_id) -> tuple[Election, Trustee]:
    meeting = meeting_for(request, slug, meeting_id)
    election = Election.objects.filter(meeting=meeting).first()
    if election is None:
        raise PermissionDenied(_("You are not a trustee of this meeting."))
    return election, trustees.trustee_of(request.user, election)


@login_required
@require_GET
def trustee_desk(request, slug, meeting_id):
    try:
        election, me = _my_trustee(request, slug, meeting_id)
    except PermissionDenied as exc:
        raise Forbidden(_(exc.message)) from exc
    meeting = election.meeting
    return render(
        request,
        "web/sealed/trustee_desk.html",
        context(
            request,
            meeting.association,
            meeting=meeting,
            election=election,
            me=me,
            waiting=list(_waiting(election)),
            refusals=_refusals(election),
            crumbs=meeting_crumbs(
                meeting,
                (_("Trustees"), reverse("web:trustees", args=[slug, meeting.pk])),
                (_("Your key"), ""),
            ),
        ),
    )


def _refusals(election: Election) -> list:
    """Each of the election's polls with its refused decryption shares (shown to the chair
    and the trustees)."""
    polls = Poll.objects.filter(election=election, status=Poll.Status.CLOSED).order_by("closed_at")
    found = [(p, trustees.refused_shares(p)) for p in polls]
    return [(p, items) for p, items in found if items]


def _waiting(election: Election):
    return Poll.objects.filter(
        election=election, status=Poll.Status.CLOSED, result__isnull=True
    ).order_by("closed_at")


@login_required
@require_GET
def trustee_state(request, slug, meeting_id):
    try:
        election, me = _my_trustee(request, slug, meeting_id)
    except DomainError as exc:
        return _problem(exc)
    state = trustees.ceremony_state(election)
    state.update(
        index=me.index,
        has_key=bool(me.comm_key),
        dealt=me.dealt,
        inbox=trustees.inbox(election, me),
        polls=[
            {
                "id": str(p.public_id),
                "title": p.title,
                "weighted": p.sealed["weighted"],
                "counts": p.sealed["counts"],
                "submitted": p.tally_shares.filter(trustee=me).exists(),
                "url": reverse("web:trustee_tally", args=[slug, p.public_id]),
            }
            for p in _waiting(election)
        ],
    )
    return JsonResponse(state)


@login_required
@require_POST
def trustee_step(request, slug, meeting_id, step):
    try:
        election, _me = _my_trustee(request, slug, meeting_id)
        if step == "key":
            trustees.do_submit_trustee_key(
                actor=request.user,
                election=election,
                comm_key=_hex(request, "comm_key"),
                commitment=_hex(request, "commitment"),
            )
        else:
            shares = json.loads(request.POST.get("shares", "[]"))
            trustees.do_submit_trustee_shares(
                actor=request.user,
                election=election,
                shares=[bytes.fromhex(s) for s in shares if isinstance(s, str)],
            )
    except (ValueError, TypeError):
        return _problem(DomainError(_("The request could not be read.")))
    except DomainError as exc:
        return _problem(exc)
    election.refresh_from_db()
    return JsonResponse({"status": election.status})


@login_required
@require_POST
def trustee_tally(request, slug, poll_id):
    association = association_for(request, slug)
    poll = selectors.poll_in(association, poll_id)
    try:
        poll = trustees.do_submit_tally_share(
            actor=request.user,
            poll=poll,
            weights=_hex(request, "weights"),
            counts=_hex(request, "counts"),
        )
    except DomainError as exc:
        return _problem(exc)
    return JsonResponse({"decided": poll.result is not None})


# --- public: check a receipt ------------------------------------------------------------


@require_GET
def check_receipt(request):
    """ "Controleer uw stem": the check runs in the browser (receipt.js), no login."""
    public = vl.public_key_for(vote_log.private_key())
    return render(
        request,
        "web/sealed/check.html",
        {"public_key": public.hex(), "key_id": vl.key_id(public)},
    )


M = "<slug:slug>/vergaderingen/<id:meeting_id>/"
P = "<slug:slug>/stemmingen/<uuid:poll_id>/"

urlpatterns = [
    path(P + "stem/versleuteld/", poll_vote_sealed, name="poll_vote_sealed"),
    path(P + "ontsleutelen/", trustee_tally, name="trustee_tally"),
    path(M + "stembeheerders/", trustees_page, name="trustees"),
    path(M + "stembeheerders/mijn-sleutel/", trustee_desk, name="trustee_desk"),
    path(M + "stembeheerders/stand/", trustee_state, name="trustee_state"),
    path(M + "stembeheerders/sleutel/", trustee_step, {"step": "key"}, name="trustee_key"),
    path(M + "stembeheerders/delen/", trustee_step, {"step": "shares"}, name="trustee_shares"),
    path("controleer-uw-stem/", check_receipt, name="check_receipt"),
]
