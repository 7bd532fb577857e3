"""The contract's timeline: one row per single-contract move (a status
change or a generated-output move), written inside the move's transaction,
and with it the deliveries of the creator's webhooks. The sweeps' set-based
moves write theirs in ``sweeps._record_events``."""

from typing import Any

from marketplace.models import User
from usage_requests.models import Contract, ContractEvent, GeneratedOutput
from usage_requests.services.webhook_events import webhook_deliveries_record


def record_contract_event(
    contract: Contract, kind: str, *, by: User | None, party: str = "", **data: Any
) -> ContractEvent:
    """Record ``kind`` on ``contract`` and queue its webhook deliveries (on
    commit). Call only inside the move's transaction."""
    event = ContractEvent.objects.create(contract=contract, kind=kind, by=by, by_party=party, data=data)
    webhook_deliveries_record(event)
    return event


def record_output_event(
    contract: Contract, output: GeneratedOutput, kind: str, *, by: User | None, party: str, **extra: Any
) -> ContractEvent:
    """A generated output's move on its contract's timeline: the output, its
    shot, hash and version (what webhooks and the pages read), and ``extra``."""
    data = {"output": output.pk, "shot": output.shot_number, "sha256": output.sha256, "version": output.version}
    return record_contract_event(contract, kind, by=by, party=party, **data, **extra)
