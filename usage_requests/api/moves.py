"""``/api/v1/requests/<id>/<move>``: the moves of a usage request (accept,
decline, counter, accept the counter-offer, withdraw), each the service the
request page calls; the answer is the request afterwards."""

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.api.errors import field_error
from marketplace.api.fields import PlainTextField
from marketplace.api.permissions import IsActorOrCreator
from marketplace.http import signed_in_user
from usage_requests.api.requests import (
    MAX_SHOTS_PER_REQUEST,
    RequestDetailSerializer,
    TermsInput,
    request_answer,
    request_in_scope,
    valid_input,
)
from usage_requests.models import (
    MESSAGE_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    Party,
    ShotDecision,
    UsageRequest,
)
from usage_requests.services import (
    require_party,
    usage_request_accept_counter,
    usage_request_counter,
    usage_request_decide_and_accept,
    usage_request_decline,
    usage_request_withdraw,
)

# --- Input ------------------------------------------------------------------------


class TermsVersionInput(serializers.Serializer):
    terms_version = serializers.IntegerField(
        min_value=1, max_value=32767, help_text="The version you read; a newer one is refused (409)."
    )


class DecisionInput(serializers.Serializer):
    shot_number = serializers.IntegerField(min_value=1, max_value=32767)
    decision = serializers.ChoiceField(choices=[ShotDecision.APPROVED.value, ShotDecision.VETOED.value])
    note = PlainTextField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, default="")


class AcceptInput(TermsVersionInput):
    # What ``DecisionInput(many=True, ...)`` builds, called by name so that the
    # list's own arguments (``max_length``) type-check.
    decisions = DecisionInput.many_init(
        required=False,
        max_length=MAX_SHOTS_PER_REQUEST,
        help_text="Approve or veto each shot (saved first, in the same transaction as the acceptance).",
    )
    visible_label = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Whether every copy the creator downloads also carries the licence code in a small visible "
        "corner label (every copy always carries an invisible mark naming its delivery). Default false.",
    )
    outputs_need_approval = serializers.BooleanField(
        required=False,
        default=True,
        help_text="Whether each output the creator generates with the likeness waits for the actor's approval "
        "(default true); false approves each on submission.",
    )


class CounterInput(TermsInput, TermsVersionInput):
    note = PlainTextField(max_length=MESSAGE_MAX_LENGTH, required=False, allow_blank=True, default="")


class ReasonInput(serializers.Serializer):
    reason = PlainTextField(max_length=REASON_MAX_LENGTH, required=False, allow_blank=True, default="")


# --- Views ------------------------------------------------------------------------

B = TypeVar("B", bound=serializers.Serializer)


def _move_schema(summary: str, body: type[serializers.Serializer]) -> Callable[[Any], Any]:
    return extend_schema_view(
        post=extend_schema(summary=summary, request=body, responses=RequestDetailSerializer, tags=["requests"])
    )


class _Move(APIView, ABC, Generic[B]):
    """A POST that moves a request: the caller's party is checked, the body
    (``body``) validated, ``move`` calls the service; the answer is the
    request afterwards."""

    permission_classes = [IsActorOrCreator]
    # Who may make the move; None: either party (the service decides).
    party: str | None = None
    body: type[B]

    def post(self, request: Request, pk: int) -> Response:
        req = request_in_scope(request, pk)
        if self.party is not None:
            # Before the body is read, so the wrong party learns nothing from a 400.
            require_party(req, signed_in_user(request), self.party)
        self.move(request, req, valid_input(self.body, request))
        return request_answer(request, req)

    @abstractmethod
    def move(self, request: Request, req: UsageRequest, data: B) -> None:
        """Call the service with the validated ``data``."""


@_move_schema("Actor: decide the shots and accept the latest terms (a contract is created)", AcceptInput)
class RequestAccept(_Move[AcceptInput]):
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
            usage_request=req,
            user=signed_in_user(request),
            decisions=decisions,
            terms_version=values["terms_version"],
            visible_label=values["visible_label"],
            outputs_need_approval=values["outputs_need_approval"],
        )


@_move_schema("Decline: the actor a pending request, the creator a counter-offer", ReasonInput)
class RequestDecline(_Move[ReasonInput]):
    body = ReasonInput

    def move(self, request: Request, req: UsageRequest, data: ReasonInput) -> None:
        usage_request_decline(request=req, user=signed_in_user(request), reason=data.validated_data["reason"])


@_move_schema("Actor: propose new terms (the creator decides next)", CounterInput)
class RequestCounter(_Move[CounterInput]):
    party = Party.ACTOR
    body = CounterInput

    def move(self, request: Request, req: UsageRequest, data: CounterInput) -> None:
        usage_request_counter(
            request=req,
            user=signed_in_user(request),
            terms_version=data.validated_data["terms_version"],
            note=data.validated_data["note"],
            **data.terms(),
        )


@_move_schema("Creator: accept the actor's counter-offer (the actor confirms the shots next)", TermsVersionInput)
class RequestAcceptCounter(_Move[TermsVersionInput]):
    party = Party.CREATOR
    body = TermsVersionInput

    def move(self, request: Request, req: UsageRequest, data: TermsVersionInput) -> None:
        version = data.validated_data["terms_version"]
        usage_request_accept_counter(request=req, user=signed_in_user(request), terms_version=version)


@_move_schema("Creator: withdraw an open request", ReasonInput)
class RequestWithdraw(_Move[ReasonInput]):
    party = Party.CREATOR
    body = ReasonInput

    def move(self, request: Request, req: UsageRequest, data: ReasonInput) -> None:
        usage_request_withdraw(request=req, user=signed_in_user(request), reason=data.validated_data["reason"])
