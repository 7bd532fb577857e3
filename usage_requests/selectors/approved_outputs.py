"""Public reads of approved outputs: the hashes a licence lists on
``/verify/<code>/`` and in the licence API, and the licences a file's
SHA-256 was approved under (``/api/v1/outputs/<sha256>/``).

Only approved outputs are public: a pending or rejected file is never
listed nor recognised, and nothing here reads the file, the tool or a note.
"""

import string
from dataclasses import dataclass
from datetime import datetime

from usage_requests.models import Contract, GeneratedOutput, OutputStatus

_HEX = frozenset(string.hexdigits)


@dataclass(frozen=True)
class ApprovedOutput:
    """What the public may know of one approved output."""

    sha256: str
    shot: int
    kind: str
    approved_at: datetime


def normalise_sha256(raw: str) -> str | None:
    """A typed or pasted SHA-256 (64 hex digits, either case, spaces around
    ignored) in its stored lower-case form, or None if it cannot be one."""
    value = (raw or "").strip()
    if len(value) != 64 or not _HEX.issuperset(value):
        return None
    return value.lower()


def _public(output: GeneratedOutput) -> ApprovedOutput:
    # An output approved on submission ("approval not needed") may carry no
    # review time: it was approved when it was submitted.
    return ApprovedOutput(
        sha256=output.sha256,
        shot=output.shot_number,
        kind=output.kind,
        approved_at=output.reviewed_at or output.submitted_at,
    )


def approved_outputs_of(contract: Contract) -> list[ApprovedOutput]:
    """The approved outputs of ``contract``, by shot and version (one query)."""
    rows = (
        GeneratedOutput.objects.filter(contract=contract, status=OutputStatus.APPROVED)
        .order_by("shot_number", "version", "id")
        .only("sha256", "shot_number", "kind", "reviewed_at", "submitted_at")
    )
    return [_public(output) for output in rows]


def approvals_of_file(sha256: str) -> list[tuple[ApprovedOutput, Contract]]:
    """Every approval of the file whose SHA-256 is ``sha256`` (normalised),
    with its contract, oldest contract first (one query). Empty when the
    hash is unknown or only pending or rejected."""
    rows = (
        GeneratedOutput.objects.filter(sha256=sha256, status=OutputStatus.APPROVED)
        .select_related("contract")
        .order_by("contract__created_at", "contract_id", "id")
    )
    return [(_public(output), output.contract) for output in rows]
