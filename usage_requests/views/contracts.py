"""Contract pages: the list, the contract itself (rendered from its immutable
snapshot, never from live project or shot rows), signing and revoking. The
public licence check at ``/verify/`` is in ``licences``.

Every contract page fetches through ``contracts_for_user``: a contract the
caller is not a party of is a 404.
"""

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from creators.models import DistributionChannel, LikenessUsage
from marketplace.categories import ContentCategory
from marketplace.exceptions import DomainError, InvalidTransition
from marketplace.http import (
    AuthenticatedRequest,
    ClientInfo,
    get_in_scope_or_404,
    portal_state,
)
from marketplace.money import Currency
from marketplace.places import Territory
from usage_requests.forms import ContractRevokeForm, ContractSignForm
from usage_requests.models import Contract, ContractEvent, ContractStatus, Party
from usage_requests.selectors import (
    contract_detail_for_user,
    contract_list_for_user,
    licensed_photos,
)
from usage_requests.selectors.outputs import output_counts
from usage_requests.services import SignatureRefused, contract_revoke, contract_sign
from usage_requests.services.contracts import legal_name_of
from usage_requests.verdicts import VerdictKey, verdict_of

CONTRACTS_PER_PAGE = 50

# Who moved a contract, as the timeline names them.
BY_PARTY_LABELS: dict[str, str | Promise] = {
    Party.ACTOR: gettext_lazy("the actor"),
    Party.CREATOR: gettext_lazy("the creator"),
    "platform": gettext_lazy("ConsentCast"),
    "dispute": gettext_lazy("a dispute"),
    "moderator": gettext_lazy("a moderator"),
}


# --- Reading a snapshot ---------------------------------------------------------


def _label(choices: type[models.Choices], key: str) -> str:
    try:
        return str(choices(key).label)
    except ValueError:
        return key  # a key retired since the snapshot was taken still shows


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def snapshot_view(contract: Contract) -> dict[str, Any]:
    """The snapshot as the templates show it: dates as dates, keys as labels
    in the reader's language. Only the snapshot is read."""
    snapshot = contract.snapshot
    terms = snapshot.get("terms", {})
    project = snapshot.get("project", {})
    try:
        fee = Decimal(terms.get("fee", ""))
    except InvalidOperation:
        fee = None
    shots = [
        {
            "number": shot.get("number"),
            "description": shot.get("description", ""),
            "category": _label(ContentCategory, shot.get("category", "")),
            "likeness_usage": [_label(LikenessUsage, key) for key in shot.get("likeness_usage", [])],
            "duration_seconds": shot.get("duration_seconds"),
            "actor_note": shot.get("actor_note", ""),
        }
        for shot in snapshot.get("shots", [])
    ]
    return {
        "actor": snapshot.get("actor", {}),
        "creator": snapshot.get("creator", {}),
        "project": project,
        "project_category": _label(ContentCategory, project.get("category", "")),
        "channels": [_label(DistributionChannel, key) for key in project.get("distribution_channels", [])],
        "shots": shots,
        "total_seconds": sum(shot["duration_seconds"] or 0 for shot in shots),
        "fee": fee,
        "currency": terms.get("currency", ""),
        # The currency's name without its code, which the amount already shows.
        "currency_label": _label(Currency, terms.get("currency", ""))
        .replace(f"({terms.get('currency', '')})", "")
        .replace(f"（{terms.get('currency', '')}）", "")
        .strip(),
        "term_start": _date(terms.get("term_start")),
        "term_end": _date(terms.get("term_end")),
        "territory": _label(Territory, terms.get("territory", "")),
        "ai_training": bool(terms.get("ai_training")),
        "clauses": list(snapshot.get("clauses", [])),
        "accepted_at": snapshot.get("accepted_at", ""),
    }


# --- Contract pages -------------------------------------------------------------


def _contract_for(request: AuthenticatedRequest, pk: int) -> Contract:
    return get_in_scope_or_404(request, contract_detail_for_user(request.user), pk=pk)


def _legal_name_url(party: str | None) -> str:
    if party == Party.ACTOR:
        return reverse("actors:profile_edit")
    return reverse("creators:profile_edit")


def _render_detail(
    request: AuthenticatedRequest,
    contract: Contract,
    *,
    sign_form: ContractSignForm | None = None,
    revoke_form: ContractRevokeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    party = contract.party_of(request.user)
    signatures = list(contract.signatures.all())
    signed_parties = {signature.party for signature in signatures}
    awaiting = contract.status == ContractStatus.AWAITING_SIGNATURES
    deadline_passed = contract.sign_deadline <= timezone.now()
    can_sign = awaiting and party is not None and party not in signed_parties and not deadline_passed
    legal_name = legal_name_of(contract, party) if party else ""
    can_revoke = party == Party.ACTOR and contract.status == ContractStatus.ACTIVE
    # Each move with who made it, as the timeline names them.
    events: list[tuple[ContractEvent, str | Promise]] = [
        (event, BY_PARTY_LABELS.get(event.by_party, "")) for event in contract.events.all()
    ]
    shows_assets = party == Party.CREATOR and contract.in_force(timezone.localdate())
    # The actor's way to the output review, once outputs can exist (signed).
    signed = contract.status not in (ContractStatus.AWAITING_SIGNATURES, ContractStatus.CANCELLED)
    counts = output_counts(contract.pk)
    outputs_waiting = counts.pending if party == Party.ACTOR and signed else None
    context = {
        "contract": contract,
        "snap": snapshot_view(contract),
        "party": party,
        "party_label": _label(Party, party) if party else "",
        "verdict": verdict_of(contract),
        "signatures": signatures,
        "signed_parties": signed_parties,
        "events": events,
        "awaiting": awaiting,
        "deadline_passed": deadline_passed,
        "can_sign": can_sign,
        "sign_form": sign_form or ContractSignForm(),
        "legal_name_missing": can_sign and not legal_name.strip(),
        "legal_name_url": _legal_name_url(party),
        "can_revoke": can_revoke,
        "revoke_form": revoke_form or ContractRevokeForm(),
        "photos": list(licensed_photos(contract)) if shows_assets else [],
        "shows_assets": shows_assets,
        "outputs_waiting": outputs_waiting,
        "verify_url": reverse("usage_requests:verify_code", args=[contract.licence_code]),
        "output_counts": counts,
    }
    return render(request, "usage_requests/contract_detail.html", context, status=status)


@require_safe
@login_required
def contract_list(request: AuthenticatedRequest) -> HttpResponse:
    portal = portal_state(request)
    if not (portal["is_actor"] or portal["is_creator"]):
        raise PermissionDenied
    page = Paginator(contract_list_for_user(request.user), CONTRACTS_PER_PAGE).get_page(request.GET.get("page"))
    rows = []
    today = timezone.localdate()
    for contract in page.object_list:
        party = contract.party_of(request.user)
        snapshot = contract.snapshot
        rows.append(
            {
                "contract": contract,
                "party_label": _label(Party, party) if party else "",
                "counterpart": (
                    snapshot.get("creator", {}).get("display_name", "")
                    if party == Party.ACTOR
                    else snapshot.get("actor", {}).get("stage_name", "")
                ),
                "project_title": snapshot.get("project", {}).get("title", ""),
                "verdict": verdict_of(contract, today),
            }
        )
    return render(request, "usage_requests/contract_list.html", {"page": page, "rows": rows})


@require_safe
@login_required
def contract_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _contract_for(request, pk))


@require_POST
@login_required
def contract_sign_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    contract = _contract_for(request, pk)
    form = ContractSignForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, contract, sign_form=form, status=400)
    try:
        contract_sign(
            contract=contract,
            user=request.user,
            typed_name=form.cleaned_data["typed_name"],
            consent=form.cleaned_data["consent"],
            client=ClientInfo.from_request(request),
        )
    except SignatureRefused as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _render_detail(request, contract, sign_form=form, status=400)
    except InvalidTransition as exc:
        messages.error(request, exc.message)
        return redirect("usage_requests:contract_detail", pk=contract.pk)
    contract.refresh_from_db(fields=["status"])
    if contract.status != ContractStatus.ACTIVE:
        messages.success(request, _("You signed the contract. It takes effect once the other party signs too."))
    elif verdict_of(contract).key == VerdictKey.SIGNED:
        messages.success(
            request,
            _("You signed the contract. Both parties have signed: the licence starts on %(date)s.")
            % {"date": date_format(contract.term_start, "DATE_FORMAT")},
        )
    else:
        messages.success(request, _("You signed the contract. Both parties have signed: the licence is in force."))
    return redirect("usage_requests:contract_detail", pk=contract.pk)


@require_POST
@login_required
def contract_revoke_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    contract = _contract_for(request, pk)
    if contract.party_of(request.user) != Party.ACTOR:
        raise PermissionDenied
    form = ContractRevokeForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, contract, revoke_form=form, status=400)
    try:
        contract_revoke(contract=contract, user=request.user, reason=form.cleaned_data["reason"])
    except InvalidTransition as exc:
        messages.error(request, exc.message)
        return redirect("usage_requests:contract_detail", pk=contract.pk)
    except DomainError as exc:
        form.add_error("reason", exc.message)
        return _render_detail(request, contract, revoke_form=form, status=400)
    messages.success(request, _("You revoked the licence. The creator has been told and may no longer use it."))
    return redirect("usage_requests:contract_detail", pk=contract.pk)
