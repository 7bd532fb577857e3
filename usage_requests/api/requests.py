"""``/api/v1/requests/``: usage requests, their moves and their threads.

Reads through ``usage_requests.selectors`` (a request the caller is not a
party of is a 404), moves through ``usage_requests.services``, the calls the
request pages make. A refused move comes back as the service said it:
409 for a status that does not allow it or a race lost, 400 for terms or
red lines, 403 for the wrong party (see ``marketplace.api.errors``).
"""

from abc import ABC, abstractmethod

import django_filters
from django.urls import path, reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from actors.selectors import listed_actors
from creators.models import Shot
from creators.selectors import creator_profile_for_user, projects_for_user
from marketplace.api.errors import field_error
from marketplace.api.fields import PlainTextField
from marketplace.api.pagination import OldestFirstPagination
from marketplace.api.permissions import IsActorOrCreator, IsCreator
from marketplace.forms import MAX_PK
from marketplace.http import get_in_scope_or_404
from marketplace.money import Currency
from marketplace.places import Territory
from usage_requests import selectors
from usage_requests.models import (
    MESSAGE_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    Message,
    Party,
    RequestShot,
    RequestStatus,
    RequestTerms,
    ShotDecision,
    UsageRequest,
)
from usage_requests.services import (
    MessageRefused,
    message_send,
    require_party,
    thread_mark_read,
    usage_request_accept_counter,
    usage_request_counter,
    usage_request_decide_and_accept,
    usage_request_decline,
    usage_request_send,
    usage_request_withdraw,
)

MAX_SHOTS_PER_REQUEST = 200

# --- Output -----------------------------------------------------------------------


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


class RequestSerializer(serializers.ModelSerializer):
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
    url = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()

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

    def _user(self):
        return self.context["request"].user

    def get_my_party(self, req: UsageRequest) -> str | None:
        return req.party_of(self._user())

    @extend_schema_field(TermsSerializer)
    def get_terms(self, req: UsageRequest) -> dict:
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

    def get_url(self, req: UsageRequest) -> str:
        return self.context["request"].build_absolute_uri(reverse("api:v1:request-detail", args=[req.pk]))

    def get_page_url(self, req: UsageRequest) -> str:
        return self.context["request"].build_absolute_uri(reverse("usage_requests:request_detail", args=[req.pk]))


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
    def get_events(self, req: UsageRequest) -> list:
        return EventSerializer(selectors.request_timeline(req), many=True).data


class MessageSerializer(serializers.ModelSerializer):
    mine = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = ["id", "sender_party", "body", "created_at", "mine"]

    def get_mine(self, message: Message) -> bool:
        return message.sender_id == self.context["request"].user.pk


# --- Input ------------------------------------------------------------------------


class TermsInput(serializers.Serializer):
    fee = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    currency = serializers.ChoiceField(choices=Currency.choices)
    term_start = serializers.DateField()
    term_end = serializers.DateField()
    territory = serializers.ChoiceField(choices=Territory.choices)
    ai_training = serializers.BooleanField(default=False)

    def terms(self) -> dict:
        data = self.validated_data
        return {name: data[name] for name in ("fee", "currency", "term_start", "term_end", "territory", "ai_training")}


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


class TermsVersionInput(serializers.Serializer):
    terms_version = serializers.IntegerField(
        min_value=1, max_value=32767, help_text="The version you read; a newer one is refused (409)."
    )


class DecisionInput(serializers.Serializer):
    shot_number = serializers.IntegerField(min_value=1, max_value=32767)
    decision = serializers.ChoiceField(choices=[ShotDecision.APPROVED.value, ShotDecision.VETOED.value])
    note = PlainTextField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, default="")


class AcceptInput(TermsVersionInput):
    decisions = DecisionInput(
        many=True,
        required=False,
        max_length=MAX_SHOTS_PER_REQUEST,
        help_text="Approve or veto each shot (saved first, in the same transaction as the acceptance).",
    )


class CounterInput(TermsInput, TermsVersionInput):
    note = PlainTextField(max_length=MESSAGE_MAX_LENGTH, required=False, allow_blank=True, default="")


class ReasonInput(serializers.Serializer):
    reason = PlainTextField(max_length=REASON_MAX_LENGTH, required=False, allow_blank=True, default="")


class MessageInput(serializers.Serializer):
    body = serializers.CharField(max_length=MESSAGE_MAX_LENGTH, trim_whitespace=False)


def _valid(serializer_class, request: Request) -> serializers.Serializer:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer


# --- Views ------------------------------------------------------------------------


class RequestFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=RequestStatus.choices)
    project = django_filters.NumberFilter(field_name="project_id", min_value=1, max_value=MAX_PK)

    class Meta:
        model = UsageRequest
        fields = ["status", "project"]


def _detail(request: Request, pk: int) -> UsageRequest:
    return get_in_scope_or_404(request, selectors.request_detail_with_counts(request.user), pk=pk)


def _answer(request: Request, req: UsageRequest, code: int = status.HTTP_200_OK) -> Response:
    """The request as it stands now (re-read after a move)."""
    fresh = selectors.request_detail_with_counts(request.user).get(pk=req.pk)
    return Response(RequestDetailSerializer(fresh, context={"request": request}).data, status=code)


class RequestList(generics.ListAPIView):
    permission_classes = [IsActorOrCreator]
    serializer_class = RequestSerializer
    filterset_class = RequestFilter

    def get_queryset(self):
        return selectors.request_list_for_user(self.request.user)

    @extend_schema(summary="Your requests, as actor and as creator, newest first", tags=["requests"])
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Send a request to one actor for some shots of one of your projects",
        request=RequestCreateInput,
        responses={201: RequestDetailSerializer},
        tags=["requests"],
    )
    def post(self, request: Request) -> Response:
        if not IsCreator().has_permission(request, self):
            self.permission_denied(request, message=IsCreator.message)
        data = _valid(RequestCreateInput, request)
        values = data.validated_data
        actor = listed_actors().filter(slug=values["actor"]).first()
        if actor is None:
            raise ValidationError(field_error("actor", _("No actor on the roster has this slug.")))
        project = projects_for_user(request.user).filter(pk=values["project"]).first()
        if project is None:
            raise ValidationError(field_error("project", _("You have no project with this id.")))
        shots = list(Shot.objects.filter(project=project, pk__in=values["shots"]))
        if len(shots) != len(set(values["shots"])):
            raise ValidationError(field_error("shots", _("Every shot must belong to the project.")))
        sent = usage_request_send(
            creator=creator_profile_for_user(request.user),
            actor=actor,
            project=project,
            shots=shots,
            message=values["message"],
            **data.terms(),
        )
        return _answer(request, sent, status.HTTP_201_CREATED)


class RequestDetail(APIView):
    permission_classes = [IsActorOrCreator]

    @extend_schema(
        summary="One request: shots, decisions, every terms version, timeline",
        responses=RequestDetailSerializer,
        tags=["requests"],
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(RequestDetailSerializer(_detail(request, pk), context={"request": request}).data)


def _move_schema(summary: str, body: type[serializers.Serializer]):
    return extend_schema_view(
        post=extend_schema(summary=summary, request=body, responses=RequestDetailSerializer, tags=["requests"])
    )


class _Move(APIView, ABC):
    """A POST that moves a request: the caller's party is checked, the body
    (``body``) validated, ``move`` calls the service; the answer is the
    request afterwards."""

    permission_classes = [IsActorOrCreator]
    # Who may make the move; None: either party (the service decides).
    party: str | None = None
    body: type[serializers.Serializer]

    def post(self, request: Request, pk: int) -> Response:
        req = _detail(request, pk)
        if self.party is not None:
            # Before the body is read, so the wrong party learns nothing from a 400.
            require_party(req, request.user, self.party)
        self.move(request, req, _valid(self.body, request))
        return _answer(request, req)

    @abstractmethod
    def move(self, request: Request, req: UsageRequest, data: serializers.Serializer) -> None:
        """Call the service with the validated ``data``."""


@_move_schema("Actor: decide the shots and accept the latest terms (a contract is created)", AcceptInput)
class RequestAccept(_Move):
    party = Party.ACTOR
    body = AcceptInput

    def move(self, request: Request, req: UsageRequest, data: AcceptInput) -> None:
        values = data.validated_data
        rows = {row.shot.number: row.pk for row in req.request_shots.all()}
        decisions = {}
        for item in values.get("decisions", []):
            if item["shot_number"] not in rows:
                raise ValidationError(
                    field_error(
                        "decisions",
                        _("Shot %(number)s is not part of this request.") % {"number": item["shot_number"]},
                    )
                )
            decisions[rows[item["shot_number"]]] = (item["decision"], item["note"])
        usage_request_decide_and_accept(
            usage_request=req, user=request.user, decisions=decisions, terms_version=values["terms_version"]
        )


@_move_schema("Decline: the actor a pending request, the creator a counter-offer", ReasonInput)
class RequestDecline(_Move):
    body = ReasonInput

    def move(self, request: Request, req: UsageRequest, data: ReasonInput) -> None:
        usage_request_decline(request=req, user=request.user, reason=data.validated_data["reason"])


@_move_schema("Actor: propose new terms (the creator decides next)", CounterInput)
class RequestCounter(_Move):
    party = Party.ACTOR
    body = CounterInput

    def move(self, request: Request, req: UsageRequest, data: CounterInput) -> None:
        usage_request_counter(
            request=req,
            user=request.user,
            terms_version=data.validated_data["terms_version"],
            note=data.validated_data["note"],
            **data.terms(),
        )


@_move_schema("Creator: accept the actor's counter-offer (the actor confirms the shots next)", TermsVersionInput)
class RequestAcceptCounter(_Move):
    party = Party.CREATOR
    body = TermsVersionInput

    def move(self, request: Request, req: UsageRequest, data: TermsVersionInput) -> None:
        version = data.validated_data["terms_version"]
        usage_request_accept_counter(request=req, user=request.user, terms_version=version)


@_move_schema("Creator: withdraw an open request", ReasonInput)
class RequestWithdraw(_Move):
    party = Party.CREATOR
    body = ReasonInput

    def move(self, request: Request, req: UsageRequest, data: ReasonInput) -> None:
        usage_request_withdraw(request=req, user=request.user, reason=data.validated_data["reason"])


class RequestMessages(generics.GenericAPIView):
    """The thread, oldest first; reading it marks it read, as the page does."""

    permission_classes = [IsActorOrCreator]
    serializer_class = MessageSerializer
    pagination_class = OldestFirstPagination
    filter_backends: list = []

    @extend_schema(summary="The request's messages, oldest first (marks them read)", tags=["requests"])
    def get(self, request: Request, pk: int) -> Response:
        req = _detail(request, pk)
        page = self.paginate_queryset(selectors.messages_for_request(req))
        thread_mark_read(request=req, user=request.user)
        return self.get_paginated_response(MessageSerializer(page, many=True, context={"request": request}).data)

    @extend_schema(
        summary="Write in the request's thread",
        request=MessageInput,
        responses={201: MessageSerializer},
        tags=["requests"],
    )
    def post(self, request: Request, pk: int) -> Response:
        req = _detail(request, pk)
        body = _valid(MessageInput, request).validated_data["body"]
        try:
            message = message_send(request=req, user=request.user, body=body)
        except MessageRefused as exc:
            raise ValidationError(field_error("body", exc.message)) from None
        return Response(MessageSerializer(message, context={"request": request}).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("requests/", RequestList.as_view(), name="request-list"),
    path("requests/<int:pk>/", RequestDetail.as_view(), name="request-detail"),
    path("requests/<int:pk>/accept", RequestAccept.as_view(), name="request-accept"),
    path("requests/<int:pk>/decline", RequestDecline.as_view(), name="request-decline"),
    path("requests/<int:pk>/counter", RequestCounter.as_view(), name="request-counter"),
    path("requests/<int:pk>/accept-counter", RequestAcceptCounter.as_view(), name="request-accept-counter"),
    path("requests/<int:pk>/withdraw", RequestWithdraw.as_view(), name="request-withdraw"),
    path("requests/<int:pk>/messages/", RequestMessages.as_view(), name="request-messages"),
]
