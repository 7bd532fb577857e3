"""Forms of the trace page: the found image, and a dispute opened from it.
They check the shape of the input; ``sanitize_image`` and the services
decide the rest."""

from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.forms import clean_plain_text
from moderation.models import DESCRIPTION_MAX_LENGTH, DisputeCategory

# What the dispute text holds besides the note: the trace's facts.
NOTE_MAX_LENGTH = DESCRIPTION_MAX_LENGTH - 400


class TraceForm(forms.Form):
    image = forms.FileField(
        label=_("The image you found"),
        help_text=_("JPEG, PNG or WebP, as you found it. It is read, not stored, unless you attach it to a dispute."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        error_messages={"required": _("Choose the image you found.")},
    )


class TraceDisputeForm(TraceForm):
    category = forms.ChoiceField(
        label=_("What is it about?"), choices=DisputeCategory.choices, initial=DisputeCategory.BEYOND_SHOTS
    )
    note = forms.CharField(
        label=_("Where you found it"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "data-char-counter": "true"}),
        help_text=_("The moderators and the creator read this, after the trace result. Say where and when."),
        error_messages={"required": _("Say where you found the image.")},
    )

    def clean_note(self) -> str:
        return clean_plain_text(self.cleaned_data["note"])
