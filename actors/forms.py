"""Forms of the actor side. Every message reads in the active language."""

import re
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from actors.models import BIO_MAX_LENGTH, MAX_LICENCE_TERM_MONTHS, MAX_PHOTOS_PER_ACTOR, ActorProfile, SpokenLanguage
from actors.services.profile import PROFILE_FIELDS
from marketplace.categories import ContentCategory
from marketplace.forms import DisplayNameField, PlainTextField, plain_text_formfield
from marketplace.places import Territory

CHECKBOXES = {"class": "form-check-input"}
# Separators people type between tags, in English and Chinese.
TAG_SEPARATORS = re.compile(r"[,，、;；\n]+")
MAX_SKILLS = 20
MAX_KEYWORDS = 50


def split_tags(value: str, *, max_items: int, max_length: int = 40) -> list[str]:
    tags: dict[str, str] = {}
    for raw in TAG_SEPARATORS.split(value or ""):
        tag = " ".join(raw.split())
        if not tag:
            continue
        if len(tag) > max_length:
            raise forms.ValidationError(
                _("“%(tag)s…” is too long: keep each entry under %(max)d characters.")
                % {"tag": tag[:20], "max": max_length}
            )
        tags.setdefault(tag.casefold(), tag)
    if len(tags) > max_items:
        raise forms.ValidationError(_("At most %(max)d entries, please.") % {"max": max_items})
    return list(tags.values())


class ActorProfileForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Languages you act in"),
        choices=SpokenLanguage.choices,
        widget=forms.CheckboxSelectMultiple(attrs=CHECKBOXES),
        required=False,
    )
    skills = PlainTextField(
        label=_("Skills"),
        required=False,
        max_length=300,
        help_text=_("Separate with commas, e.g. martial arts, 武术, horse riding."),
    )

    class Meta:
        model = ActorProfile
        fields = list(PROFILE_FIELDS)
        # Every text column (headline, city, bio, union...) through the one
        # cleaner of free text; the stage name through the one for names.
        formfield_callback = plain_text_formfield
        field_classes = {"stage_name": DisplayNameField}
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 6, "maxlength": BIO_MAX_LENGTH}),
            "playing_age_min": forms.NumberInput(attrs={"min": 0, "max": 100}),
            "playing_age_max": forms.NumberInput(attrs={"min": 0, "max": 100}),
            "min_fee": forms.NumberInput(attrs={"min": 0, "step": "0.01"}),
        }
        help_texts = {
            "stage_name": _("Public: creators see this name."),
            "min_fee": _("Requests below this fee are refused before they reach you."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Formatted per request: a lazy string formatted at import time would
        # stay in the language of the process's first import.
        self.fields["bio"].help_text = _("Plain text, up to %(max)d characters.") % {"max": BIO_MAX_LENGTH}

    def clean_legal_name(self) -> str:
        return " ".join(self.cleaned_data["legal_name"].split())

    def clean_skills(self) -> str:
        return ", ".join(split_tags(self.cleaned_data["skills"], max_items=MAX_SKILLS))

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        low, high = cleaned.get("playing_age_min"), cleaned.get("playing_age_max")
        if low is not None and high is not None and low > high:
            self.add_error("playing_age_max", _("The upper age must not be below the lower age."))
        return cleaned


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several files in one field; each is validated by ``sanitize_image`` in
    the upload service, which names the bad ones."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class PhotoUploadForm(forms.Form):
    photos = MultipleImageField(label=_("Add photos"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photos"].help_text = _(
            "JPEG, PNG or WebP, up to %(megabytes)d MB and %(megapixels)d megapixels each; up to %(max)d photos in all."
        ) % {
            "megabytes": settings.IMAGE_UPLOAD_MAX_BYTES // (1024 * 1024),
            "megapixels": settings.IMAGE_UPLOAD_MAX_PIXELS // 1_000_000,
            "max": MAX_PHOTOS_PER_ACTOR,
        }


class RedLinesForm(forms.Form):
    excluded_categories = forms.MultipleChoiceField(
        label=_("Categories I never accept"),
        choices=ContentCategory.choices,
        widget=forms.CheckboxSelectMultiple(attrs=CHECKBOXES),
        required=False,
    )
    blocked_keywords = PlainTextField(
        label=_("Blocked words"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "A request whose project or shots mention any of these (in any letter case) is refused. "
            "Separate with commas; Chinese and English both work."
        ),
    )
    accepted_territories = forms.MultipleChoiceField(
        label=_("Territories I accept"),
        choices=Territory.choices,
        widget=forms.CheckboxSelectMultiple(attrs=CHECKBOXES),
        required=False,
        help_text=_("Requests for distribution elsewhere are refused."),
    )
    ai_training_allowed = forms.BooleanField(
        label=_("Creators may ask to use my likeness for AI training or fine-tuning"),
        required=False,
        help_text=_("Even when allowed here, training happens only if you accept it in a specific contract."),
    )
    max_term_months = forms.IntegerField(
        label=_("Longest licence term I accept (months)"),
        min_value=1,
        max_value=MAX_LICENCE_TERM_MONTHS,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["max_term_months"].help_text = _("At most %(max)d months (10 years).") % {
            "max": MAX_LICENCE_TERM_MONTHS
        }

    def clean_blocked_keywords(self) -> list[str]:
        return split_tags(self.cleaned_data["blocked_keywords"], max_items=MAX_KEYWORDS, max_length=60)


class OptInForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I have read the text above and I want to be listed on the roster."),
        error_messages={"required": _("Tick the box to confirm that you want to be listed.")},
    )


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That is not your password."))
        return password
