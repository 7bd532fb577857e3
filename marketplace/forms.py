import unicodedata
from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _


def clean_display_name(value: str) -> str:
    """A name shown to others: whitespace collapsed, at least two characters,
    no control or invisible formatting characters. Raises ValidationError."""
    name = " ".join(value.split())
    if len(name) < 2:
        raise forms.ValidationError(_("Enter at least two characters."))
    # Control and invisible formatting characters (e.g. right-to-left
    # overrides) let one name pose as another; no real name needs them.
    if has_control_characters(name):
        raise forms.ValidationError(_("The name contains invisible or control characters. Type it again without them."))
    return name


# Control (Cc), format (Cf: bidi overrides and isolates U+202A-U+202E and
# U+2066-U+2069, marks U+200E/U+200F/U+061C, zero-width U+200B-U+200D,
# U+2060, U+FEFF), private-use (Co) and surrogate (Cs) characters.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs"})


def has_control_characters(value: str) -> bool:
    """Control or invisible formatting characters other than line breaks and tabs."""
    return any(unicodedata.category(ch) in REFUSED_CATEGORIES and ch not in "\n\r\t" for ch in value)


CONTROL_CHARACTERS = _("The text contains invisible or control characters. Type it again without them.")


def clean_plain_text(value: str) -> str:
    """Free text (a message, a reason, a description): stripped, refused with
    a clear error when it holds control or invisible characters."""
    if has_control_characters(value):
        raise forms.ValidationError(CONTROL_CHARACTERS)
    return value.strip()


class PlainTextField(forms.CharField):
    """Free text in a form, cleaned by ``clean_plain_text`` after the usual
    ``CharField`` checks: what ``marketplace.api.fields.PlainTextField`` is
    to the API."""

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        return clean_plain_text(value) if value else value


class DisplayNameField(forms.CharField):
    """A name shown to others, cleaned by ``clean_display_name``."""

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        return clean_display_name(value) if value else value


def plain_text_formfield(db_field: models.Field, **kwargs: Any) -> forms.Field | None:
    """A ModelForm's ``Meta.formfield_callback``: every text column (a plain
    ``CharField`` or ``TextField`` without choices) becomes a
    ``PlainTextField``, so a column added later is cleaned without anyone
    remembering to. ``Meta.field_classes`` still wins (names use
    ``DisplayNameField``)."""
    if type(db_field) in (models.CharField, models.TextField) and not db_field.choices:
        kwargs.setdefault("form_class", PlainTextField)
    return db_field.formfield(**kwargs)


# The largest primary key a 64-bit integer column holds.
MAX_PK = 2**63 - 1


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A ``ModelMultipleChoiceField`` over integer ids that refuses a value
    which cannot be an id before it reaches the database: Django passes the
    raw values to an ``__in`` lookup, and SQLite raises OverflowError (a 500)
    for an integer past 64 bits."""

    def _check_values(self, value):
        for pk in value:
            text = str(pk).strip()
            if not (text.isascii() and text.isdigit() and 0 < int(text) <= MAX_PK):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        # Django has _check_values; django-stubs does not declare it.
        return super()._check_values(value)  # type: ignore[misc]
