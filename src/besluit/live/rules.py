"""The association's voting rules for the console: default quorum and majority, and the
turnout below which closing a vote asks for a confirmation. Set by the secretariat."""

from decimal import Decimal

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from besluit.frame.shortcuts import association_for, context, crumbs, run_form
from besluit.live import queue
from besluit.voting.models import Poll


class VotingDefaultsForm(forms.Form):
    use_required_attribute = False

    default_majority = forms.ChoiceField(
        label=gettext_lazy("Majority"), choices=Poll.Majority.choices, widget=forms.RadioSelect
    )
    default_quorum = forms.DecimalField(
        label=gettext_lazy("Quorum (% of the eligible weight)"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        decimal_places=2,
        help_text=gettext_lazy(
            "The share of the weight that must take part, abstentions included. 0: none."
        ),
    )
    turnout_warning = forms.DecimalField(
        label=gettext_lazy("Ask to confirm closing below this turnout (%)"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        decimal_places=2,
        help_text=gettext_lazy(
            "Of the members or of the weight. The console then shows the turnout and asks "
            "the chair to confirm. 0: never."
        ),
    )


@login_required
def voting_rules(request, slug):
    association = association_for(request, slug, "administer")
    initial = {
        "default_majority": association.default_majority,
        "default_quorum": association.default_quorum * 100,
        "turnout_warning": association.turnout_warning * 100,
    }
    form = VotingDefaultsForm(request.POST or None, initial=initial)
    if request.method == "POST":
        done = run_form(
            request,
            form,
            lambda d: queue.do_set_voting_defaults(
                actor=request.user,
                association=association,
                default_quorum=d["default_quorum"] / 100,
                default_majority=d["default_majority"],
                turnout_warning=d["turnout_warning"] / 100,
            ),
            _("The voting rules have been saved."),
        )
        if done is not None:
            return redirect("live:voting_rules", slug)
    return render(
        request,
        "live/voting_rules.html",
        context(
            request,
            association,
            form=form,
            nav_active="overview",
            crumbs=crumbs(association, (_("Voting rules"), "")),
        ),
    )
