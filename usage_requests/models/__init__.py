"""Usage requests, their versioned terms and per-shot decisions, the message
thread, contracts with their signatures, the deliveries of licensed
originals, and the timelines of both (DESIGN.md "Usage request",
"Contract", "Delivery and provenance"), the generated outputs and their
reviews, and the creators' webhooks. Split by subject; import from here.

Only ``usage_requests.services`` assigns a status; the legal moves are the
``TRANSITIONS`` dicts next to each status list.
"""

from usage_requests.models.contracts import (
    CONTRACT_TRANSITIONS,
    Contract,
    ContractEvent,
    ContractQuerySet,
    ContractStatus,
    ImmutableSnapshot,
    Signature,
    canonical_json,
    terms_hash,
)
from usage_requests.models.deliveries import DELIVERY_ID_HEX, Delivery, watermark_display
from usage_requests.models.outputs import OUTPUT_TRANSITIONS, TOOL_MAX_LENGTH, GeneratedOutput, OutputStatus
from usage_requests.models.requests import (
    AWAITING_PARTY,
    MESSAGE_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    OPEN_REQUEST_STATUSES,
    REASON_MAX_LENGTH,
    REQUEST_TRANSITIONS,
    BetweenParties,
    Message,
    Party,
    RequestEvent,
    RequestShot,
    RequestStatus,
    RequestTerms,
    ShotDecision,
    TimelineEvent,
    UsageRequest,
    likeness_usage_labels,
    party_label,
)
from usage_requests.models.webhooks import (
    TEST_EVENT_TYPE,
    WEBHOOK_DELIVERY_TRANSITIONS,
    WEBHOOK_DUE_STATUSES,
    WebhookDelivery,
    WebhookDeliveryStatus,
    WebhookEndpoint,
    WebhookEventType,
)

__all__ = [
    "AWAITING_PARTY",
    "CONTRACT_TRANSITIONS",
    "DELIVERY_ID_HEX",
    "MESSAGE_MAX_LENGTH",
    "NOTE_MAX_LENGTH",
    "OPEN_REQUEST_STATUSES",
    "OUTPUT_TRANSITIONS",
    "REASON_MAX_LENGTH",
    "REQUEST_TRANSITIONS",
    "TEST_EVENT_TYPE",
    "TOOL_MAX_LENGTH",
    "WEBHOOK_DELIVERY_TRANSITIONS",
    "WEBHOOK_DUE_STATUSES",
    "BetweenParties",
    "Contract",
    "ContractEvent",
    "ContractQuerySet",
    "ContractStatus",
    "Delivery",
    "GeneratedOutput",
    "ImmutableSnapshot",
    "Message",
    "OutputStatus",
    "Party",
    "RequestEvent",
    "RequestShot",
    "RequestStatus",
    "RequestTerms",
    "ShotDecision",
    "Signature",
    "TimelineEvent",
    "UsageRequest",
    "WebhookDelivery",
    "WebhookDeliveryStatus",
    "WebhookEndpoint",
    "WebhookEventType",
    "canonical_json",
    "likeness_usage_labels",
    "party_label",
    "terms_hash",
    "watermark_display",
]
