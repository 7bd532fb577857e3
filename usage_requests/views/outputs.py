"""The stored files of generated outputs, to the contract's two parties
only: the file exactly as the creator submitted it, its sanitized preview
still (the image re-encoded, or a video's poster frame), and once approved
the labelled copy (China's AI-content labels, ``services.output_labels``)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_safe

from marketplace.http import AuthenticatedRequest, get_in_scope_or_404, private_file_response
from usage_requests.models import GeneratedOutput, OutputStatus
from usage_requests.selectors.outputs import outputs_of_contract
from usage_requests.services.output_labels import output_labelled_ready

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


@require_safe
@login_required
def output_labelled(request: AuthenticatedRequest, contract_pk: int, pk: int) -> HttpResponseBase:
    """The approved output's labelled copy, as an attachment. 409 until the
    actor approves it; 202 while a video's copy is being made."""
    output = _output_for(request, contract_pk, pk)
    if output.status != OutputStatus.APPROVED:
        return render(request, "usage_requests/output_labelled_status.html", {"output": output}, status=409)
    output = output_labelled_ready(output=output)
    if not output.labelled:
        return render(request, "usage_requests/output_labelled_status.html", {"output": output}, status=202)
    extension = EXTENSIONS.get(output.content_type, "bin")
    return private_file_response(
        output.labelled,
        content_type=output.content_type,
        filename=_download_name(output, "labelled", extension),
        as_attachment=True,
    )
