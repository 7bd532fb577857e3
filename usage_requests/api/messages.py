"""``/api/v1/requests/<id>/messages/``: a request's thread, read and written
as on the request page."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from marketplace.api.errors import field_error
from marketplace.api.fields import VisibleTextField
from marketplace.api.pagination import OldestFirstPagination
from marketplace.api.permissions import IsActorOrCreator
from marketplace.http import signed_in_user
from usage_requests import selectors
from usage_requests.api.requests import request_in_scope, valid_input
from usage_requests.models import MESSAGE_MAX_LENGTH, Message
from usage_requests.services import MessageRefused, message_send, thread_mark_read


class MessageSerializer(serializers.ModelSerializer):
    mine = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = ["id", "sender_party", "body", "created_at", "mine"]

    def get_mine(self, message: Message) -> bool:
        return message.sender_id == self.context["request"].user.pk


class MessageInput(serializers.Serializer):
    body = VisibleTextField(max_length=MESSAGE_MAX_LENGTH, trim_whitespace=False)


class RequestMessages(generics.GenericAPIView):
    """The thread, oldest first; reading it marks it read, as the page does."""

    permission_classes = [IsActorOrCreator]
    serializer_class = MessageSerializer
    pagination_class = OldestFirstPagination
    filter_backends: list[type] = []

    @extend_schema(
        summary="The request's messages, oldest first (marks them read)",
        responses=MessageSerializer(many=True),
        tags=["requests"],
    )
    def get(self, request: Request, pk: int) -> Response:
        req = request_in_scope(request, pk)
        page = self.paginate_queryset(selectors.messages_for_request(req))
        thread_mark_read(request=req, user=signed_in_user(request))
        return self.get_paginated_response(MessageSerializer(page, many=True, context={"request": request}).data)

    @extend_schema(
        summary="Write in the request's thread",
        request=MessageInput,
        responses={201: MessageSerializer},
        tags=["requests"],
    )
    def post(self, request: Request, pk: int) -> Response:
        req = request_in_scope(request, pk)
        body = valid_input(MessageInput, request).validated_data["body"]
        try:
            message = message_send(request=req, user=signed_in_user(request), body=body)
        except MessageRefused as exc:
            raise ValidationError(field_error("body", exc.message)) from None
        return Response(MessageSerializer(message, context={"request": request}).data, status=status.HTTP_201_CREATED)
