"""``/api/v1/contracts/<id>/outputs/…``: the actor's verdicts on generated
outputs, one (``approve``, ``reject``) or several at once (``review``),
each the service the review page calls; the answer is the output(s)
afterwards.

A contract the caller is not a party of, or an output not of that
contract, is a 404; the creator of the contract gets a 403 (only the actor
reviews); an output already reviewed, or a contract no longer active, is a
409.
"""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.api.fields import PlainTextField
from marketplace.api.permissions import IsActorOrCreator
from marketplace.forms import MAX_PK
from marketplace.http import get_in_scope_or_404, signed_in_user
from usage_requests.api.requests import valid_input
from usage_requests.models import REASON_MAX_LENGTH, Contract, GeneratedOutput, OutputStatus
from usage_requests.selectors import contracts_for_user
from usage_requests.selectors.outputs import outputs_of_contract
from usage_requests.services import OutputVerdict, output_approve, output_reject, outputs_review
from usage_requests.services.output_reviews import MAX_BATCH, require_reviewer

APPROVE, REJECT = "approve", "reject"


class OutputReviewSerializer(serializers.ModelSerializer):
    shot = serializers.IntegerField(source="shot_number", help_text="The approved shot's number in the contract.")
    status = serializers.ChoiceField(choices=OutputStatus.choices)
    review_note = serializers.CharField(help_text="The actor's note (always given with a rejection).")

    class Meta:
        model = GeneratedOutput
        fields = ["id", "shot", "version", "status", "review_note", "reviewed_at", "sha256"]


class ApproveInput(serializers.Serializer):
    note = PlainTextField(
        max_length=REASON_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text="An optional note to the creator.",
    )


class RejectInput(serializers.Serializer):
    note = PlainTextField(max_length=REASON_MAX_LENGTH, help_text="Why: required, the creator reads it.")


class VerdictInput(serializers.Serializer):
    output = serializers.IntegerField(min_value=1, max_value=MAX_PK, help_text="A pending output of this contract.")
    verdict = serializers.ChoiceField(choices=[APPROVE, REJECT])
    note = PlainTextField(
        max_length=REASON_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required with a rejection; optional with an approval.",
    )


class ReviewInput(serializers.Serializer):
    # What ``VerdictInput(many=True, ...)`` builds, called by name so that the
    # list's own arguments type-check.
    verdicts = VerdictInput.many_init(
        min_length=1,
        max_length=MAX_BATCH,
        help_text="One verdict per output, each output once; all are saved, or none (400 or 409 naming why).",
    )


def _contract_as_actor(request: Request, pk: int) -> Contract:
    user = signed_in_user(request)
    contract = get_in_scope_or_404(request, contracts_for_user(user), pk=pk)
    require_reviewer(contract, user)
    return contract


def _output(request: Request, contract: Contract, pk: int) -> GeneratedOutput:
    return get_in_scope_or_404(request, outputs_of_contract(signed_in_user(request), contract.pk), pk=pk)


def _answer(output: GeneratedOutput) -> Response:
    return Response(OutputReviewSerializer(GeneratedOutput.objects.get(pk=output.pk)).data)


def _schema(summary: str, body: type[serializers.Serializer], many: bool = False) -> Any:
    return extend_schema(summary=summary, request=body, responses=OutputReviewSerializer(many=many), tags=["outputs"])


class OutputApprove(APIView):
    permission_classes = [IsActorOrCreator]

    @_schema("Actor: approve a pending generated output (optional note)", ApproveInput)
    def post(self, request: Request, pk: int, output_pk: int) -> Response:
        contract = _contract_as_actor(request, pk)
        output = _output(request, contract, output_pk)
        note = valid_input(ApproveInput, request).validated_data["note"]
        output_approve(output=output, user=signed_in_user(request), note=note)
        return _answer(output)


class OutputReject(APIView):
    permission_classes = [IsActorOrCreator]

    @_schema("Actor: reject a pending generated output, with a note the creator reads", RejectInput)
    def post(self, request: Request, pk: int, output_pk: int) -> Response:
        contract = _contract_as_actor(request, pk)
        output = _output(request, contract, output_pk)
        note = valid_input(RejectInput, request).validated_data["note"]
        output_reject(output=output, user=signed_in_user(request), note=note)
        return _answer(output)


class OutputsReview(APIView):
    permission_classes = [IsActorOrCreator]

    @_schema("Actor: approve or reject several pending outputs at once, all or none", ReviewInput, many=True)
    def post(self, request: Request, pk: int) -> Response:
        contract = _contract_as_actor(request, pk)
        items = valid_input(ReviewInput, request).validated_data["verdicts"]
        verdicts = [OutputVerdict(item["output"], item["verdict"] == APPROVE, item["note"]) for item in items]
        reviewed = outputs_review(contract=contract, user=signed_in_user(request), verdicts=verdicts)
        fresh = {output.pk: output for output in GeneratedOutput.objects.filter(pk__in=[o.pk for o in reviewed])}
        return Response(OutputReviewSerializer([fresh[output.pk] for output in reviewed], many=True).data)
