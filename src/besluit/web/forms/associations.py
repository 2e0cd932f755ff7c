"""Forms for the members register, weights and people of an association."""

import re
from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import (
    password_validators_help_texts,
    validate_password,
)
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from besluit.accounts.models import User
from besluit.accounts.services import SCOPE_SEPARATOR, scoped_username
from besluit.associations.models import Association, Member, Role, WeightRule
from besluit.core import weights as core_weights
from besluit.core.messages import translated


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class MemberFilterForm(forms.Form):
    """The members register's filters (GET): never invalid, unknown values are ignored."""

    q = forms.CharField(label=_("Search by name or code"), required=False, max_length=100)
    province = forms.ChoiceField(label=_("Province"), required=False)
    network = forms.ChoiceField(label=_("Network"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("name", _("name (A–Z)")),
            ("-name", _("name (Z–A)")),
            ("-inhabitants", _("inhabitants (most first)")),
            ("inhabitants", _("inhabitants (fewest first)")),
            ("-weight", _("weight (most first)")),
            ("weight", _("weight (least first)")),
        ],
    )

    def __init__(self, data, *, provinces: list[str], networks: list[str]):
        super().__init__(data)
        self.fields["province"].choices = [("", _("All provinces"))] + [(p, p) for p in provinces]
        self.fields["network"].choices = [("", _("All networks"))] + [(n, n) for n in networks]

    def values(self) -> dict[str, str]:
        """The valid filters; an invalid one counts as not given."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {
            "q": cleaned.get("q", "").strip(),
            "province": cleaned.get("province", ""),
            "network": cleaned.get("network", ""),
            "sort": cleaned.get("sort") or "name",
        }


class MemberImportForm(forms.Form):
    file = forms.FileField(
        label=_("Register file (CSV)"),
        help_text=_("A CSV file in UTF-8, separated by commas or semicolons."),
    )
    reference_date = forms.DateField(
        label=_("Reference date (peildatum)"),
        required=False,
        widget=DateInput,
        help_text=_("Used for rows without their own peildatum. Leave empty for today's date."),
    )


class WeightOverrideForm(forms.Form):
    weight = forms.DecimalField(
        label=_("Weight override"),
        required=False,
        min_value=Decimal(0),
        max_digits=18,
        decimal_places=6,
        help_text=_("Leave empty to use the weight computed from the inhabitants."),
    )
    reason = forms.CharField(
        label=_("Reason for the override"),
        required=False,
        max_length=300,
        help_text=_("For example the board decision that set it."),
    )
    # Not "(optional)": the service refuses an override without its reason.
    reason.required_when = _("required with an override")


class NetworksForm(forms.Form):
    codes = forms.CharField(
        label=_("Networks"),
        required=False,
        max_length=300,
        help_text=_("Network codes separated by commas or spaces, e.g. G40 P10."),
    )

    def clean_codes(self) -> list[str]:
        codes = [c for c in re.split(r"[\s,;]+", self.cleaned_data["codes"]) if c]
        bad = [c for c in codes if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,19}", c)]
        if bad:
            raise ValidationError(
                _("Not a network code: %(codes)s. Use letters, digits, - and _ (at most 20)."),
                params={"codes": ", ".join(bad)},
            )
        return list(dict.fromkeys(c.upper() for c in codes))


class WeightRuleForm(forms.Form):
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput)
    kind = forms.ChoiceField(label=_("Kind of rule"), choices=WeightRule.Kind.choices)
    brackets = forms.CharField(
        label=_("Bracket table"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
        help_text=_(
            "Only for a bracket table: one line per bracket, 'from inhabitants: votes', "
            "e.g. '0: 1' and '10.000: 2'. The first bracket starts at 0; "
            "lines starting with # are ignored."
        ),
    )
    per_inhabitants = forms.DecimalField(
        label=_("Per number of inhabitants"),
        initial=Decimal(1),
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
        help_text=_(
            "Proportional and square-root rules: inhabitants are divided by this number first."
        ),
    )
    decimals = forms.IntegerField(
        label=_("Decimals"),
        initial=2,
        min_value=0,
        max_value=core_weights.MAX_DECIMALS,
        help_text=_("Computed weights are rounded (half up) to this many decimals."),
    )
    label = forms.CharField(label=_("Label"), required=False, max_length=200)
    is_example = forms.BooleanField(
        label=_("This is an example, not a rule from the statutes"), required=False
    )

    def clean(self):
        cleaned = super().clean()
        cleaned["parsed_brackets"] = ()
        if cleaned.get("kind") == WeightRule.Kind.BRACKETS:
            try:
                cleaned["parsed_brackets"] = core_weights.parse_brackets(
                    cleaned.get("brackets", "")
                )
            except core_weights.WeightRuleError as exc:
                self.add_error("brackets", translated(exc.messages, gettext))
        return cleaned


class PersonForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail address"), required=False)
    password = forms.CharField(
        label=_("Initial password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    kind = forms.ChoiceField(label=_("Role"), choices=Role.Kind.choices)
    member = forms.ModelChoiceField(
        label=_("Member (for a representative)"),
        queryset=Member.objects.none(),
        required=False,
    )
    function = forms.ChoiceField(
        label=_("Function (for a representative)"),
        choices=[("", "—"), *Role.Function.choices],
        required=False,
    )

    def __init__(self, *args, association: Association, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = association.members.order_by("name")
        self.fields["member"].label_from_instance = lambda m: f"{m.name} ({m.code})"
        self.fields["password"].help_text = " ".join(password_validators_help_texts())
        self.fields["username"].widget.attrs["autocomplete"] = "off"
        self.association = association
        suffix = SCOPE_SEPARATOR + association.slug
        room = User._meta.get_field("username").max_length - len(suffix)
        self.fields["username"].validators.append(MaxLengthValidator(room))
        self.fields["username"].widget.attrs["maxlength"] = str(room)
        self.fields["username"].help_text = _(
            "The person logs in with this name followed by %(suffix)s."
        ) % {"suffix": suffix}

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        if SCOPE_SEPARATOR in username:
            raise ValidationError(
                _("A username cannot contain '@': the association's part is added to it.")
            )
        User.username_validator(username)  # refuses the colon of voting codes' accounts
        # Only this association's namespace: other associations' names are never consulted.
        scoped = scoped_username(username, self.association)
        if User.objects.filter(username__iexact=scoped).exists():
            raise ValidationError(_("This username is taken."))
        return username

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == Role.Kind.REPRESENTATIVE:
            if not cleaned.get("member"):
                self.add_error("member", _("A representative acts for a member: choose one."))
            if not cleaned.get("function"):
                self.add_error("function", _("Choose the representative's function."))
        elif cleaned.get("kind"):
            if cleaned.get("member"):
                self.add_error("member", _("Only representatives act for a member."))
            cleaned["function"] = ""
        if cleaned.get("password") and cleaned.get("username"):
            candidate = User(
                username=cleaned["username"],
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
                email=cleaned.get("email", ""),
            )
            try:
                validate_password(cleaned["password"], user=candidate)
            except ValidationError as exc:
                self.add_error("password", exc)
        return cleaned


class AssociationSettingsForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language of the association's pages"),
        choices=settings.LANGUAGES,
        help_text=_(
            "What members see, whatever their browser is set to. Each reader can still "
            "choose another language with the switch at the top of the page."
        ),
    )
    publish_decisions = forms.BooleanField(
        label=_("Publish the decision lists and results of the meetings"),
        required=False,
        help_text=_(
            "Anyone can then read them without logging in, under Open data. Meetings that "
            "are still in preparation stay private; a secret vote shows only its totals."
        ),
    )
