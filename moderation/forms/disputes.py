"""Forms of the dispute pages. They check the shape of the input; the
services decide whether the move is allowed."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.forms import clean_plain_text
from moderation.models import (
    DESCRIPTION_MAX_LENGTH,
    MAX_EVIDENCE_IMAGES,
    NOTE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    DisputeCategory,
    DisputeOutcome,
)


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """Zero or more image files (each is checked by ``sanitize_image`` in the
    service, which knows the formats and limits)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleImageInput(attrs={"accept": "image/jpeg,image/png,image/webp", "multiple": True})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        if len(files) > MAX_EVIDENCE_IMAGES:
            raise forms.ValidationError(
                _("Attach at most %(max)d images.") % {"max": MAX_EVIDENCE_IMAGES}, code="too_many"
            )
        if self.required and not files:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return [super(EvidenceField, self).clean(item, initial) for item in files]


class DisputeOpenForm(forms.Form):
    category = forms.ChoiceField(label=_("What is it about?"), choices=DisputeCategory.choices)
    description = forms.CharField(
        label=_("What happened"),
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6, "data-char-counter": "true"}),
        help_text=_("The moderators and the other party read this. Be specific: shots, dates, where you saw it."),
        error_messages={"required": _("Describe what happened.")},
    )
    evidence = EvidenceField(
        label=_("Evidence images (optional)"),
        required=False,
        help_text=_("Up to %(max)d JPEG, PNG or WebP images; only the parties and the moderators see them.")
        % {"max": MAX_EVIDENCE_IMAGES},
    )

    def clean_description(self) -> str:
        return clean_plain_text(self.cleaned_data["description"])


class EvidenceAddForm(forms.Form):
    evidence = EvidenceField(label=_("Add evidence images"), required=True)


class DisputeMessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "data-char-counter": "true"}),
        error_messages={"required": _("Write something before you send.")},
    )
    internal = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean_body(self) -> str:
        return clean_plain_text(self.cleaned_data["body"])


class DisputeDecisionForm(forms.Form):
    ACTIONS = [("resolve", _("Resolve with the outcome")), ("dismiss", _("Dismiss the dispute"))]

    action = forms.ChoiceField(choices=ACTIONS, widget=forms.HiddenInput, initial="resolve")
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", "—"), *DisputeOutcome.choices], required=False)
    resolution = forms.CharField(
        label=_("Resolution"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "data-char-counter": "true"}),
        help_text=_("Both parties read this, word for word."),
        error_messages={"required": _("Write the resolution: both parties read it.")},
    )

    def clean_resolution(self) -> str:
        return clean_plain_text(self.cleaned_data["resolution"])

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("action") == "resolve" and not cleaned.get("outcome"):
            self.add_error("outcome", _("Choose an outcome."))
        return cleaned
