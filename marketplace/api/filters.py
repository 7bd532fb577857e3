"""Query filters of the API lists.

A filter sent empty (``?status=``) is a 400 naming it, not "any": the schema
gives each filter a closed set of values (an enum, a number, a boolean), and
an empty string is none of them. To ask for any value, leave the parameter
out. The same rule holds for ``page_size`` (``marketplace.api.pagination``)
and the roster's filters; only free text (``q``, ``city``, ``skill``) and the
cursor (empty: the first page) may be empty.
"""

from collections.abc import Iterable

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

from marketplace.forms import MAX_PK

EMPTY_VALUE = _("This parameter is empty: give one of its values, or leave it out for any.")


def refuse_empty_values(query_params, names: Iterable[str]) -> None:
    """Raise a 400 naming each of ``names`` sent with an empty value."""
    empty = [name for name in names if name in query_params and not query_params.get(name, "").strip()]
    if empty:
        raise ValidationError({name: [str(EMPTY_VALUE)] for name in empty})


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, but an empty filter is refused: its own
    filters read an empty value as "no filter"."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            refuse_empty_values(request.query_params, filterset_class.base_filters)
        return super().filter_queryset(request, queryset, view)


class WholeNumberField(forms.IntegerField):
    """Digits only: Django's ``IntegerField`` also takes ``1.0`` and `` 1``."""

    def to_python(self, value):
        if value not in self.empty_values and not (str(value).isascii() and str(value).isdigit()):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


@extend_schema_field({"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_PK})
class IdFilter(django_filters.NumberFilter):
    """An id, 1 to the largest a column holds. django-filter's ``NumberFilter``
    takes any decimal, and ``?project=1.5`` filtered on project 1."""

    field_class = WholeNumberField

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, min_value=1, max_value=MAX_PK, **kwargs)
