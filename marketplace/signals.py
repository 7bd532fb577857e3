"""Sign-in events go to the audit log."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from marketplace.http import ClientInfo
from marketplace.languages import activate_for_user
from marketplace.models import AuditEvent
from marketplace.services import audit


def _client(request) -> ClientInfo:
    return ClientInfo.from_request(request) if request is not None else ClientInfo()


@receiver(user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # Django has already masked the password; the login name is what was typed.
    attempted = str(credentials.get("email") or credentials.get("username") or "")[:200]
    known = get_user_model().objects.filter(email__iexact=attempted).first() if attempted else None
    audit(
        action=AuditEvent.Action.LOGIN_FAILED,
        actor=known,
        target=f"login:{attempted}",
        client=_client(request),
    )


@receiver(user_logged_in)
def audit_logged_in(sender, request, user, **kwargs) -> None:
    audit(action=AuditEvent.Action.LOGIN, actor=user, client=_client(request))
    # The rest of this request (the "signed in" message, the redirect) already
    # speaks the account's language, not the one the login page was in.
    activate_for_user(request, user)


@receiver(user_logged_out)
def audit_logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit(action=AuditEvent.Action.LOGOUT, actor=user, client=_client(request))
