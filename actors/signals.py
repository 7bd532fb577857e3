"""Signals other apps listen to, so the actor side does not import them."""

from django.dispatch import Signal

# Sent inside the opt-out transaction with ``actor`` (an ActorProfile). The
# requests app declines the actor's open requests in response.
actor_opted_out = Signal()
