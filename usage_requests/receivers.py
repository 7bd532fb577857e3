"""What the requests app does when other apps signal a change."""

from django.dispatch import receiver

from actors.signals import actor_opted_out


@receiver(actor_opted_out, dispatch_uid="usage_requests.decline_on_opt_out")
def decline_open_requests_on_opt_out(sender, actor, **kwargs) -> None:
    """Leaving the roster declines every request still waiting on either
    side; contracts are unaffected (they were signed)."""
    from usage_requests.services import usage_requests_decline_for_actor

    usage_requests_decline_for_actor(actor=actor)
