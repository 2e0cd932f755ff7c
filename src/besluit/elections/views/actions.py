"""The buttons of an election: consent, withdraw, voordracht, admission, rounds."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from besluit.frame.shortcuts import domain_guard, run_service

from .. import services as el
from .common import candidacy_for, election_for, election_url

CANDIDACY_ACTIONS = {
    "instemmen": (lambda u, c: el.do_consent(actor=u, candidacy=c, accept=True), _("Accepted.")),
    "weigeren": (lambda u, c: el.do_consent(actor=u, candidacy=c, accept=False), _("Declined.")),
    "terugtrekken": (lambda u, c: el.do_withdraw(actor=u, candidacy=c), _("Withdrawn.")),
    "voordragen": (
        lambda u, c: el.do_recommend(actor=u, candidacy=c, recommended=True),
        _("Recommended by the board."),
    ),
    "niet-voordragen": (
        lambda u, c: el.do_recommend(actor=u, candidacy=c, recommended=False),
        _("No longer recommended by the board."),
    ),
    "toelaten": (lambda u, c: el.do_admit_late(actor=u, candidacy=c), _("Admitted.")),
    "niet-toelaten": (
        lambda u, c: el.do_admit_late(actor=u, candidacy=c, admit=False),
        _("Not admitted."),
    ),
}

ROUND_ACTIONS = {
    "openen": (el.do_open_round, _("The round is open: members can vote.")),
    "sluiten": (el.do_close_round, _("The round is closed and counted.")),
    "onbetwist": (el.do_declare_unopposed, _("The candidates are elected unopposed.")),
}


def _back(request, election) -> str:
    back = request.POST.get("back", "")
    # Only our own pages: a path on this site, never another host.
    return back if back.startswith("/") and not back.startswith("//") else election_url(election)


@login_required
@domain_guard
@require_POST
def candidacy_action(request, slug, election_id, number, action):
    election = election_for(request, slug, election_id)
    if action not in CANDIDACY_ACTIONS:
        raise Http404("No such action.")
    candidacy = candidacy_for(election, number)
    call, done = CANDIDACY_ACTIONS[action]
    if run_service(request, None, lambda: call(request.user, candidacy)) is not None:
        messages.success(request, str(done))
    return redirect(election_url(election) + "#kandidaten")


@login_required
@domain_guard
@require_POST
def round_action(request, slug, election_id, action):
    election = election_for(request, slug, election_id)
    if action not in ROUND_ACTIONS:
        raise Http404("No such action.")
    call, done = ROUND_ACTIONS[action]
    if run_service(request, None, lambda: call(actor=request.user, election=election)):
        messages.success(request, str(done))
    return redirect(_back(request, election))
