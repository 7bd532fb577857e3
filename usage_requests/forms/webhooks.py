"""The form of a creator's webhook; the service checks the URL."""

from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.forms import PlainTextField
from usage_requests.models import WebhookEventType
from usage_requests.models.webhooks import WEBHOOK_DESCRIPTION_MAX_LENGTH, WEBHOOK_URL_MAX_LENGTH


class WebhookForm(forms.Form):
    """A webhook to register: its URL (checked by the service: https, a
    public address), a note, and the events it hears about."""

    # Free text first (no invisible or control characters), then the service's URL rules.
    url = PlainTextField(
        label=_("URL"),
        max_length=WEBHOOK_URL_MAX_LENGTH,
        help_text=_("Where your tool listens, starting with https://. It must be reachable from the internet."),
        widget=forms.URLInput(attrs={"placeholder": "https://tools.example.com/consentcast"}),
    )
    description = PlainTextField(
        label=_("Description"), max_length=WEBHOOK_DESCRIPTION_MAX_LENGTH, required=False, strip=True
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=WebhookEventType.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[choice.value for choice in WebhookEventType],
    )
