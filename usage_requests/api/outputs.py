"""``/api/v1/contracts/<id>/outputs/``: a contract's generated outputs, read
by either party; the creator submits one (multipart) through
``output_submit``, as the outputs page does.

The contract is fetched through ``contracts_for_user`` (another's contract
is a 404); the files themselves are fetched from the page URLs given in
``file_url`` and ``preview_url``, which check who asks (a token works).
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.api.fields import PlainTextField
from marketplace.api.pagination import OldestFirstPagination
from marketplace.api.permissions import IsActorOrCreator
from marketplace.forms import MAX_PK
from marketplace.http import get_in_scope_or_404, signed_in_user
from usage_requests.api.requests import valid_input
from usage_requests.models import TOOL_MAX_LENGTH, Contract, GeneratedOutput, Party
from usage_requests.selectors import contracts_for_user
from usage_requests.selectors.outputs import outputs_of_contract
from usage_requests.services import OutputRefused, output_submit


class OutputSerializer(serializers.ModelSerializer):
    shot = serializers.IntegerField(source="shot_number", help_text="The approved shot's number in the contract.")
    replaces = serializers.IntegerField(
        source="replaces_id", allow_null=True, help_text="The rejected output this version replaces, if any."
    )
    sha256 = serializers.CharField(help_text="SHA-256 of the file exactly as submitted.")
    size = serializers.IntegerField(help_text="Bytes of the file as submitted.")
    file_url = serializers.SerializerMethodField()
    preview_url = serializers.SerializerMethodField()

    class Meta:
        model = GeneratedOutput
        fields = [
            "id",
            "shot",
            "version",
            "replaces",
            "kind",
            "content_type",
            "sha256",
            "size",
            "width",
            "height",
            "duration_seconds",
            "tool",
            "status",
            "review_note",
            "submitted_at",
            "reviewed_at",
            "auto_approved",
            "file_url",
            "preview_url",
        ]

    def _url(self, name: str, output: GeneratedOutput) -> str:
        return self.context["request"].build_absolute_uri(reverse(name, args=[output.contract_id, output.pk]))

    def get_file_url(self, output: GeneratedOutput) -> str:
        """The file exactly as submitted (either party; a token works)."""
        return self._url("usage_requests:output_file", output)

    def get_preview_url(self, output: GeneratedOutput) -> str | None:
        """A sanitized JPEG still: the image, or a video's poster frame."""
        return self._url("usage_requests:output_preview", output) if output.preview else None


class OutputInput(serializers.Serializer):
    shot = serializers.IntegerField(min_value=1, max_value=MAX_PK, help_text="An approved shot's number.")
    file = serializers.FileField(
        help_text="A JPEG, PNG or WebP image, or an MP4 or WebM video; stored exactly as sent.",
    )
    tool = PlainTextField(max_length=TOOL_MAX_LENGTH, help_text="The model or software that generated it.")
    replaces = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_PK,
        help_text="A rejected output of the same shot that this is a new version of.",
    )


def _contract(request: Request, pk: int) -> Contract:
    return get_in_scope_or_404(request, contracts_for_user(signed_in_user(request)), pk=pk)


class ContractOutputs(generics.GenericAPIView):
    permission_classes = [IsActorOrCreator]
    serializer_class = OutputSerializer
    pagination_class = OldestFirstPagination
    filter_backends: list[type] = []
    parser_classes = [MultiPartParser]

    def get_queryset(self) -> Any:
        # The schema generator calls this with an anonymous request: no rows.
        return GeneratedOutput.objects.none()

    @extend_schema(
        summary="The contract's generated outputs, oldest first (either party)",
        responses=OutputSerializer(many=True),
        tags=["contracts"],
    )
    def get(self, request: Request, pk: int) -> Response:
        contract = _contract(request, pk)
        page = self.paginate_queryset(outputs_of_contract(signed_in_user(request), contract.pk))
        return self.get_paginated_response(OutputSerializer(page, many=True, context={"request": request}).data)

    @extend_schema(
        summary="Submit a generated output for an approved shot (the creator, while the licence is in force)",
        description="409 when the licence is not in force or the replaced output has a new version already.",
        request={"multipart/form-data": OutputInput},
        responses={201: OutputSerializer},
        tags=["contracts"],
    )
    def post(self, request: Request, pk: int) -> Response:
        contract = _contract(request, pk)
        user = signed_in_user(request)
        if contract.party_of(user) != Party.CREATOR:
            raise PermissionDenied(_("Only the creator of this contract can submit generated outputs."))
        values = valid_input(OutputInput, request).validated_data
        replaces = None
        if "replaces" in values:
            replaces = outputs_of_contract(user, contract.pk).filter(pk=values["replaces"]).first()
            if replaces is None:
                raise OutputRefused(
                    _("The output to replace is not one of this contract's."), field="replaces", code="unknown"
                )
        output = output_submit(
            contract=contract,
            user=user,
            shot_number=values["shot"],
            upload=values["file"],
            tool=values["tool"],
            replaces=replaces,
        )
        return Response(OutputSerializer(output, context={"request": request}).data, status=status.HTTP_201_CREATED)


class ContractOutputDetail(APIView):
    permission_classes = [IsActorOrCreator]

    @extend_schema(summary="One generated output of the contract", responses=OutputSerializer, tags=["contracts"])
    def get(self, request: Request, pk: int, output_id: int) -> Response:
        contract = _contract(request, pk)
        output = get_in_scope_or_404(request, outputs_of_contract(signed_in_user(request), contract.pk), pk=output_id)
        return Response(OutputSerializer(output, context={"request": request}).data)
