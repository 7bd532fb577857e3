"""Onboarding: the first role a newcomer picks."""

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.forms import clean_display_name


class OnboardingForm(forms.Form):
    ROLE_CHOICES = [("actor", _("I am an actor")), ("creator", _("I am a creator"))]

    role = forms.ChoiceField(choices=ROLE_CHOICES, widget=forms.RadioSelect, label=_("I am joining as"))
    name = forms.CharField(
        label=_("Name shown to others"),
        max_length=80,
        help_text=_("Actors: your stage name. Creators: your name or your studio's."),
    )

    def __init__(self, *args, held_roles: set[str], **kwargs):
        super().__init__(*args, **kwargs)
        # self.fields is typed as plain Fields; "role" is a ChoiceField.
        cast(forms.ChoiceField, self.fields["role"]).choices = [c for c in self.ROLE_CHOICES if c[0] not in held_roles]
        # A preselected role (the landing's buttons) counts only when it is one the user can still add.
        if self.initial.get("role") not in {value for value, _label in self.ROLE_CHOICES if value not in held_roles}:
            self.initial.pop("role", None)

    def clean_name(self) -> str:
        return clean_display_name(self.cleaned_data["name"])
