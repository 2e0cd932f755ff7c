"""Forms of the texts pages: parsing only; the rules live in texts.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from besluit.associations.models import Member
from besluit.texts.models import ConsultationInput, ConsultationSession, TextVersion


class DateInput(forms.DateInput):
    input_type = "date"


class DraftForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of version"), choices=TextVersion.Kind.choices)
    label = forms.CharField(
        label=_("Label"),
        required=False,
        max_length=200,
        help_text=_("For example 'Concept for the consultation, 1 September'."),
    )
    summary = forms.CharField(
        label=_("What changed and why (summary)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    text = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "true", "lang": "nl"}),
        help_text=_(
            "Markdown: '# ' starts a heading, '1. ' a numbered item, '- ' a bulleted item, "
            "**bold**, *italic*, a note[^1] with '[^1]: text' at the end. Paragraphs keep "
            "their identity when you edit them, so amendments and input stay attached."
        ),
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Word document (.docx) or Markdown (.md)"),
        help_text=_(
            "Headings, paragraphs, numbered and bulleted lists, bold, italic and footnotes are "
            "kept."
        ),
    )
    label = forms.CharField(label=_("Label"), required=False, max_length=200)


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(label=_("Yes, I am sure"), required=True)


class ReasonsForm(forms.Form):
    block = forms.CharField(widget=forms.HiddenInput, max_length=40)
    inputs = forms.ModelMultipleChoiceField(
        label=_("This change answers"),
        queryset=ConsultationInput.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, inputs=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["inputs"]
        field.queryset = ConsultationInput.objects.filter(pk__in=[i.pk for i in inputs])
        field.label_from_instance = lambda i: f"#{i.number} {i.source}: {i.text[:120]}"


class ConsultationForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    opens_on = forms.DateField(label=_("Opens on"), widget=DateInput)
    closes_on = forms.DateField(label=_("Written input until"), widget=DateInput)
    description = forms.CharField(
        label=_("Invitation"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class SessionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ConsultationSession.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    held_on = forms.DateField(label=_("Date"), required=False, widget=DateInput)
    location = forms.CharField(label=_("Location"), required=False, max_length=200)


class PassageFields(forms.Form):
    block = forms.ChoiceField(label=_("Paragraph"), required=False)
    quote = forms.CharField(
        label=_("Passage"),
        required=False,
        help_text=_("The words the input is about, copied exactly from the paragraph."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, blocks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["block"].choices = [("", _("(the text as a whole)")), *blocks]


class InputForm(PassageFields):
    session = forms.ModelChoiceField(
        label=_("Session"), queryset=ConsultationSession.objects.none()
    )
    member = forms.ModelChoiceField(
        label=_("Member"), queryset=Member.objects.none(), required=False
    )
    on_behalf = forms.CharField(
        label=_("On behalf of (network, region, group)"), required=False, max_length=200
    )
    text = forms.CharField(label=_("Input"), widget=forms.Textarea(attrs={"rows": 4}))

    field_order = ["session", "member", "on_behalf", "block", "quote", "text"]

    def __init__(self, *args, sessions=None, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = sessions
        self.fields["member"].queryset = members


class WrittenInputForm(PassageFields):
    text = forms.CharField(label=_("Your input"), widget=forms.Textarea(attrs={"rows": 5}))


class RespondForm(forms.Form):
    response = forms.ChoiceField(
        label=_("Response"), choices=ConsultationInput.Response.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class AmendForm(forms.Form):
    block = forms.ChoiceField(label=_("Paragraph"))
    old_text = forms.CharField(
        label=_("Replace these words"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Copy the words exactly from the paragraph. To add words, copy the words before or "
            "after the new ones and repeat them in the new text."
        ),
    )
    occurrence = forms.IntegerField(
        label=_("Occurrence"),
        min_value=1,
        initial=1,
        required=False,
        help_text=_("If the words occur more than once in the paragraph: which one (1, 2, ...)."),
    )
    new_text = forms.CharField(
        label=_("By these words"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Leave empty to delete the words. A blank line starts a new paragraph."),
    )
    explanation = forms.CharField(
        label=_("Explanation"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    co_submitters = forms.ModelMultipleChoiceField(
        label=_("Co-submitters"),
        queryset=Member.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(self, *args, blocks=(), members=None, with_meta=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["block"].choices = list(blocks)
        if members is not None:
            self.fields["co_submitters"].queryset = members
        if not with_meta:
            del self.fields["explanation"]
            del self.fields["co_submitters"]


class VoteOrderForm(forms.Form):
    """One position field per amendment (the chair's voting order)."""

    def __init__(self, *args, rows=(), **kwargs):
        super().__init__(*args, **kwargs)
        for r in rows:
            self.fields[f"pos_{r.amendment.pk}"] = forms.IntegerField(
                label=str(r.amendment.display_title) + f" ({r.amendment.number})",
                min_value=1,
                required=False,
                initial=r.order,
            )

    def ordered_ids(self) -> list[int]:
        positions = []
        for name, value in self.cleaned_data.items():
            if name.startswith("pos_") and value is not None:
                positions.append((value, int(name[4:])))
        return [aid for _pos, aid in sorted(positions)]


class BookForm(forms.Form):
    letter = forms.CharField(
        label=_("Convocation letter"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Paragraphs separated by a blank line. Empty: the standard letter."),
    )


class BrandingForm(forms.Form):
    logo = forms.FileField(label=_("Logo (PNG or JPEG)"), required=False)
    remove_logo = forms.BooleanField(label=_("Remove the current logo"), required=False)
    sender = forms.CharField(
        label=_("Address lines"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    signature = forms.CharField(label=_("Signed by"), required=False, max_length=200)
