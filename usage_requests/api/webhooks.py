"""``/api/v1/webhooks/``: a creator's webhooks from their tools: register one
(the answer carries its secret, once), list, read and delete them, read an
endpoint's latest deliveries and replay one. Creators only (403 for anyone
else); another's endpoint is a 404. The same services as the pages."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.api.fields import PlainTextField
from marketplace.api.permissions import IsCreator
from marketplace.http import get_in_scope_or_404, signed_in_user
from usage_requests.models import WebhookDelivery, WebhookEndpoint, WebhookEventType
from usage_requests.models.webhooks import WEBHOOK_DESCRIPTION_MAX_LENGTH, WEBHOOK_URL_MAX_LENGTH
from usage_requests.selectors.webhooks import (
    recent_webhook_deliveries,
    webhook_deliveries_for_user,
    webhook_endpoints_for_user,
)
from usage_requests.services.webhooks import (
    webhook_delivery_replay,
    webhook_endpoint_create,
    webhook_endpoint_delete,
)

EVENT_TYPES = [choice.value for choice in WebhookEventType]


class WebhookEndpointSerializer(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.ChoiceField(choices=WebhookEventType.choices))
    disabled_reason = serializers.ChoiceField(
        choices=WebhookEndpoint.DisabledReason.choices,
        allow_blank=True,
        help_text="Why the endpoint is off: `failures` (turned off after repeated failed deliveries) or `owner`.",
    )
    secret_hint = serializers.CharField(help_text="The start of the secret, to tell two apart.")

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "description",
            "events",
            "active",
            "consecutive_failures",
            "disabled_at",
            "disabled_reason",
            "secret_hint",
            "created_at",
        ]


class WebhookCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(
        help_text="The HMAC-SHA256 key every request to this endpoint is signed with. Shown only in this answer."
    )

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]


class WebhookInput(serializers.Serializer):
    url = PlainTextField(
        max_length=WEBHOOK_URL_MAX_LENGTH,
        help_text="https:// URL of your tool; its host must resolve to public addresses only. "
        "No user name or password in it.",
    )
    description = PlainTextField(
        max_length=WEBHOOK_DESCRIPTION_MAX_LENGTH, required=False, allow_blank=True, default=""
    )
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEventType.choices),
        min_length=1,
        max_length=len(EVENT_TYPES),
        required=False,
        default=lambda: list(EVENT_TYPES),
        help_text="The event types to send; all of them when left out.",
    )


class WebhookDeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event_id",
            "event_type",
            "occurred_at",
            "status",
            "attempts",
            "last_attempt_at",
            "last_status_code",
            "last_response",
            "last_error",
            "next_attempt_at",
            "payload",
            "created_at",
        ]


def _endpoint(request: Request, pk: int) -> WebhookEndpoint:
    return get_in_scope_or_404(request, webhook_endpoints_for_user(signed_in_user(request)), pk=pk)


class WebhookList(APIView):
    permission_classes = [IsCreator]

    @extend_schema(
        summary="Your webhooks, newest first", responses=WebhookEndpointSerializer(many=True), tags=["webhooks"]
    )
    def get(self, request: Request) -> Response:
        endpoints = webhook_endpoints_for_user(signed_in_user(request))
        return Response(WebhookEndpointSerializer(endpoints, many=True).data)

    @extend_schema(
        summary="Register a webhook; the answer carries its secret, once",
        request=WebhookInput,
        responses={201: WebhookCreatedSerializer},
        tags=["webhooks"],
    )
    def post(self, request: Request) -> Response:
        values = WebhookInput(data=request.data)
        values.is_valid(raise_exception=True)
        endpoint, _secret = webhook_endpoint_create(owner=signed_in_user(request), **values.validated_data)
        return Response(WebhookCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED)


class WebhookDetail(APIView):
    permission_classes = [IsCreator]

    @extend_schema(summary="One of your webhooks", responses=WebhookEndpointSerializer, tags=["webhooks"])
    def get(self, request: Request, pk: int) -> Response:
        return Response(WebhookEndpointSerializer(_endpoint(request, pk)).data)

    @extend_schema(summary="Delete a webhook and its deliveries", responses={204: None}, tags=["webhooks"])
    def delete(self, request: Request, pk: int) -> Response:
        webhook_endpoint_delete(endpoint=_endpoint(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookDeliveries(APIView):
    permission_classes = [IsCreator]

    @extend_schema(
        summary="The webhook's latest 50 deliveries, newest event first",
        responses=WebhookDeliverySerializer(many=True),
        tags=["webhooks"],
    )
    def get(self, request: Request, pk: int) -> Response:
        deliveries = recent_webhook_deliveries(_endpoint(request, pk))
        return Response(WebhookDeliverySerializer(deliveries, many=True).data)


class WebhookReplay(APIView):
    permission_classes = [IsCreator]

    @extend_schema(
        summary="Send a delivery again now, with the same event id",
        description="409 when it is waiting to be sent already or the webhook is off.",
        request=None,
        responses=WebhookDeliverySerializer,
        tags=["webhooks"],
    )
    def post(self, request: Request, pk: int, delivery_id: int) -> Response:
        endpoint = _endpoint(request, pk)
        scoped = webhook_deliveries_for_user(signed_in_user(request))
        delivery = get_in_scope_or_404(request, scoped, pk=delivery_id, endpoint=endpoint)
        return Response(WebhookDeliverySerializer(webhook_delivery_replay(delivery=delivery)).data)
