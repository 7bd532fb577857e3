"""Every free-text field of every form and API input goes through the one
cleaner of free text (``marketplace.forms.clean_plain_text``, or
``clean_display_name`` for names), so bidi overrides and zero-width
characters are refused everywhere, not only where someone remembered."""

import importlib
import inspect
import pkgutil
from collections.abc import Iterator

import pytest
from django import forms
from django.urls import get_resolver
from rest_framework import serializers

from creators.api.projects import ProjectSerializer, ShotSerializer
from marketplace.api.fields import PlainTextField as PlainTextInput
from marketplace.forms import DisplayNameField, PlainTextField, has_control_characters
from tests.layering import FLOORS

CLEANERS = ("clean_plain_text", "clean_display_name", "has_control_characters")
# Text fields that are not free text, or whose text is checked elsewhere.
NOT_FREE_TEXT = {
    # Must equal the legal name on file, which refuses these characters.
    "usage_requests.forms.ContractSignForm.typed_name": "compared with the legal name",
    # Only a licence code's letters and digits survive normalise_licence_code.
    "usage_requests.forms.LicenceCheckForm.code": "normalised to a licence code",
    # Refused unless it is 64 hexadecimal digits (normalise_sha256).
    "usage_requests.forms.outputs.OutputCheckForm.sha256": "normalised to a SHA-256",
    # message_send removes them (usage_requests.services.messages.clean_message_body).
    "usage_requests.forms.MessageForm.body": "cleaned by message_send",
}
STRUCTURED = (
    forms.EmailField,
    forms.URLField,
    forms.SlugField,
    forms.RegexField,
    forms.UUIDField,
    forms.GenericIPAddressField,
    forms.JSONField,
)
# The API's inputs: serializers that views validate request bodies with.
NOT_FREE_TEXT_INPUT = {
    "usage_requests.api.messages.MessageInput.body": "cleaned by message_send",
}
WRITE_SERIALIZERS = (ProjectSerializer, ShotSerializer)


def _import_project_forms() -> None:
    """Every form of the project: the apps' form and API modules, and every
    view module (the URLconf imports them)."""
    get_resolver().url_patterns  # noqa: B018 - importing every view module is the point
    for app in FLOORS:
        for part in ("forms", "api"):
            try:
                module = importlib.import_module(f"{app}.{part}")
            except ModuleNotFoundError:
                continue
            for info in pkgutil.walk_packages(getattr(module, "__path__", []), f"{app}.{part}."):
                importlib.import_module(info.name)


def _subclasses(cls: type) -> Iterator[type]:
    sub: type
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _project_classes(base: type) -> list[type]:
    _import_project_forms()
    found = {cls for cls in _subclasses(base) if cls.__module__.split(".")[0] in FLOORS}
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


def _cleaned_by_hand(form_class: type[forms.BaseForm], name: str) -> bool:
    method = getattr(form_class, f"clean_{name}", None)
    return method is not None and any(cleaner in inspect.getsource(method) for cleaner in CLEANERS)


def unguarded_form_fields() -> list[str]:
    unguarded = []
    for form_class in _project_classes(forms.BaseForm):
        for name, field in form_class.base_fields.items():
            key = f"{form_class.__module__}.{form_class.__qualname__}.{name}"
            if not isinstance(field, forms.CharField) or isinstance(field, STRUCTURED):
                continue
            if isinstance(field.widget, forms.PasswordInput | forms.HiddenInput) or key in NOT_FREE_TEXT:
                continue
            if isinstance(field, PlainTextField | DisplayNameField) or _cleaned_by_hand(form_class, name):
                continue
            unguarded.append(key)
    return unguarded


def unguarded_api_inputs() -> list[str]:
    inputs = [cls for cls in _project_classes(serializers.Serializer) if cls.__name__.endswith("Input")]
    unguarded = []
    for serializer_class in [*inputs, *WRITE_SERIALIZERS]:
        for name, field in serializer_class().fields.items():
            key = f"{serializer_class.__module__}.{serializer_class.__qualname__}.{name}"
            if field.read_only or not isinstance(field, serializers.CharField) or key in NOT_FREE_TEXT_INPUT:
                continue
            if isinstance(field, serializers.SlugField | serializers.URLField | serializers.EmailField):
                continue
            if not isinstance(field, PlainTextInput):
                unguarded.append(key)
    return unguarded


def test_every_free_text_form_field_goes_through_the_one_cleaner():
    assert unguarded_form_fields() == []


def test_every_free_text_api_input_goes_through_the_one_cleaner():
    assert unguarded_api_inputs() == []


def test_the_guard_finds_forms_in_every_app():
    modules = {cls.__module__.split(".")[0] for cls in _project_classes(forms.BaseForm)}
    assert {"actors", "creators", "usage_requests", "moderation", "portal", "marketplace"} <= modules


INVISIBLE = [
    "\u202e",  # right-to-left override
    "\u202a",  # left-to-right embedding
    "\u2066",  # left-to-right isolate
    "\u2069",  # pop directional isolate
    "\u200e",  # left-to-right mark
    "\u061c",  # Arabic letter mark
    "\u200b",  # zero-width space
    "\u200c",  # zero-width non-joiner
    "\u200d",  # zero-width joiner
    "\u2060",  # word joiner
    "\ufeff",  # zero-width no-break space (byte order mark)
    "\u0007",  # bell
]


@pytest.mark.parametrize("character", INVISIBLE, ids=lambda ch: f"U+{ord(ch):04X}")
def test_bidi_and_zero_width_characters_are_refused(character):
    assert has_control_characters(f"Kung{character}fu")


@pytest.mark.parametrize("text", ["武术, horse riding", "Line one\nline two\tand a tab", "Zoë Ñúñez"])
def test_ordinary_text_is_kept(text):
    assert not has_control_characters(text)


@pytest.mark.parametrize("field", [PlainTextField(), DisplayNameField()], ids=["plain text", "name"])
def test_both_form_fields_refuse_a_right_to_left_override(field):
    with pytest.raises(forms.ValidationError):
        field.clean("Lin \u202euyoaiX")
