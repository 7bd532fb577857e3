"""How a receiver checks that a request came from ConsentCast: the README's
"Webhooks" section shows this module's code, and the webhook tests run it
on every request their receiver gets. Standard library only."""

import hashlib
import hmac
import time

TOLERANCE_SECONDS = 5 * 60


def verify_consentcast_webhook(secret: str, headers, body: bytes, tolerance: int = TOLERANCE_SECONDS) -> bool:
    """True when ``body`` (the raw request body, bytes) was signed with
    ``secret`` less than ``tolerance`` seconds ago. ``headers`` is the
    request's headers (any mapping with ``.get``)."""
    timestamp = headers.get("ConsentCast-Timestamp", "")
    signatures = headers.get("ConsentCast-Signature", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > tolerance:
        return False  # missing, malformed, too old, or from the future: maybe a replayed request
    signed = timestamp.encode() + b"." + body
    expected = "v1=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    # Constant-time comparison; a rotated secret may one day send several, comma-separated.
    return any(hmac.compare_digest(expected, candidate.strip()) for candidate in signatures.split(","))
