"""``/api/v1/requests/``: the list and detail of usage requests, and sending one.

Reads through ``usage_requests.selectors`` (a request the caller is not a
party of is a 404), writes through ``usage_requests.services``, the calls the
request pages make. A refused move comes back as the service said it:
409 for a status that does not allow it or a race lost, 400 for terms or
red lines, 403 for the wrong party (see ``marketplace.api.errors``). The
moves (``moves``) and the thread (``messages``) have their own modules.
"""

from typing import Any, TypeVar

import django_filters
from django.db.models import Model
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from actors.selectors import listed_actors
from creators.models import Shot
from creators.selectors import creator_profile_of, projects_for_user
from marketplace.api.errors import field_error
from marketplace.api.fields import MoneyField, PlainTextField
from marketplace.api.filters import IdFilter
from marketplace.api.permissions import IsActorOrCreator, IsCreator
from marketplace.forms import MAX_PK
from marketplace.http import get_in_scope_or_404, signed_in_user
from marketplace.money import Currency
from marketplace.places import Territory
from usage_requests import selectors
from usage_requests.models import (
    MESSAGE_MAX_LENGTH,
    Party,
    RequestShot,
    RequestStatus,
    RequestTerms,
    UsageRequest,
)
from usage_requests.services import ProposedTerms, proposed_terms, usage_request_send

MAX_SHOTS_PER_REQUEST = 200

S = TypeVar("S", bound=serializers.Serializer)

# --- Output -----------------------------------------------------------------------


# ``url``, the object in the API, and ``page_url``, its page, by the view names
# ``api_view`` and ``page_view``. A comment, not a docstring: the schema would
# describe every serializer built on this one with it.
class PageLinks(serializers.Serializer):
    api_view: str
    page_view: str

    url = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()

    def get_url(self, obj: Model) -> str:
        return self.context["request"].build_absolute_uri(reverse(self.api_view, args=[obj.pk]))

    def get_page_url(self, obj: Model) -> str:
        return self.context["request"].build_absolute_uri(reverse(self.page_view, args=[obj.pk]))


class TermsSerializer(serializers.ModelSerializer):
    class Meta:
        model = RequestTerms
        fields = [
            "version",
            "proposed_by",
            "fee",
            "currency",
            "term_start",
            "term_end",
            "territory",
            "ai_training",
            "note",
            "created_at",
        ]


class ActorRefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    stage_name = serializers.CharField()


class CreatorRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()
    studio = serializers.CharField()


class ProjectRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class RequestSerializer(PageLinks, serializers.ModelSerializer):
    api_view = "api:v1:request-detail"
    page_view = "usage_requests:request_detail"

    status_display = serializers.CharField(source="get_status_display")
    awaiting = serializers.ChoiceField(choices=Party.choices, allow_null=True)
    my_party = serializers.SerializerMethodField()
    actor = ActorRefSerializer()
    creator = CreatorRefSerializer()
    project = ProjectRefSerializer()
    terms = serializers.SerializerMethodField()
    shot_count = serializers.SerializerMethodField()
    unread = serializers.SerializerMethodField()
    contract = serializers.SerializerMethodField()

    class Meta:
        model = UsageRequest
        fields = [
            "id",
            "status",
            "status_display",
            "awaiting",
            "my_party",
            "actor",
            "creator",
            "project",
            "terms_version",
            "terms",
            "shot_count",
            "unread",
            "created_at",
            "updated_at",
            "expires_at",
            "closed_at",
            "contract",
            "url",
            "page_url",
        ]

    def _user(self) -> Any:
        return self.context["request"].user

    def get_my_party(self, req: UsageRequest) -> str | None:
        return req.party_of(self._user())

    @extend_schema_field(TermsSerializer)
    def get_terms(self, req: UsageRequest) -> dict[str, Any] | None:
        """The latest terms: the only version either side may accept."""
        versions = list(req.terms.all())
        return TermsSerializer(versions[-1]).data if versions else None

    def get_shot_count(self, req: UsageRequest) -> int:
        count = getattr(req, "shot_count", None)
        return count if count is not None else len(req.request_shots.all())

    def get_unread(self, req: UsageRequest) -> int:
        """Messages from the other side you have not read."""
        if req.party_of(self._user()) == Party.ACTOR:
            return getattr(req, "unread_for_actor", 0)
        return getattr(req, "unread_for_creator", 0)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_contract(self, req: UsageRequest) -> int | None:
        """The id of the contract an accepted request became."""
        contract = getattr(req, "contract", None)
        return contract.pk if contract is not None else None


class RequestShotSerializer(serializers.ModelSerializer):
    shot_id = serializers.IntegerField(source="shot.pk")
    number = serializers.IntegerField(source="shot.number")
    description = serializers.CharField(source="shot.description")
    category = serializers.CharField(source="shot.category")
    likeness_usage = serializers.ListField(child=serializers.CharField(), source="shot.likeness_usage")
    duration_seconds = serializers.IntegerField(source="shot.duration_seconds")

    class Meta:
        model = RequestShot
        fields = [
            "shot_id",
            "number",
            "description",
            "category",
            "likeness_usage",
            "duration_seconds",
            "decision",
            "note",
            "decided_at",
        ]


class EventSerializer(serializers.Serializer):
    kind = serializers.CharField()
    by_party = serializers.CharField()
    created_at = serializers.DateTimeField()


class RequestDetailSerializer(RequestSerializer):
    shots = RequestShotSerializer(many=True, source="request_shots.all")
    terms_history = TermsSerializer(many=True, source="terms.all")
    events = serializers.SerializerMethodField()

    class Meta(RequestSerializer.Meta):
        fields = [*RequestSerializer.Meta.fields, "message", "close_reason", "shots", "terms_history", "events"]

    @extend_schema_field(EventSerializer(many=True))
    def get_events(self, req: UsageRequest) -> list[Any]:
        return serializers.ListSerializer(selectors.request_timeline(req), child=EventSerializer()).data


# --- Input ------------------------------------------------------------------------


class TermsInput(serializers.Serializer):
    fee = MoneyField()
    currency = serializers.ChoiceField(choices=Currency.choices)
    term_start = serializers.DateField()
    term_end = serializers.DateField()
    territory = serializers.ChoiceField(choices=Territory.choices)
    ai_training = serializers.BooleanField(default=False)

    def terms(self) -> ProposedTerms:
        """The proposed terms, as the services take them (``**data.terms()``)."""
        return proposed_terms(self.validated_data)


class RequestCreateInput(TermsInput):
    actor = serializers.SlugField(max_length=90, help_text="The actor's slug, from actors/.")
    project = serializers.IntegerField(min_value=1, max_value=MAX_PK, help_text="One of your projects.")
    shots = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_PK),
        min_length=1,
        max_length=MAX_SHOTS_PER_REQUEST,
        help_text="Ids of the project's shots (projects/<id>/shots/).",
    )
    message = PlainTextField(max_length=MESSAGE_MAX_LENGTH, required=False, allow_blank=True, default="")


def valid_input(serializer_class: type[S], request: Request) -> S:
    """The request's body, validated by ``serializer_class`` (400 otherwise)."""
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer


# --- Views ------------------------------------------------------------------------


class RequestFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=RequestStatus.choices)
    project = IdFilter(field_name="project_id")

    class Meta:
        model = UsageRequest
        fields = ["status", "project"]


def request_in_scope(request: Request, pk: int) -> UsageRequest:
    """The caller's request ``pk`` with its counts; 404 for any other."""
    return get_in_scope_or_404(request, selectors.request_detail_with_counts(signed_in_user(request)), pk=pk)


def request_answer(request: Request, req: UsageRequest, code: int = status.HTTP_200_OK) -> Response:
    """The request as it stands now (re-read after a move)."""
    fresh = selectors.request_detail_with_counts(signed_in_user(request)).get(pk=req.pk)
    return Response(RequestDetailSerializer(fresh, context={"request": request}).data, status=code)


class RequestList(generics.ListAPIView):
    permission_classes = [IsActorOrCreator]
    serializer_class = RequestSerializer
    filterset_class = RequestFilter

    def get_queryset(self) -> Any:
        # The schema generator calls this with an anonymous request: no rows.
        return selectors.request_list_for_user(self.request.user)

    @extend_schema(summary="Your requests, as actor and as creator, newest first", tags=["requests"])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Send a request to one actor for some shots of one of your projects",
        request=RequestCreateInput,
        responses={201: RequestDetailSerializer},
        tags=["requests"],
    )
    def post(self, request: Request) -> Response:
        if not IsCreator().has_permission(request, self):
            self.permission_denied(request, message=str(IsCreator.message))
        user = signed_in_user(request)
        data = valid_input(RequestCreateInput, request)
        values = data.validated_data
        actor = listed_actors().filter(slug=values["actor"]).first()
        if actor is None:
            raise ValidationError(field_error("actor", _("No actor on the roster has this slug.")))
        project = projects_for_user(user).filter(pk=values["project"]).first()
        if project is None:
            raise ValidationError(field_error("project", _("You have no project with this id.")))
        shots = list(Shot.objects.filter(project=project, pk__in=values["shots"]))
        if len(shots) != len(set(values["shots"])):
            raise ValidationError(field_error("shots", _("Every shot must belong to the project.")))
        sent = usage_request_send(
            creator=creator_profile_of(user),
            actor=actor,
            project=project,
            shots=shots,
            message=values["message"],
            **data.terms(),
        )
        return request_answer(request, sent, status.HTTP_201_CREATED)


class RequestDetail(APIView):
    permission_classes = [IsActorOrCreator]

    @extend_schema(
        summary="One request: shots, decisions, every terms version, timeline",
        responses=RequestDetailSerializer,
        tags=["requests"],
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(RequestDetailSerializer(request_in_scope(request, pk), context={"request": request}).data)
