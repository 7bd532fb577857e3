"""The append-only security log (``AuditEvent``): one function writes it."""

from typing import TYPE_CHECKING, Any

from marketplace.models import AuditEvent, User

if TYPE_CHECKING:
    from marketplace.http import ClientInfo


def audit(
    *,
    action: str,
    actor: User | None = None,
    target: str = "",
    client: "ClientInfo | None" = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one security event. Runs inside the caller's transaction."""
    return AuditEvent.objects.create(
        actor=actor,
        actor_email=getattr(actor, "email", "") or "",
        action=action,
        target=target[:200],
        ip_address=client.ip_address if client else None,
        user_agent=client.user_agent[:300] if client else "",
        data=data or {},
    )
