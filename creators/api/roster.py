"""``GET /api/v1/actors/`` and ``GET /api/v1/actors/<slug>/``: the roster
for creators' tools.

The same rule and the same search as ``/roster/``: creators with a verified
email address only; the filters are the roster form's (``RosterFilterForm``),
the search and its cursor pagination are ``creators.selectors.roster.roster_search``,
and only listed actors (``actors.selectors.listed_actors``) are ever seen.
"""

from typing import Any, cast

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from actors.models import ActorProfile, Gender, SpokenLanguage
from actors.selectors import listed_actors, viewable_photos, with_primary_thumbnail
from creators.forms import RosterFilterForm
from creators.selectors import roster_refusal
from creators.selectors.roster import COUNT_LIMIT, MAX_PAGE_SIZE, SORTS, roster_search
from marketplace.api.fields import MoneyField, PlainTextField
from marketplace.api.filters import refuse_empty_values
from marketplace.api.pagination import BAD_CURSOR, DEFAULT_PAGE_SIZE, page_size_from
from marketplace.categories import ContentCategory
from marketplace.http import get_in_scope_or_404, portal_state
from marketplace.money import Currency
from marketplace.places import Country


class CanBrowseRoster(BasePermission):
    """Creators with a verified email address, as on ``/roster/``."""

    # The roster page's own explanations (roster_denied.html): the same rule
    # in the same words, already translated.
    reasons = {
        "not_creator": _(
            "The roster shows actors who chose to be found by creators of AI content. To browse it, "
            "add the creator role to your account."
        ),
        "email_unverified": _(
            "Actors trust that everyone who sees their profile can be reached. Confirm your email address, "
            "then come back."
        ),
    }

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        reason = roster_refusal(portal_state(request))
        if reason:
            self.message = self.reasons[reason]
        return reason is None


def _photo_url(request: Request, photo_id: int | None, kind: str) -> str | None:
    if photo_id is None:
        return None
    return request.build_absolute_uri(reverse("actors:photo", args=[photo_id, kind]))


class ActorSummarySerializer(serializers.ModelSerializer):
    languages = serializers.ListField(child=serializers.ChoiceField(choices=SpokenLanguage.choices))
    skills = serializers.ListField(child=serializers.CharField(), source="skill_list")
    verified = serializers.BooleanField(source="is_verified")
    url = serializers.SerializerMethodField()
    profile_url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = ActorProfile
        fields = [
            "slug",
            "stage_name",
            "headline",
            "languages",
            "gender",
            "playing_age_min",
            "playing_age_max",
            "city",
            "country",
            "skills",
            "min_fee",
            "fee_currency",
            "max_term_months",
            "verified",
            "url",
            "profile_url",
            "thumbnail_url",
        ]

    def get_url(self, actor: ActorProfile) -> str:
        return self.context["request"].build_absolute_uri(reverse("api:v1:actor-detail", args=[actor.slug]))

    def get_profile_url(self, actor: ActorProfile) -> str:
        return self.context["request"].build_absolute_uri(reverse("roster_actor", args=[actor.slug]))

    def get_thumbnail_url(self, actor: ActorProfile) -> str | None:
        """The thumbnail, for the signed-in browser session (a 404 otherwise)."""
        return _photo_url(self.context["request"], getattr(actor, "primary_photo_id", None), "thumbnail")


class RedLinesSerializer(serializers.Serializer):
    excluded_categories = serializers.ListField(child=serializers.ChoiceField(choices=ContentCategory.choices))
    blocked_keywords = serializers.ListField(child=serializers.CharField())
    accepted_territories = serializers.ListField(child=serializers.CharField())
    ai_training_allowed = serializers.BooleanField()


class PhotoSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    thumbnail_url = serializers.SerializerMethodField()
    preview_url = serializers.SerializerMethodField()

    def get_thumbnail_url(self, photo) -> str | None:
        return _photo_url(self.context["request"], photo.pk, "thumbnail")

    def get_preview_url(self, photo) -> str | None:
        """The watermarked preview; every fetch is in the actor's access log."""
        return _photo_url(self.context["request"], photo.pk, "preview")


class ActorDetailSerializer(ActorSummarySerializer):
    red_lines = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()

    class Meta(ActorSummarySerializer.Meta):
        fields = [*ActorSummarySerializer.Meta.fields, "bio", "union_membership", "red_lines", "photos"]

    @extend_schema_field(RedLinesSerializer(allow_null=True))
    def get_red_lines(self, actor: ActorProfile) -> dict | None:
        red_lines = getattr(actor, "red_lines", None)
        return None if red_lines is None else RedLinesSerializer(red_lines).data

    @extend_schema_field(PhotoSerializer(many=True))
    def get_photos(self, actor: ActorProfile) -> list[dict[str, Any]]:
        return [PhotoSerializer(photo, context=self.context).data for photo in viewable_photos(actor)]


class ActorPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    count = serializers.IntegerField(
        min_value=0,
        max_value=COUNT_LIMIT,
        allow_null=True,
        help_text=f"How many actors match, counted up to {COUNT_LIMIT}; null on a page past the end of the list.",
    )
    count_exact = serializers.BooleanField(
        allow_null=True, help_text=f"false when more than {COUNT_LIMIT} actors match; null with `count`."
    )
    suggestion = serializers.CharField(
        allow_null=True,
        help_text='The search with its typos corrected ("did you mean"), when the first page came back short '
        "and listed actors have the corrected words; the results already include them.",
    )
    results = ActorSummarySerializer(many=True)


def _text_filter(name: str, help_text: str = "") -> PlainTextField:
    """A free-text filter as the roster form takes it (length, characters)."""
    form_field = cast(forms.CharField, RosterFilterForm.base_fields[name])
    return PlainTextField(max_length=form_field.max_length, required=False, allow_blank=True, help_text=help_text)


class RosterTextFilters(serializers.Serializer):
    """The free-text filters. The form checks them again; this also refuses
    a value longer than the limit before trimming, as the schema says."""

    q = _text_filter("q", "Search: stage name, headline, skills, biography, city.")
    city = _text_filter("city")
    skill = _text_filter("skill")


NOT_A_BOOLEAN = _("Give true or false.")
_AGE_FIELD = cast(forms.IntegerField, RosterFilterForm.base_fields["age_min"])
_AGE = {"type": "integer", "minimum": _AGE_FIELD.min_value, "maximum": _AGE_FIELD.max_value}
# Signed by creators.selectors.search.encode_cursor (django.core.signing: URL-safe
# base64, ":" between the parts); decode_cursor refuses one longer than 500.
ROSTER_CURSOR = {"type": "string", "pattern": r"^[A-Za-z0-9_:.-]*$", "maxLength": 500}
_FILTERS: list[OpenApiParameter | type[serializers.Serializer]] = [
    RosterTextFilters,
    OpenApiParameter("language", OpenApiTypes.STR, enum=SpokenLanguage.values),
    OpenApiParameter("gender", OpenApiTypes.STR, enum=Gender.values),
    OpenApiParameter("age", _AGE, description="A playing age the actor covers (instead of `age_min`, `age_max`)."),
    OpenApiParameter("age_min", _AGE, description="Playing-age range, lower end (not above `age_max`)."),
    OpenApiParameter("age_max", _AGE, description="Playing-age range, upper end."),
    OpenApiParameter("country", OpenApiTypes.STR, enum=Country.values),
    OpenApiParameter(
        "category", OpenApiTypes.STR, enum=ContentCategory.values, description="Hide actors who exclude it."
    ),
    OpenApiParameter(
        "fee_max",
        {"type": "number", "minimum": 0, "maximum": MoneyField.LARGEST, "multipleOf": 0.01},
        description="Highest minimum fee, in `currency`.",
    ),
    OpenApiParameter("currency", OpenApiTypes.STR, enum=Currency.values),
    OpenApiParameter("ai_training", OpenApiTypes.BOOL, description="Only actors who may be asked for AI training."),
    OpenApiParameter("sort", OpenApiTypes.STR, enum=list(SORTS)),
    OpenApiParameter(
        "cursor", ROSTER_CURSOR, description="From `next` or `previous` of the last page; empty or absent: the first."
    ),
    OpenApiParameter(
        "page_size",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
        description=f"1-{MAX_PAGE_SIZE}, default {DEFAULT_PAGE_SIZE}.",
    ),
]
# A parameter with a closed set of values sent empty is a 400 (marketplace.api.filters).
_CLOSED_FILTERS = [
    parameter.name
    for parameter in _FILTERS
    if isinstance(parameter, OpenApiParameter) and parameter.name not in ("cursor", "page_size")
]


def _filter_form(request: Request) -> RosterFilterForm:
    data = request.query_params.copy()
    age = data.get("age", "").strip()
    if age:
        # One age: the actor's playing range must include it. It takes the
        # place of a range sent with it, which must still be well formed.
        errors = {}
        for name in ("age_min", "age_max"):
            if name in data:
                try:
                    RosterFilterForm.base_fields[name].clean(data[name])
                except forms.ValidationError as exc:
                    errors[name] = list(exc.messages)
        if errors:
            raise ValidationError(errors)
        data["age_min"] = data["age_max"] = age
    return RosterFilterForm(data)


def _filter_errors(request: Request, form: RosterFilterForm) -> dict:
    """The form's errors, under the parameters the caller sent: a bad
    ``age`` is named ``age``, not the range it stands for."""
    errors = {field: list(messages) for field, messages in form.errors.items()}
    if request.query_params.get("age", "").strip():
        ranged = [errors.pop(name) for name in ("age_min", "age_max") if name in errors]
        if ranged:
            errors["age"] = ranged[0]
    return errors


def _refuse_non_boolean(request: Request, name: str) -> None:
    """A boolean parameter is ``true`` or ``false`` (or ``1``, ``0``); the
    form's checkbox field would read any other value as true."""
    value = request.query_params.get(name)
    if value is not None and value.lower() not in ("true", "false", "1", "0"):
        raise ValidationError({name: [str(NOT_A_BOOLEAN)]})


def _with_cursor(request: Request, cursor: str | None) -> str | None:
    if cursor is None:
        return None
    query = request.query_params.copy()
    query["cursor"] = cursor
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


class ActorList(APIView):
    permission_classes = [CanBrowseRoster]

    @extend_schema(
        operation_id="actors_list",
        summary="Search the roster",
        parameters=_FILTERS,
        responses=ActorPageSerializer,
        tags=["roster"],
    )
    def get(self, request: Request) -> Response:
        refuse_empty_values(request.query_params, _CLOSED_FILTERS)
        RosterTextFilters(data=request.query_params).is_valid(raise_exception=True)
        _refuse_non_boolean(request, "ai_training")
        form = _filter_form(request)
        if not form.is_valid():
            raise ValidationError(_filter_errors(request, form))
        page = roster_search(
            params=form.params(),
            cursor=request.query_params.get("cursor") or None,
            page_size=page_size_from(request, maximum=MAX_PAGE_SIZE),
        )
        if page.cursor_rejected:
            raise ValidationError({"cursor": [str(BAD_CURSOR)]})
        results = ActorSummarySerializer(page.actors, many=True, context={"request": request}).data
        return Response(
            {
                "next": _with_cursor(request, page.next_cursor),
                "previous": _with_cursor(request, page.previous_cursor),
                "count": page.count.value if page.count else None,
                "count_exact": page.count.exact if page.count else None,
                "suggestion": page.suggestion or None,
                "results": results,
            }
        )


class ActorDetail(APIView):
    permission_classes = [CanBrowseRoster]

    @extend_schema(
        operation_id="actors_retrieve",
        summary="One actor on the roster",
        responses=ActorDetailSerializer,
        tags=["roster"],
    )
    def get(self, request: Request, slug: str) -> Response:
        # The thumbnail comes as on the list (``primary_photo_id``).
        actors = with_primary_thumbnail(listed_actors().select_related("red_lines"))
        actor = get_in_scope_or_404(request, actors, slug=slug)
        return Response(ActorDetailSerializer(actor, context={"request": request}).data)
