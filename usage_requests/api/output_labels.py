"""``GET /api/v1/contracts/<id>/outputs/<output_id>/labelled``: the labelled
copy of an approved output (China's AI-content labels), to the contract's two
parties, under the rules of the page ``usage_requests:output_labelled``."""

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.api.permissions import IsActorOrCreator
from marketplace.exceptions import Conflict
from marketplace.http import get_in_scope_or_404, private_file_response, signed_in_user
from usage_requests.models import OutputStatus
from usage_requests.models.outputs import OUTPUT_EXTENSIONS
from usage_requests.selectors.outputs import outputs_of_contract
from usage_requests.services.output_labels import output_labelled_ready


class PreparingSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["preparing"], help_text="The copy is being made: ask again shortly.")


_FILE = OpenApiResponse(OpenApiTypes.BINARY, description="The labelled copy, as an attachment.")
_RESPONSES: dict[Any, Any] = {(200, content_type): _FILE for content_type in OUTPUT_EXTENSIONS}
_RESPONSES[202] = OpenApiResponse(PreparingSerializer, description="A video's copy is being made.")
_RESPONSES[409] = OpenApiResponse(
    inline_serializer("NotApproved", {"detail": serializers.CharField()}),
    description="The actor has not approved this output.",
)


class OutputLabelled(APIView):
    permission_classes = [IsActorOrCreator]

    @extend_schema(
        summary="An approved output's copy with its AI-generated labels (explicit and in its metadata)",
        responses=_RESPONSES,
        tags=["contracts"],
    )
    def get(self, request: Request, pk: int, output_id: int) -> Any:
        output = get_in_scope_or_404(request, outputs_of_contract(signed_in_user(request), pk), pk=output_id)
        if output.status != OutputStatus.APPROVED:
            raise Conflict(_("The actor has not approved this output: it has no labelled copy."))
        output = output_labelled_ready(output=output)
        if not output.labelled:
            return Response(PreparingSerializer({"status": "preparing"}).data, status=202)
        return private_file_response(
            output.labelled,
            content_type=output.content_type,
            filename=output.download_name("labelled"),
            as_attachment=True,
        )
