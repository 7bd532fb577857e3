"""The actor's review of a contract's generated outputs: the page that lists
those waiting, shot by shot, beside what the actor approved for each shot;
a verdict on one output; several at once.

The contract is fetched through ``contracts_for_user`` (anyone else: 404);
only its actor may review (the creator: 403). Each verdict calls one
service (``output_approve``, ``output_reject``, ``outputs_review``); a form
error re-renders the page with 400 and changes nothing.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from marketplace.exceptions import DomainError, InvalidTransition
from marketplace.http import AuthenticatedRequest, get_in_scope_or_404
from usage_requests.forms import OutputReviewForm, OutputsReviewForm
from usage_requests.models import Contract, GeneratedOutput, OutputStatus
from usage_requests.selectors import contracts_for_user
from usage_requests.selectors.outputs import outputs_of_contract
from usage_requests.services import output_approve, output_reject, outputs_review
from usage_requests.services.output_reviews import require_reviewer
from usage_requests.verdicts import verdict_of
from usage_requests.views.contracts import snapshot_view


def _contract_as_actor(request: AuthenticatedRequest, pk: int) -> Contract:
    contract = get_in_scope_or_404(request, contracts_for_user(request.user), pk=pk)
    require_reviewer(contract, request.user)
    return contract


def _back(contract: Contract) -> HttpResponse:
    return redirect("usage_requests:outputs_review", pk=contract.pk)


def _single_form(output: GeneratedOutput, bound: tuple[int, OutputReviewForm] | None) -> OutputReviewForm:
    if bound is not None and bound[0] == output.pk:
        return bound[1]
    return OutputReviewForm(auto_id=f"id_output{output.pk}_%s")


def _page(
    request: AuthenticatedRequest,
    contract: Contract,
    *,
    single: tuple[int, OutputReviewForm] | None = None,
    batch: OutputsReviewForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The review page: pending outputs grouped by shot, each with the
    shot's description, usage and the actor's own note on it from the
    snapshot, then the outputs already reviewed."""
    outputs = list(outputs_of_contract(request.user, contract.pk).select_related("replaces"))
    pending = [output for output in outputs if output.status == OutputStatus.PENDING]
    shots = snapshot_view(contract)["shots"]
    groups = []
    for shot in shots:
        rows = [(output, _single_form(output, single)) for output in pending if output.shot_number == shot["number"]]
        if rows:
            groups.append({"shot": shot, "rows": rows})
    context: dict[str, Any] = {
        "contract": contract,
        "verdict": verdict_of(contract),
        "groups": groups,
        "pending_count": len(pending),
        "batch_form": batch or OutputsReviewForm(outputs=pending),
        "reviewed": [output for output in outputs if output.status != OutputStatus.PENDING],
    }
    return render(request, "usage_requests/outputs_review.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def outputs_review_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """GET: the review page. POST: verdicts on several outputs at once, all
    or none."""
    contract = _contract_as_actor(request, pk)
    if request.method != "POST":
        return _page(request, contract)
    pending = list(outputs_of_contract(request.user, contract.pk).filter(status=OutputStatus.PENDING))
    form = OutputsReviewForm(request.POST, outputs=pending)
    if not form.is_valid():
        return _page(request, contract, batch=form, status=400)
    verdicts = form.verdicts()
    try:
        outputs_review(contract=contract, user=request.user, verdicts=verdicts)
    except InvalidTransition as exc:
        messages.error(request, exc.message)
        return _back(contract)
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _page(request, contract, batch=form, status=400)
    approved = sum(1 for verdict in verdicts if verdict.approve)
    messages.success(
        request,
        ngettext(
            "You reviewed %(count)s output (%(approved)s approved, %(rejected)s rejected). The creator has been told.",
            "You reviewed %(count)s outputs (%(approved)s approved, %(rejected)s rejected). The creator has been told.",
            len(verdicts),
        )
        % {"count": len(verdicts), "approved": approved, "rejected": len(verdicts) - approved},
    )
    return _back(contract)


@require_POST
@login_required
def output_review_view(request: AuthenticatedRequest, contract_pk: int, pk: int) -> HttpResponse:
    """Approve or reject one output (the button pressed), with a note."""
    contract = _contract_as_actor(request, contract_pk)
    output = get_in_scope_or_404(request, outputs_of_contract(request.user, contract.pk), pk=pk)
    form = OutputReviewForm(request.POST, auto_id=f"id_output{output.pk}_%s")
    if not form.is_valid():
        return _page(request, contract, single=(output.pk, form), status=400)
    approve = form.cleaned_data["verdict"] == "approve"
    note = form.cleaned_data["note"]
    try:
        if approve:
            output_approve(output=output, user=request.user, note=note)
        else:
            output_reject(output=output, user=request.user, note=note)
    except InvalidTransition as exc:
        messages.error(request, exc.message)
        return _back(contract)
    except DomainError as exc:
        form.add_error("note" if exc.field == "note" else None, exc.message)
        return _page(request, contract, single=(output.pk, form), status=400)
    values = {"shot": output.shot_number, "version": output.version}
    if approve:
        messages.success(request, _("You approved the output for shot %(shot)s (version %(version)s).") % values)
    else:
        messages.success(
            request,
            _("You rejected the output for shot %(shot)s (version %(version)s). The creator may submit a new one.")
            % values,
        )
    return _back(contract)
