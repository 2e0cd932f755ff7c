"""The analysis page's form (GET): which alternatives, which quota, a draft table."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from besluit.core import power as core_power
from besluit.core import weights as core_weights
from besluit.core.messages import translated

DEFAULT_ALTERNATIVES = ["proportional", "sqrt", "equal"]
DRAFT_MAX_CHARS = 5_000


class AnalysisForm(forms.Form):
    """Never saves anything. ``draft`` exists only for those who may administer."""

    rules = forms.MultipleChoiceField(
        label=_("Compare the current rule with"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        initial=DEFAULT_ALTERNATIVES,
        choices=[
            ("brackets", _("the example bracket table (1 to 17 votes)")),
            ("proportional", _("proportional: one vote per inhabitant")),
            ("sqrt", _("square root of the number of inhabitants")),
            ("equal", _("one member, one vote")),
        ],
    )
    quota = forms.ChoiceField(
        label=_("Majority"),
        widget=forms.RadioSelect,
        initial=core_power.Quota.SIMPLE.value,
        choices=[
            (core_power.Quota.SIMPLE.value, _("more than half of the total weight")),
            (core_power.Quota.TWO_THIRDS.value, _("at least two thirds of the total weight")),
        ],
    )
    index = forms.ChoiceField(
        label=_("The charts show"),
        widget=forms.RadioSelect,
        required=False,
        initial="banzhaf",
        choices=[
            ("banzhaf", _("the Banzhaf index (share of swings)")),
            ("shapley_shubik", _("the Shapley-Shubik index (share of pivotal orders)")),
        ],
    )
    draft = forms.CharField(
        label=_("Draft bracket table"),
        required=False,
        max_length=DRAFT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text=_(
            "One bracket per line: from how many inhabitants, then the votes, e.g. "
            "'0: 1', '10000: 2', '25.000: 3'. It is analysed next to the other rules and "
            "never saved; the rule in force does not change."
        ),
    )

    def __init__(self, data=None, *, allow_draft: bool = False):
        super().__init__(data)
        if not allow_draft:
            del self.fields["draft"]

    def clean_draft(self) -> tuple[core_weights.Bracket, ...] | None:
        text = self.cleaned_data["draft"]
        if not text.strip():
            return None
        try:
            return core_weights.parse_brackets(text)
        except core_weights.WeightRuleError as exc:
            raise ValidationError(translated(exc.messages, gettext)) from None

    def choices(self) -> dict:
        """What to analyse: the cleaned values, or the defaults when nothing was sent.

        Call only when the form is unbound or valid.
        """
        if not self.is_bound:
            return {
                "rules": DEFAULT_ALTERNATIVES,
                "quota": "simple",
                "index": "banzhaf",
                "draft": None,
            }
        return {
            "rules": self.cleaned_data["rules"],
            "quota": self.cleaned_data["quota"],
            "index": self.cleaned_data["index"] or "banzhaf",
            "draft": self.cleaned_data.get("draft"),
        }
