"""The stored files of generated outputs, to the contract's two parties
only: the file exactly as the creator submitted it, and its sanitized
preview still (the image re-encoded, or a video's poster frame)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_safe

from marketplace.http import AuthenticatedRequest, get_in_scope_or_404, private_file_response
from usage_requests.models import GeneratedOutput
from usage_requests.selectors.outputs import outputs_of_contract

# What a submitted file is called when downloaded, by content type.
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "video/mp4": "mp4",
    "video/webm": "webm",
}


def _output_for(request: AuthenticatedRequest, contract_pk: int, pk: int) -> GeneratedOutput:
    return get_in_scope_or_404(request, outputs_of_contract(request.user, contract_pk), pk=pk)


def _download_name(output: GeneratedOutput, what: str, extension: str) -> str:
    return f"consentcast-{output.contract.licence_code}-shot{output.shot_number}-v{output.version}-{what}.{extension}"


@require_safe
@login_required
def output_file(request: AuthenticatedRequest, contract_pk: int, pk: int) -> HttpResponseBase:
    """The output's bytes exactly as submitted, as an attachment."""
    output = _output_for(request, contract_pk, pk)
    extension = EXTENSIONS.get(output.content_type, "bin")
    return private_file_response(
        output.file,
        content_type=output.content_type,
        filename=_download_name(output, "submitted", extension),
        as_attachment=True,
    )


@require_safe
@login_required
def output_preview(request: AuthenticatedRequest, contract_pk: int, pk: int) -> HttpResponseBase:
    """The sanitized JPEG still of the output, inline; 404 until it exists."""
    output = _output_for(request, contract_pk, pk)
    if not output.preview:
        raise Http404
    return private_file_response(
        output.preview, content_type="image/jpeg", filename=_download_name(output, "preview", "jpg")
    )
