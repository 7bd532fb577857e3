"""Every write of requests and contracts. Split by subject; import from here."""

from usage_requests.services.closing import (
    usage_request_decline,
    usage_request_withdraw,
    usage_requests_decline_for_actor,
    usage_requests_decline_for_user,
)
from usage_requests.services.contracts import (
    SignatureRefused,
    contract_reinstate,
    contract_revoke,
    contract_sign,
    contract_suspend,
    contract_void,
    normalise_licence_code,
)
from usage_requests.services.counter import usage_request_accept_counter, usage_request_counter
from usage_requests.services.decisions import (
    IncompleteDecisions,
    usage_request_accept,
    usage_request_decide_and_accept,
    usage_request_decide_shots,
)
from usage_requests.services.deliveries import delivery_make, licence_facts
from usage_requests.services.messages import MessageRefused, message_digests_send, message_send, thread_mark_read
from usage_requests.services.output_labels import (
    output_labelled_make,
    output_labelled_ready,
    outputs_labelling_requeue,
    queue_output_labelling,
)
from usage_requests.services.output_reviews import (
    OutputVerdict,
    output_approve,
    output_reject,
    outputs_remind_due,
    outputs_review,
)
from usage_requests.services.outputs import OutputRefused, output_submit
from usage_requests.services.red_lines import red_line_violations
from usage_requests.services.requests import (
    DuplicateOpenRequest,
    RedLineViolation,
    RedLineViolations,
    RequestExpired,
    StaleTerms,
    require_party,
    usage_request_send,
    usage_requests_send,
)
from usage_requests.services.sweeps import (
    contracts_cancel_unsigned,
    contracts_complete_ended,
    usage_requests_expire_due,
    usage_requests_remind_due,
)
from usage_requests.services.terms import InvalidTerms, ProposedTerms, proposed_terms, validate_terms

__all__ = [
    "DuplicateOpenRequest",
    "IncompleteDecisions",
    "InvalidTerms",
    "MessageRefused",
    "OutputRefused",
    "OutputVerdict",
    "ProposedTerms",
    "RedLineViolation",
    "RedLineViolations",
    "RequestExpired",
    "SignatureRefused",
    "StaleTerms",
    "contract_reinstate",
    "contract_revoke",
    "contract_sign",
    "contract_suspend",
    "contract_void",
    "contracts_cancel_unsigned",
    "contracts_complete_ended",
    "delivery_make",
    "licence_facts",
    "message_digests_send",
    "message_send",
    "normalise_licence_code",
    "output_approve",
    "output_labelled_make",
    "output_labelled_ready",
    "output_reject",
    "output_submit",
    "outputs_labelling_requeue",
    "outputs_remind_due",
    "outputs_review",
    "proposed_terms",
    "queue_output_labelling",
    "red_line_violations",
    "require_party",
    "thread_mark_read",
    "usage_request_accept",
    "usage_request_accept_counter",
    "usage_request_counter",
    "usage_request_decide_and_accept",
    "usage_request_decide_shots",
    "usage_request_decline",
    "usage_request_send",
    "usage_request_withdraw",
    "usage_requests_decline_for_actor",
    "usage_requests_decline_for_user",
    "usage_requests_expire_due",
    "usage_requests_remind_due",
    "usage_requests_send",
    "validate_terms",
]
