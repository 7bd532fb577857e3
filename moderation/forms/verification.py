"""Forms of identity verification: the actor's two photos and the
moderator's decision. The images themselves are checked by
``sanitize_image`` in ``verification_submit``, which names the bad file."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from marketplace.forms import PlainTextField
from moderation.models import REASON_MAX_LENGTH

ACCEPTED_IMAGES = "image/jpeg,image/png,image/webp"


def _image_help(text: str | Promise) -> str:
    return _("%(text)s JPEG, PNG or WebP, up to %(megabytes)d MB and %(megapixels)d megapixels.") % {
        "text": text,
        "megabytes": settings.IMAGE_UPLOAD_MAX_BYTES // (1024 * 1024),
        "megapixels": settings.IMAGE_UPLOAD_MAX_PIXELS // 1_000_000,
    }


class VerificationUploadForm(forms.Form):
    id_document = forms.FileField(
        label=_("Photo of your ID document"),
        widget=forms.FileInput(attrs={"accept": ACCEPTED_IMAGES}),
        error_messages={
            "required": _("Choose a photo of your ID document."),
            "empty": _("The ID document file is empty."),
            "invalid": _("The ID document could not be read. Choose the file again."),
        },
    )
    selfie = forms.FileField(
        label=_("Selfie holding the code"),
        widget=forms.FileInput(attrs={"accept": ACCEPTED_IMAGES}),
        error_messages={
            "required": _("Choose your selfie with the code on paper next to your face."),
            "empty": _("The selfie file is empty."),
            "invalid": _("The selfie could not be read. Choose the file again."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["id_document"].help_text = _image_help(
            _("A passport, national ID card or driving licence; your name and photo must be readable.")
        )
        self.fields["selfie"].help_text = _image_help(
            _("Your face and the paper with the code, both sharp and fully in the picture.")
        )


class VerificationDecisionForm(forms.Form):
    APPROVE = "approve"
    REJECT = "reject"

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(APPROVE, _("Approve: this is the person, holding the right code")), (REJECT, _("Reject"))],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": _("Choose approve or reject."), "invalid_choice": _("Choose approve or reject.")},
    )
    reason = PlainTextField(
        label=_("Reason (sent to the actor)"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": REASON_MAX_LENGTH}),
        help_text=_("Required when rejecting: say what to fix, e.g. “the code is not readable”."),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("decision") == self.REJECT and not cleaned.get("reason"):
            self.add_error("reason", _("Write the reason: the actor is told it."))
        return cleaned
