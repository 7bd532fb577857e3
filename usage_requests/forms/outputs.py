"""Forms of generated outputs: the creator's submission, the actor's
review (one output or several), and the public check of a found file's
hash. They check the shape; the services decide."""

from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from marketplace.forms import MAX_PK, PlainTextField
from usage_requests.models import REASON_MAX_LENGTH, TOOL_MAX_LENGTH, GeneratedOutput
from usage_requests.selectors.approved_outputs import normalise_sha256
from usage_requests.services import OutputVerdict


class OutputCheckForm(forms.Form):
    """The hash of a found file, pasted (or computed in the browser by
    ``static/js/output-check.js``, which never uploads the file)."""

    sha256 = forms.CharField(
        label=_("SHA-256 of the file"),
        max_length=100,
        help_text=_("64 hexadecimal digits, for example from sha256sum or shasum -a 256. Case does not matter."),
        error_messages={"required": _("Enter the file's SHA-256, or choose the file to compute it.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"}),
    )

    def clean_sha256(self) -> str:
        sha256 = normalise_sha256(self.cleaned_data["sha256"])
        if sha256 is None:
            raise forms.ValidationError(_("A SHA-256 is 64 hexadecimal digits (0-9, a-f)."))
        return sha256


# --- Generated outputs: the actor's review ---------------------------------------

REVIEW_VERDICTS = [("approve", _("Approve")), ("reject", _("Reject"))]
REVIEW_NOTE_HELP = _("A rejection needs a note: the creator reads it before making a new version.")


def review_note_field() -> PlainTextField:
    return PlainTextField(label=_("Note to the creator"), max_length=REASON_MAX_LENGTH, required=False)


class OutputReviewForm(forms.Form):
    """One output's verdict (the button pressed) and the note; the service
    refuses a rejection without a note."""

    verdict = forms.ChoiceField(choices=REVIEW_VERDICTS, error_messages={"required": _("Choose approve or reject.")})
    note = review_note_field()


class OutputsReviewForm(forms.Form):
    """Several outputs at once: per pending output, approve, reject or leave
    it for later, each with a note; only the outputs given a verdict are
    reviewed, all or none."""

    def __init__(self, *args: Any, outputs: list[GeneratedOutput], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.outputs = outputs
        for output in outputs:
            self.fields[f"verdict_{output.pk}"] = forms.ChoiceField(
                label=_("Verdict on output %(id)s") % {"id": output.pk},
                choices=REVIEW_VERDICTS,
                widget=forms.RadioSelect,
                required=False,
            )
            self.fields[f"note_{output.pk}"] = review_note_field()

    def rows(self) -> list[tuple[GeneratedOutput, forms.BoundField, forms.BoundField]]:
        return [(output, self[f"verdict_{output.pk}"], self[f"note_{output.pk}"]) for output in self.outputs]

    def clean(self) -> dict[str, Any]:
        super().clean()
        chosen = False
        for output in self.outputs:
            verdict = self.cleaned_data.get(f"verdict_{output.pk}")
            chosen = chosen or bool(verdict)
            if verdict == "reject" and not self.cleaned_data.get(f"note_{output.pk}"):
                self.add_error(f"note_{output.pk}", REVIEW_NOTE_HELP)
        if not chosen and not self.errors:
            raise forms.ValidationError(_("Choose approve or reject for at least one output."))
        return self.cleaned_data

    def verdicts(self) -> list[OutputVerdict]:
        """The verdicts of the outputs given one, in the page's order."""
        return [
            OutputVerdict(
                output_id=output.pk,
                approve=self.cleaned_data[f"verdict_{output.pk}"] == "approve",
                note=self.cleaned_data[f"note_{output.pk}"],
            )
            for output in self.outputs
            if self.cleaned_data.get(f"verdict_{output.pk}")
        ]


# What the file input offers to choose (the services decide what is accepted).
OUTPUT_ACCEPT = "image/jpeg,image/png,image/webp,video/mp4,video/webm"


class OutputSubmitForm(forms.Form):
    """A generated output for one of the contract's approved shots; with
    ``replaces``, a new version of a rejected output."""

    shot = forms.TypedChoiceField(label=_("Approved shot"), coerce=int)
    file = forms.FileField(label=_("Generated image or video"), widget=forms.FileInput(attrs={"accept": OUTPUT_ACCEPT}))
    tool = PlainTextField(
        label=_("Generation tool"),
        max_length=TOOL_MAX_LENGTH,
        help_text=_("The model or software that generated it, with its version if you know it."),
    )
    replaces = forms.IntegerField(required=False, min_value=1, max_value=MAX_PK, widget=forms.HiddenInput)

    def __init__(self, *args: Any, shots: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        shot_field = cast(forms.TypedChoiceField, self.fields["shot"])
        shot_field.choices = shots
        self.fields["file"].help_text = _(
            "A JPEG, PNG or WebP image up to %(image_mb)d MB, or an MP4 or WebM video up to %(video_mb)d MB and "
            "%(seconds)d seconds. It is kept exactly as you submit it."
        ) % {
            "image_mb": settings.IMAGE_UPLOAD_MAX_BYTES // (1024 * 1024),
            "video_mb": settings.OUTPUT_VIDEO_MAX_BYTES // (1024 * 1024),
            "seconds": settings.OUTPUT_VIDEO_MAX_SECONDS,
        }
