"""Forms of the contract pages and the public licence check. They validate;
services write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from usage_requests.models import REASON_MAX_LENGTH
from usage_requests.services import normalise_licence_code


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
    reason = forms.CharField(
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
