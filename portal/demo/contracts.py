"""Signing the demo contracts and listing them by verdict, for ``seed_demo``."""

from datetime import date

from actors.services import actor_profile_update
from creators.models import CreatorProfile
from creators.services import creator_profile_update
from usage_requests.models import Contract, ContractStatus
from usage_requests.services import contract_sign
from usage_requests.verdicts import VerdictKey, verdict_key

# Signatory names for the demo studios, keyed by their position in seed_demo's
# CREATORS (1-based); only set when the studio has none on file.
CREATOR_LEGAL_NAMES = {
    1: "Lumen Pictures Ltd",
    2: "北京星河影业有限公司",
    3: "Pixel Harbor Studio LLC",
    4: "上海光年动画有限公司",
}


def demo_contract_sign_both(*, contract: Contract, creators: list[CreatorProfile]) -> Contract:
    """Both parties sign ``contract``, after a legal name is set for any party
    without one (the actor's stage name; the studio's from CREATOR_LEGAL_NAMES
    by its position in ``creators``, seed_demo's order)."""
    actor, creator = contract.actor, contract.creator
    if not actor.legal_name.strip():
        actor = actor_profile_update(actor=actor, data={"legal_name": actor.stage_name})
    if not creator.legal_name.strip():
        position = next(i for i, c in enumerate(creators, start=1) if c.pk == creator.pk)
        creator = creator_profile_update(
            profile=creator,
            display_name=creator.display_name,
            studio=creator.studio,
            legal_name=CREATOR_LEGAL_NAMES.get(position, creator.display_name),
            website=creator.website,
            bio=creator.bio,
            country=creator.country,
            contact_preference=creator.contact_preference,
        )
    contract_sign(contract=contract, user=actor.user, typed_name=actor.legal_name, consent=True)
    contract_sign(contract=contract, user=creator.user, typed_name=creator.legal_name, consent=True)
    contract.refresh_from_db()
    return contract


def demo_active_contracts(*, creators: list[CreatorProfile]) -> list[Contract]:
    """The demo creators' active licences, oldest first."""
    return list(
        Contract.objects.filter(creator__in=creators, status=ContractStatus.ACTIVE)
        .select_related("actor", "creator", "project")
        .order_by("activated_at", "id")
    )


def demo_contracts_by_verdict(*, creators: list[CreatorProfile], today: date) -> dict[str, list[Contract]]:
    """The demo creators' contracts grouped by their verdict on ``today``, in
    ``VerdictKey.ALL`` order (in force first), each group oldest first; only
    verdicts that have a contract."""
    groups: dict[str, list[Contract]] = {key: [] for key in VerdictKey.ALL}
    contracts = (
        Contract.objects.filter(creator__in=creators)
        .select_related("actor", "creator", "project")
        .order_by("activated_at", "id")
    )
    for contract in contracts:
        groups[verdict_key(contract, today)].append(contract)
    order = [VerdictKey.ACTIVE, *(key for key in VerdictKey.ALL if key != VerdictKey.ACTIVE)]
    return {key: groups[key] for key in order if groups[key]}
