"""Serializer fields that apply the portal's shared input rules, so the API
refuses exactly what the forms refuse, and document those rules in the
schema (``pattern``), so a client and schemathesis know what is refused
before sending it.

A pattern spells out the refused characters as code-point ranges, computed
once from the same predicate the server applies (``has_control_characters``,
``str.isprintable``), so the schema cannot drift from the cleaner. Lone
surrogates are refused too but cannot be written in a pattern (a validator's
regex works on Unicode scalar values); JSON Schema tools never generate them.
"""

import re
from collections.abc import Callable
from functools import cache

from django import forms
from rest_framework import serializers

from marketplace.forms import clean_plain_text, has_control_characters


class PlainTextField(serializers.CharField):
    """Free text: trimmed; control and invisible characters (and lone
    surrogates, which no database can store) refused with the forms' message."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        # The limit counts what was sent, as the schema's maxLength does,
        # not what is left after trimming.
        if self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        value = super().to_internal_value(data)
        try:
            return clean_plain_text(value)
        except forms.ValidationError as exc:
            raise serializers.ValidationError(list(exc.messages)) from None


class VisibleTextField(serializers.CharField):
    """Text taken as sent, to be cleaned by a service that drops what cannot
    be printed and trims (``message_send``): it must hold at least one
    printable character that is not a space, or nothing would be left."""


class MoneyField(serializers.DecimalField):
    """An amount of at most ten whole digits and two decimals, zero or more:
    a JSON number (``6500``, ``6500.5``) or a string of digits (``"6500.00"``).
    DRF's ``DecimalField`` also takes ``" 5"``, ``"5."``, ``"5e3"`` or ``"-0"``,
    which no pattern in the schema could promise, so they are refused."""

    STRING = re.compile(r"[0-9]{1,10}(\.[0-9]{1,2})?")
    LARGEST = 9999999999.99

    def __init__(self, **kwargs) -> None:
        super().__init__(max_digits=12, decimal_places=2, min_value=0, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or (isinstance(data, str) and not self.STRING.fullmatch(data)):
            self.fail("invalid")
        return super().to_internal_value(data)


# --- What the schema says about them --------------------------------------------------


def _escaped(code_point: int) -> str:
    # Beyond the BMP the character itself: no escape for it reads the same
    # in ECMA-262 (what OpenAPI 3.0 validators use) and in Python's re.
    return f"\\u{code_point:04X}" if code_point <= 0xFFFF else chr(code_point)


def _class_body(ranges: list[tuple[int, int]]) -> str:
    return "".join(_escaped(low) if low == high else f"{_escaped(low)}-{_escaped(high)}" for low, high in ranges)


# Ranges wider than this (the private-use planes, unassigned planes) go in a
# negative lookahead rather than in the class: a generator such as
# Hypothesis's ``from_regex`` walks a class range code point by code point,
# which for 130,000 of them costs seconds per field, but skips a lookahead.
_WIDE_RANGE = 1024


@cache
def _ranges_of(predicate: Callable[[str], bool]) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """The code points ``predicate`` holds for (surrogates aside), as narrow
    and wide ranges."""
    ranges: list[tuple[int, int]] = []
    for code_point in range(0x110000):
        if 0xD800 <= code_point <= 0xDFFF or not predicate(chr(code_point)):
            continue
        if ranges and ranges[-1][1] == code_point - 1:
            ranges[-1] = (ranges[-1][0], code_point)
        else:
            ranges.append((code_point, code_point))
    narrow = [(low, high) for low, high in ranges if high - low < _WIDE_RANGE]
    wide = [(low, high) for low, high in ranges if high - low >= _WIDE_RANGE]
    return narrow, wide


@cache
def _one_character_outside(predicate: Callable[[str], bool]) -> str:
    """A regex matching one character for which ``predicate`` does not hold:
    ``(?![wide ranges])[^narrow ranges]``."""
    narrow, wide = _ranges_of(predicate)
    lookahead = f"(?![{_class_body(wide)}])" if wide else ""
    return f"{lookahead}[^{_class_body(narrow)}]"


def _refused_or_space(character: str) -> bool:
    return has_control_characters(character) or character.isspace()


def _not_printable_or_space(character: str) -> bool:
    return not character.isprintable() or character.isspace()


@cache
def _one_character_of(predicate: Callable[[str], bool]) -> str:
    """A regex matching one character for which ``predicate`` holds."""
    narrow, wide = _ranges_of(predicate)
    return "|".join(f"[{_class_body(ranges)}]" for ranges in (narrow, wide) if ranges)


def plain_text_pattern(*, allow_blank: bool) -> str:
    """What ``PlainTextField`` takes: no refused character; unless blank is
    allowed, at least one character that trimming leaves.

    "No refused character" is a lookahead, not ``^[^...]*$``: schemathesis
    folds a length limit into a pattern of that shape and writes characters
    beyond the BMP back as ``\\U`` escapes, which an OpenAPI 3.0 validator
    cannot read."""
    if allow_blank:
        return rf"^(?![\s\S]*(?:{_one_character_of(has_control_characters)}))"
    allowed = f"(?:{_one_character_outside(has_control_characters)})*"
    return f"^{allowed}{_one_character_outside(_refused_or_space)}{allowed}$"


def visible_text_pattern() -> str:
    """What ``VisibleTextField`` takes: one printable, non-space character somewhere."""
    return _one_character_outside(_not_printable_or_space)
