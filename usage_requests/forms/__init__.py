"""Forms of the request pages. They check the shape of the input; the
services decide whether the move is allowed (red lines, project dates,
status, terms version)."""

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from creators.forms import DateInput
from creators.models import Shot
from marketplace.forms import (
    CONTROL_CHARACTERS,
    IdMultipleChoiceField,
    PlainTextField,
    clean_plain_text,
    has_control_characters,
)
from marketplace.money import Currency
from marketplace.places import Territory
from usage_requests.models import (
    MESSAGE_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    RequestShot,
    RequestTerms,
    ShotDecision,
)
from usage_requests.services import ProposedTerms, normalise_licence_code, proposed_terms


class ShotChoiceField(IdMultipleChoiceField):
    """The project's shots, each labelled with what an actor needs to judge it."""

    def label_from_instance(self, shot: Shot) -> str:
        return str(shot)


class TermsForm(forms.Form):
    """Fee, currency, licence dates, territory and training: what both the
    composer and a counter-offer propose."""

    fee = forms.DecimalField(
        label=_("Fee"), min_value=0, max_digits=12, decimal_places=2, widget=forms.NumberInput(attrs={"step": "0.01"})
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices, initial=Currency.CNY)
    term_start = forms.DateField(label=_("Licence starts"), widget=DateInput())
    term_end = forms.DateField(label=_("Licence ends"), widget=DateInput())
    territory = forms.ChoiceField(label=_("Territory"), choices=Territory.choices)
    ai_training = forms.BooleanField(
        label=_("AI training or fine-tuning permitted"),
        required=False,
        help_text=_("Leave unticked unless the actor agreed to it: the likeness may then train or fine-tune a model."),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        start, end = cleaned.get("term_start"), cleaned.get("term_end")
        if start and end and end < start:
            self.add_error("term_end", _("The licence cannot end before it starts."))
        return cleaned

    def terms(self) -> ProposedTerms:
        """The proposed terms, as the services take them (``**form.terms()``)."""
        return proposed_terms(self.cleaned_data)


class RequestComposeForm(TermsForm):
    """A new request: the shots asked for, the terms and a message."""

    shots = ShotChoiceField(
        label=_("Shots requested"),
        queryset=Shot.objects.none(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={"required": _("Choose at least one shot.")},
    )
    message = forms.CharField(
        label=_("Message to the actor"),
        max_length=MESSAGE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "data-char-counter": "true"}),
        help_text=_("Plain text, at most 2,000 characters."),
    )

    field_order = ["shots", "fee", "currency", "term_start", "term_end", "territory", "ai_training", "message"]

    def __init__(self, *args: Any, shots: QuerySet[Shot], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(ShotChoiceField, self.fields["shots"]).queryset = shots

    def clean_message(self) -> str:
        return clean_plain_text(self.cleaned_data["message"])


class TermsVersionForm(forms.Form):
    """The version of the terms the page showed: accepting a newer one the
    reader never saw is refused by the service."""

    terms_version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


VISIBLE_LABEL_LABEL = _("Label every copy the creator downloads with the licence code, in a small corner")
VISIBLE_LABEL_HELP = _(
    "Every downloaded copy always carries an invisible mark that names the download; the label also shows the licence."
)


def visible_label_field() -> forms.BooleanField:
    """The actor's choice when accepting; off unless ticked."""
    return forms.BooleanField(label=VISIBLE_LABEL_LABEL, help_text=VISIBLE_LABEL_HELP, required=False)


OUTPUTS_NEED_APPROVAL = "needed"
OUTPUTS_APPROVAL_NOT_NEEDED = "not_needed"
OUTPUTS_APPROVAL_CHOICES = [
    (OUTPUTS_NEED_APPROVAL, _("Generated outputs need my approval")),
    (OUTPUTS_APPROVAL_NOT_NEEDED, _("Approval not needed")),
]
OUTPUTS_APPROVAL_HELP = _(
    "With approval, each image or video the creator generates with your likeness waits for you to approve or "
    "reject it. Without, each is approved as it is submitted; you still see every one."
)


class OutputsApprovalField(forms.ChoiceField):
    """The actor's choice when accepting, cleaned to whether outputs need
    approval: they do unless the actor chose otherwise (also when the choice
    is missing from the post)."""

    def clean(self, value: Any) -> bool:
        return super().clean(value) != OUTPUTS_APPROVAL_NOT_NEEDED


def outputs_approval_field() -> OutputsApprovalField:
    return OutputsApprovalField(
        label=_("Generated outputs"),
        choices=OUTPUTS_APPROVAL_CHOICES,
        required=False,
        initial=OUTPUTS_NEED_APPROVAL,
        widget=forms.RadioSelect,
        help_text=OUTPUTS_APPROVAL_HELP,
    )


class AcceptForm(TermsVersionForm):
    """Accepting: the terms version the page showed, and the actor's choices
    (the label, whether generated outputs need approval)."""

    visible_label = visible_label_field()
    outputs_need_approval = outputs_approval_field()


class CounterForm(TermsForm):
    terms_version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Why these terms"),
        max_length=MESSAGE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    @classmethod
    def prefilled(cls, terms: RequestTerms, version: int) -> "CounterForm":
        initial = {
            "fee": terms.fee,
            "currency": terms.currency,
            "term_start": terms.term_start,
            "term_end": terms.term_end,
            "territory": terms.territory,
            "ai_training": terms.ai_training,
            "terms_version": version,
        }
        return cls(initial=initial, prefix="counter")

    def clean_note(self) -> str:
        return clean_plain_text(self.cleaned_data["note"])


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        max_length=REASON_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_reason(self) -> str:
        return clean_plain_text(self.cleaned_data["reason"])


DECISION_CHOICES = [(ShotDecision.APPROVED.value, _("Approve")), (ShotDecision.VETOED.value, _("Veto"))]


class ShotDecisionsForm(forms.Form):
    """Approve or veto, with a note, for each requested shot. A shot left
    without a choice stays undecided; accepting then says so."""

    terms_version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    action = forms.ChoiceField(choices=[("save", "save"), ("accept", "accept")], initial="save", required=False)
    visible_label = visible_label_field()
    outputs_need_approval = outputs_approval_field()

    def __init__(self, *args: Any, request_shots: list[RequestShot], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request_shots = request_shots
        for row in request_shots:
            self.fields[f"decision_{row.pk}"] = forms.ChoiceField(
                label=_("Decision on shot %(number)s") % {"number": row.shot.number},
                choices=DECISION_CHOICES,
                widget=forms.RadioSelect,
                required=False,
                initial=row.decision if row.decision != ShotDecision.UNDECIDED else None,
            )
            self.fields[f"note_{row.pk}"] = forms.CharField(
                label=_("Note on shot %(number)s") % {"number": row.shot.number},
                max_length=NOTE_MAX_LENGTH,
                required=False,
                initial=row.note,
            )

    def rows(self) -> list[tuple[RequestShot, forms.BoundField, forms.BoundField]]:
        return [(row, self[f"decision_{row.pk}"], self[f"note_{row.pk}"]) for row in self.request_shots]

    def decisions(self) -> dict[int, tuple[str, str]]:
        """``{request_shot_id: (decision, note)}`` for the shots given a choice."""
        chosen = {}
        for row in self.request_shots:
            decision = self.cleaned_data.get(f"decision_{row.pk}")
            if decision:
                chosen[row.pk] = (decision, self.cleaned_data.get(f"note_{row.pk}", ""))
        return chosen

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        for row in self.request_shots:
            note = cleaned.get(f"note_{row.pk}")
            if note and has_control_characters(note):
                self.add_error(f"note_{row.pk}", CONTROL_CHARACTERS)
        return cleaned


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "data-char-counter": "true"}),
        error_messages={"required": _("Write something before you send.")},
    )


# --- Contracts: signing, revoking, the licence check --------------------------


class ContractSignForm(forms.Form):
    typed_name = forms.CharField(
        label=_("Your full legal name"),
        max_length=120,
        help_text=_("Type it exactly as it is on your profile. This typed name is your signature."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    # Not required here: ``contract_sign`` refuses a missing tick with its own
    # message, so the rule and its wording live in one place.
    consent = forms.BooleanField(label=_("I have read this contract and agree to it."), required=False)


class ContractRevokeForm(forms.Form):
    reason = PlainTextField(
        label=_("Why you revoke this licence"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The creator reads this. The licence ends as soon as you confirm."),
    )


class LicenceCheckForm(forms.Form):
    code = forms.CharField(
        label=_("Licence code"),
        max_length=40,
        help_text=_("For example CC-7K2M-9QXH-4TRB. Case, spaces and dashes do not matter."),
        error_messages={"required": _("Enter a licence code, for example CC-7K2M-9QXH-4TRB.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
    )

    def clean_code(self) -> str:
        code = normalise_licence_code(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(
                _(
                    "This is not a licence code. A code looks like CC-XXXX-XXXX-XXXX, with 12 letters and digits "
                    "after CC (never the letters O, I or L, nor the digits 0 or 1)."
                )
            )
        return code


# The outputs and webhook forms, by subject (importable from here).
from usage_requests.forms.outputs import (  # noqa: E402
    OUTPUT_ACCEPT,
    OutputCheckForm,
    OutputReviewForm,
    OutputsReviewForm,
    OutputSubmitForm,
    review_note_field,
)
from usage_requests.forms.webhooks import WebhookForm  # noqa: E402

__all__ = [
    "OUTPUT_ACCEPT",
    "OutputCheckForm",
    "OutputReviewForm",
    "OutputSubmitForm",
    "OutputsReviewForm",
    "WebhookForm",
    "review_note_field",
]
