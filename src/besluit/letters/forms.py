"""Forms of the member-letter pages: parse input, nothing more (services decide)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from besluit import formats
from besluit.letters.models import Letter


def meeting_choices(association) -> list[tuple[str, str]]:
    return [("", _("(no meeting)"))] + [
        (str(m.pk), f"{m.title} ({formats.day(m.starts_at)})")
        for m in association.meetings.order_by("-starts_at")
    ]


class StartForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Template"),
        choices=Letter.Kind.choices,
        widget=forms.RadioSelect,
        initial=Letter.Kind.CONVOCATION,
    )
    meeting = forms.ChoiceField(
        label=_("Meeting"),
        required=False,
        help_text=_(
            "The letter's text is filled in from the meeting: date, place, deadlines, "
            "agenda or results."
        ),
    )

    def __init__(self, *args, association, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].choices = meeting_choices(association)


class LetterForm(forms.Form):
    number = forms.CharField(
        label=_("Number"), max_length=20, help_text=_("For example Lbr. 26/045.")
    )
    subject = forms.CharField(label=_("Subject"), max_length=300)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 20}))
    meeting = forms.ChoiceField(label=_("Meeting"), required=False)
    include_invitation = forms.BooleanField(
        label=_("Attach a calendar invitation (.ics) for the meeting"), required=False
    )

    def __init__(self, *args, association, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].choices = meeting_choices(association)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("PDF or Word (.docx)."))
    title = forms.CharField(label=_("Title"), max_length=200, required=False)


class SendForm(forms.Form):
    SCOPES = [
        ("all", _("All members")),
        ("network", _("The members of a network")),
        ("province", _("The members in a province")),
        ("codes", _("Chosen members (codes)")),
    ]
    audience = forms.ChoiceField(
        label=_("Send to"),
        choices=Letter.Audience.choices,
        widget=forms.RadioSelect,
        initial=Letter.Audience.ALL,
    )
    scope = forms.ChoiceField(
        label=_("Members"), choices=SCOPES, widget=forms.RadioSelect, initial="all"
    )
    network = forms.ChoiceField(label=_("Network"), required=False)
    province = forms.ChoiceField(label=_("Province"), required=False)
    codes = forms.CharField(
        label=_("Member codes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Separated by commas, spaces or new lines, e.g. GM0363, GM0599."),
    )

    def __init__(self, *args, association, **kwargs):
        super().__init__(*args, **kwargs)
        self.association = association
        self.fields["network"].choices = [("", "—")] + [
            (n.code, n.code) for n in association.networks.all()
        ]
        provinces = sorted(set(association.members.values_list("province", flat=True)))
        self.fields["province"].choices = [("", "—")] + [(p, p) for p in provinces]

    def clean(self):
        data = super().clean()
        scope = data.get("scope")
        members = self.association.members.filter(active=True).order_by("name")
        if scope == "network":
            if not data.get("network"):
                self.add_error("network", _("Choose a network."))
                return data
            members = members.filter(networks__code=data["network"])
        elif scope == "province":
            if not data.get("province"):
                self.add_error("province", _("Choose a province."))
                return data
            members = members.filter(province=data["province"])
        elif scope == "codes":
            codes = [c.strip().upper() for c in data.get("codes", "").replace(",", " ").split()]
            found = {m.code: m for m in members.filter(code__in=codes)}
            unknown = [c for c in codes if c not in found]
            if not codes:
                self.add_error("codes", _("Give at least one member code."))
            elif unknown:
                self.add_error(
                    "codes", _("Unknown member codes: %(codes)s") % {"codes": ", ".join(unknown)}
                )
            members = members.filter(code__in=codes)
        data["members"] = list(members.distinct())
        return data


class BounceForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)
