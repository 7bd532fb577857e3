"""Serializer fields that apply the portal's shared input rules, so the API
refuses exactly what the forms refuse."""

from django import forms
from rest_framework import serializers

from marketplace.forms import clean_plain_text


class PlainTextField(serializers.CharField):
    """Free text: trimmed; control and invisible characters (and lone
    surrogates, which no database can store) refused with the forms' message."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        value = super().to_internal_value(data)
        try:
            return clean_plain_text(value)
        except forms.ValidationError as exc:
            raise serializers.ValidationError(list(exc.messages)) from None
