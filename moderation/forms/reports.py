"""Forms of reports, flagged photos, sanctions and the audit log filter."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.forms import PlainTextField, clean_plain_text
from marketplace.models import AuditEvent
from moderation.models import DESCRIPTION_MAX_LENGTH, REASON_MAX_LENGTH, ReportAction, ReportReason


class ReportForm(forms.Form):
    reason = forms.ChoiceField(label=_("What is wrong"), choices=ReportReason.choices)
    description = forms.CharField(
        label=_("Tell the moderators what you saw"),
        widget=forms.Textarea(attrs={"rows": 5}),
        min_length=10,
        max_length=DESCRIPTION_MAX_LENGTH,
    )

    def clean_description(self) -> str:
        return clean_plain_text(self.cleaned_data["description"])


class ResolutionField(PlainTextField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Reason (the people concerned read it)"))
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
        super().__init__(max_length=REASON_MAX_LENGTH, **kwargs)


class ReportDecisionForm(forms.Form):
    action = forms.ChoiceField(label=_("Decision"), choices=ReportAction.choices, widget=forms.RadioSelect)
    resolution = ResolutionField()


class PhotoDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("clear", _("Clear: it is this actor")), ("reject", _("Reject: it is someone else"))],
        widget=forms.RadioSelect,
    )
    reason = ResolutionField(required=False, label=_("Reason (required to reject; the actor reads it)"))

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("decision") == "reject" and not cleaned.get("reason"):
            self.add_error("reason", _("Write the reason: the actor is told it."))
        return cleaned


SANCTIONS = [
    ("warn", _("Warn")),
    ("suspend", _("Suspend the account")),
    ("reinstate", _("Reinstate the account")),
    ("hide_actor", _("Hide the actor profile")),
    ("show_actor", _("Show the actor profile again")),
    ("hide_creator", _("Hide the creator profile")),
    ("show_creator", _("Show the creator profile again")),
]


class SanctionForm(forms.Form):
    sanction = forms.ChoiceField(label=_("Action"), choices=SANCTIONS)
    reason = ResolutionField()


class StudioVerificationForm(forms.Form):
    """Give a creator the verified-studio badge, or take it back (with the
    reason the creator is told)."""

    VERIFY = "verify"
    UNVERIFY = "unverify"

    decision = forms.ChoiceField(
        label=_("Verified studio"),
        choices=[(VERIFY, _("Verify this studio")), (UNVERIFY, _("Withdraw the verified badge"))],
    )
    reason = ResolutionField(required=False, label=_("Reason (required to withdraw; the creator reads it)"))


class AuditFilterForm(forms.Form):
    user = forms.CharField(label=_("User (email contains)"), required=False, max_length=254)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("Any action")), *AuditEvent.Action.choices]
    )
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean_user(self) -> str:
        return clean_plain_text(self.cleaned_data["user"])

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        return cleaned
