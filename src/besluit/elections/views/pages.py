"""Election pages: the list of a meeting, an election, a candidate, the ballot, the board."""

import base64

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from besluit import access
from besluit.core import votelog
from besluit.errors import DomainError
from besluit.frame.shortcuts import (
    association_for,
    context,
    crumbs,
    domain_guard,
    meeting_for,
    require,
    run_service,
)
from besluit.opendata import formats

from .. import chart, publish, selectors
from .. import popolo as election_popolo
from .. import services as el
from ..forms import BodyForm, ElectionForm, NominationForm, StatementForm
from ..models import CandidatePhoto, Election
from .common import candidacy_for, election_crumbs, election_for, election_url


@login_required
@require_http_methods(["GET", "POST"])
def election_list(request, slug, meeting_id):
    meeting = meeting_for(request, slug, meeting_id)
    association = meeting.association
    form = None
    if access.can_chair(request.user, association):
        form = ElectionForm(request.POST or None, association=association)
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            election = run_service(
                request,
                form,
                lambda: el.do_create_election(
                    actor=request.user,
                    meeting=meeting,
                    body=d["body"],
                    title=d["title"],
                    seats=d["seats"],
                    term_starts=d["term_starts"],
                    term_ends=d["term_ends"],
                    method=d["method"],
                    max_approvals=d["max_approvals"],
                    nomination_deadline=d["nomination_deadline"],
                    late_nominations=d["late_nominations"],
                    is_secret=d["is_secret"],
                    allow_unopposed=d["allow_unopposed"],
                    who_may_stand=d["who_may_stand"],
                ),
            )
            if election is not None:
                return redirect(election_url(election))
    elif request.method == "POST":
        require(request, association, "chair")
    ctx = context(
        request,
        association,
        meeting=meeting,
        elections=selectors.elections_of(meeting),
        form=form,
        crumbs=crumbs(
            association,
            (_("Meetings"), reverse("web:meetings", args=[slug])),
            (meeting.title, reverse("web:meeting", args=[slug, meeting.pk])),
            (_("Elections"), ""),
        ),
    )
    status = 400 if form is not None and form.errors else 200
    return render(request, "elections/list.html", ctx, status=status)


def _detail_context(request, election: Election, **extra) -> dict:
    association = election.meeting.association
    user = request.user
    member = access.represented_member(user, association)
    rnd = selectors.open_round(election)
    table = selectors.count_table(election)
    cands = selectors.candidacies(election)
    nominating = election.status == Election.Status.NOMINATING
    may_board = access.can_give_pre_advice(user, association)
    for c in cands:
        c.may_speak = nominating and (
            c.user_id == getattr(user, "pk", None) or access.can_administer(user, association)
        )
    return context(
        request,
        association,
        meeting=election.meeting,
        election=election,
        candidacies=cands,
        open_round=rnd,
        participation=selectors.participation(rnd) if rnd else None,
        has_voted=selectors.has_voted(rnd, member),
        may_nominate=nominating and (may_board or member is not None),
        may_recommend=nominating and may_board,
        nomination_form=extra.pop("nomination_form", None) or NominationForm(),
        table=table,
        chart=chart.count_chart(table),
        rounds=list(election.rounds.order_by("number")),
        named_ballots=selectors.named_ballots(election),
        crumbs=election_crumbs(election, (election.title, "")),
        **extra,
    )


@login_required
@require_GET
def election_detail(request, slug, election_id):
    election = election_for(request, slug, election_id)
    return render(request, "elections/detail.html", _detail_context(request, election))


@login_required
@require_http_methods(["POST"])
def nominate(request, slug, election_id):
    election = election_for(request, slug, election_id)
    form = NominationForm(request.POST)
    by_board = request.POST.get("by") == "board"
    candidate_user = None
    if form.is_valid() and form.cleaned_data["username"]:
        candidate_user = (
            get_user_model()
            .objects.filter(
                username=form.cleaned_data["username"],
                roles__association=election.meeting.association,
            )
            .first()
        )
        if candidate_user is None:
            form.add_error("username", _("Nobody with this username has a role here."))
    if form.is_valid():
        d = form.cleaned_data
        done = run_service(
            request,
            form,
            lambda: el.do_nominate(
                actor=request.user,
                election=election,
                name=d["name"],
                function=d["function"],
                statement=d["statement"],
                user=candidate_user,
                by_board=by_board,
            ),
        )
        if done is not None:
            return redirect(election_url(election) + "#kandidaten")
    ctx = _detail_context(request, election, nomination_form=form)
    return render(request, "elections/detail.html", ctx, status=400)


@login_required
@domain_guard
@require_http_methods(["GET", "POST"])
def candidate(request, slug, election_id, number):
    election = election_for(request, slug, election_id)
    candidacy = candidacy_for(election, number)
    association = election.meeting.association
    own = candidacy.user_id == request.user.pk
    if not (own or access.can_administer(request.user, association)):
        raise Http404("No such candidate page.")
    form = StatementForm(
        request.POST or None, request.FILES or None, initial={"statement": candidacy.statement}
    )
    if request.method == "POST" and form.is_valid():
        done = run_service(
            request,
            form,
            lambda: el.do_set_statement(
                actor=request.user,
                candidacy=candidacy,
                statement=form.cleaned_data["statement"],
                photo=form.cleaned_data["photo"],
            ),
        )
        if done is not None:
            return redirect(election_url(election) + "#kandidaten")
    ctx = context(
        request,
        association,
        election=election,
        candidacy=candidacy,
        form=form,
        crumbs=election_crumbs(
            election, (election.title, election_url(election)), (candidacy.name, "")
        ),
    )
    return render(request, "elections/candidate.html", ctx, status=400 if form.errors else 200)


@login_required
@require_GET
def photo(request, slug, election_id, number):
    election = election_for(request, slug, election_id)
    candidacy = candidacy_for(election, number)
    try:
        stored = candidacy.photo
    except CandidatePhoto.DoesNotExist as exc:
        raise Http404("No photo.") from exc
    try:
        handle = stored.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The file is missing.") from exc
    response = FileResponse(handle, content_type=stored.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=300"
    return response


def _ballot_choice(election: Election, post) -> object:
    """What the ballot form sent, in the service's terms (the service checks it)."""
    if election.method == Election.Method.TWO_ROUND:
        return post.get("choice", "")
    if election.method == Election.Method.APPROVAL:
        return post.getlist("approve")
    ranks = {}
    for name, value in post.items():
        if name.startswith("rank-") and value.strip():
            value = value.strip()
            ranks[name[5:]] = int(value) if value.isdigit() and len(value) < 4 else value
    return ranks


def _receipt_download(ballot) -> str:
    """The voter's receipt as a data: URL for the download link (kept nowhere else)."""
    receipt = getattr(ballot, "receipt", None)
    if not receipt:
        return ""
    data = base64.b64encode(votelog.canonical_json(receipt)).decode()
    return f"data:application/json;base64,{data}"


@login_required
@require_http_methods(["GET", "POST"])
def vote(request, slug, election_id):
    election = election_for(request, slug, election_id)
    association = election.meeting.association
    member = access.represented_member(request.user, association)
    rnd = selectors.open_round(election)
    error, receipt, status = "", None, 200
    submitted: dict = {}
    if request.method == "POST":
        choice = _ballot_choice(election, request.POST)
        submitted = choice if isinstance(choice, dict) else {}
        try:
            receipt = el.do_cast(actor=request.user, election=election, choice=choice)
        except DomainError as exc:
            error, status = exc.message, 400 if exc.status == 400 else exc.status
    cands = []
    if rnd is not None:
        by_key = {c.key: c for c in selectors.candidacies(election)}
        cands = [by_key[k] for k in rnd.candidates if k in by_key]
        for c in cands:
            c.rank_given = str(submitted.get(c.key, ""))
    ctx = context(
        request,
        association,
        election=election,
        open_round=rnd,
        candidates=cands,
        positions=range(1, len(cands) + 1),
        member=member,
        has_voted=selectors.has_voted(rnd, member) and receipt is None,
        receipt=receipt,
        receipt_download=_receipt_download(receipt),
        error=error,
        crumbs=election_crumbs(election, (election.title, election_url(election)), (_("Vote"), "")),
    )
    return render(request, "elections/vote.html", ctx, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def board(request, slug):
    association = association_for(request, slug)
    form = None
    if access.can_administer(request.user, association):
        form = BodyForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            done = run_service(
                request,
                form,
                lambda: el.do_create_body(
                    actor=request.user,
                    association=association,
                    kind=form.cleaned_data["kind"],
                    name=form.cleaned_data["name"],
                ),
            )
            if done is not None:
                return redirect(reverse("elections:board", args=[slug]))
    elif request.method == "POST":
        require(request, association, "administer")
    ctx = context(
        request,
        association,
        bodies=selectors.bodies_with_seats(association),
        form=form,
        nav_active="board",
        crumbs=crumbs(association, (_("Board and committees"), "")),
    )
    return render(request, "elections/board.html", ctx, status=400 if form and form.errors else 200)


@login_required
@require_GET
def bundle(request, slug, election_id):
    election = election_for(request, slug, election_id)
    if election.status != Election.Status.DECIDED:
        raise Http404("Not decided yet.")
    response = HttpResponse(publish.bundle_bytes(election), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="verkiezing-{election.public_id}.json"'
    return response


@login_required
@require_GET
def popolo(request, slug, election_id):
    election = election_for(request, slug, election_id)
    return HttpResponse(
        formats.to_json(election_popolo.parts(election)), content_type="application/json"
    )
