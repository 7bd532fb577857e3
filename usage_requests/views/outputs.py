"""A contract's generated outputs: the page listing them shot by shot (both
parties), the creator's submission, and the stored files, to the contract's
two parties only: the file exactly as the creator submitted it, its
sanitized preview still (the image re-encoded, or a video's poster frame),
and once approved the labelled copy (China's AI-content labels,
``services.output_labels``)."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from marketplace.api.authentication import user_from_token_header
from marketplace.exceptions import DomainError
from marketplace.http import AuthenticatedRequest, get_in_scope_or_404, private_file_response, sent_by_script
from usage_requests.forms import OutputSubmitForm
from usage_requests.models import TOOL_MAX_LENGTH, Contract, GeneratedOutput, OutputStatus, Party
from usage_requests.selectors import contracts_for_user
from usage_requests.selectors.outputs import outputs_of_contract
from usage_requests.services import output_submit
from usage_requests.services.output_labels import output_labelled_ready
from usage_requests.verdicts import verdict_of
from usage_requests.views.contracts import snapshot_view


def _token_or_login_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """``login_required``, but a tool may send its API token instead (the
    API's ``file_url`` and ``preview_url`` point here)."""
    guarded = login_required(view)

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            token_user = user_from_token_header(request)
            if token_user is not None:
                request.user = token_user
        return guarded(request, *args, **kwargs)

    return wrapper


def _output_for(request: AuthenticatedRequest, contract_pk: int, pk: int) -> GeneratedOutput:
    return get_in_scope_or_404(request, outputs_of_contract(request.user, contract_pk), pk=pk)


@require_safe
@_token_or_login_required
def output_file(request: AuthenticatedRequest, contract_pk: int, pk: int) -> HttpResponseBase:
    """The output's bytes exactly as submitted, as an attachment."""
    output = _output_for(request, contract_pk, pk)
    return private_file_response(
        output.file,
        content_type=output.content_type,
        filename=output.download_name("submitted"),
        as_attachment=True,
    )


@require_safe
@_token_or_login_required
def output_preview(request: AuthenticatedRequest, contract_pk: int, pk: int) -> HttpResponseBase:
    """The sanitized JPEG still of the output, inline; 404 until it exists."""
    output = _output_for(request, contract_pk, pk)
    if not output.preview:
        raise Http404
    return private_file_response(
        output.preview, content_type="image/jpeg", filename=output.download_name("preview", "jpg")
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
    return private_file_response(
        output.labelled,
        content_type=output.content_type,
        filename=output.download_name("labelled"),
        as_attachment=True,
    )


# --- The outputs page and the submission --------------------------------------


def _shot_choices(snap: dict[str, Any]) -> list[tuple[int, str]]:
    return [
        (shot["number"], _("Shot %(number)s: %(description)s") % shot)
        for shot in snap["shots"]
        if isinstance(shot["number"], int)
    ]


def _render_outputs(
    request: AuthenticatedRequest, contract: Contract, *, form: OutputSubmitForm | None = None, status: int = 200
) -> HttpResponse:
    """The approved shots of ``contract``, each with its outputs; for the
    creator while the licence is in force, the submit forms. Three queries:
    the contract, its outputs, the session."""
    party = contract.party_of(request.user)
    snap = snapshot_view(contract)
    outputs = list(outputs_of_contract(request.user, contract.pk))
    replaced = {output.replaces_id for output in outputs if output.replaces_id}
    by_shot: dict[int, list[GeneratedOutput]] = {}
    for output in outputs:
        by_shot.setdefault(output.shot_number, []).append(output)
    can_submit = party == Party.CREATOR and contract.in_force(timezone.localdate())
    replaceable = {o.pk for o in outputs if o.status == OutputStatus.REJECTED and o.pk not in replaced}
    bound_replaces = str(form.data.get("replaces") or "") if form is not None else ""
    # A refused submission shows its errors in its own form when the page
    # still has it, otherwise above everything.
    in_place = can_submit and (not bound_replaces or bound_replaces in {str(pk) for pk in replaceable})
    context = {
        "contract": contract,
        "party": party,
        "verdict": verdict_of(contract),
        "snap": snap,
        "shots": [{**shot, "outputs": by_shot.get(shot["number"], [])} for shot in snap["shots"]],
        "can_submit": can_submit,
        # The actor's way to the review page (the count needs no query).
        "outputs_waiting": (
            sum(output.status == OutputStatus.PENDING for output in outputs) if party == Party.ACTOR else None
        ),
        "tool_max_length": TOOL_MAX_LENGTH,
        # Rejected outputs not replaced yet: each gets a "new version" form.
        "replaceable": replaceable,
        "form": form if form is not None and not bound_replaces else OutputSubmitForm(shots=_shot_choices(snap)),
        "replace_form": form if bound_replaces else None,
        "failed_replaces": bound_replaces,
        "errors_above": [] if form is None or in_place else _all_errors(form),
    }
    return render(request, "usage_requests/contract_outputs.html", context, status=status)


def _all_errors(form: OutputSubmitForm) -> list[str]:
    return [str(error) for errors in form.errors.values() for error in errors]


@require_safe
@login_required
def contract_outputs(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Both parties: the contract's approved shots and what was generated for each."""
    return _render_outputs(request, get_in_scope_or_404(request, contracts_for_user(request.user), pk=pk))


def _replaced_output(request: AuthenticatedRequest, contract: Contract, pk: int | None) -> GeneratedOutput | None:
    if pk is None:
        return None
    return outputs_of_contract(request.user, contract.pk).filter(pk=pk).first()


@require_POST
@login_required
def output_submit_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The creator submits an output (or a new version of a rejected one);
    form errors answer the page again with 400 and store nothing."""
    contract = get_in_scope_or_404(request, contracts_for_user(request.user), pk=pk)
    if contract.party_of(request.user) != Party.CREATOR:
        raise PermissionDenied
    form = OutputSubmitForm(request.POST, request.FILES, shots=_shot_choices(snapshot_view(contract)))
    status = 400
    if form.is_valid():
        replaces = _replaced_output(request, contract, form.cleaned_data["replaces"])
        try:
            if form.cleaned_data["replaces"] and replaces is None:
                raise DomainError(_("The output to replace is not one of this contract's."))
            output = output_submit(
                contract=contract,
                user=request.user,
                shot_number=form.cleaned_data["shot"],
                upload=form.cleaned_data["file"],
                tool=form.cleaned_data["tool"],
                replaces=replaces,
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields and exc.field != "replaces" else None, exc.message)
            status = exc.http_status
        else:
            messages.success(request, _submitted_message(output))
            location = reverse("usage_requests:contract_outputs", args=[contract.pk])
            return JsonResponse({"location": location}) if sent_by_script(request) else redirect(location)
    if sent_by_script(request):
        return JsonResponse({"errors": _all_errors(form)}, status=status)
    return _render_outputs(request, contract, form=form, status=status)


def _submitted_message(output: GeneratedOutput) -> str:
    if output.auto_approved:
        return _(
            "Output for shot %(shot)s submitted. The actor chose that outputs need no approval: it is approved."
        ) % {"shot": output.shot_number}
    return _("Output for shot %(shot)s submitted. The actor has been asked to review it.") % {
        "shot": output.shot_number
    }
