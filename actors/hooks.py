"""What the actor side asks of the floors above it, without importing them.

Each higher app answers in its ``AppConfig.ready()``:

* ``actor_opted_out`` (a signal, sent inside the opt-out transaction with
  ``actor``): ``usage_requests`` declines the actor's open requests.
* ``licence_for_original``: the licence code of a contract in force between a
  creator and an actor, or None. Only then may the creator download the
  actor's originals. ``usage_requests`` provides it.
* ``moderator_purposes``: per moderation item kind ("verification",
  "dispute"), whether item ``id`` concerns a photo's actor, so a moderator
  may open that actor's private files while working on it. ``moderation``
  provides them; "flag" (a flagged photo) is the actor side's own.
* ``export_records``: the records an actor is party to in other apps (file
  name → rows) for their data export. ``usage_requests`` provides
  requests, messages and contracts; the export refuses to run without them.
"""

from typing import Any

from django.dispatch import Signal

from actors.models import ActorProfile, LikenessPhoto
from marketplace.hooks import Hook, HookList
from marketplace.models import User

actor_opted_out = Signal()

licence_for_original: Hook[[User, ActorProfile], str | None] = Hook("actors.licence_for_original")

moderator_purposes: HookList[[int, LikenessPhoto], bool] = HookList("actors.moderator_purposes")

export_records: HookList[[ActorProfile], dict[str, list[dict[str, Any]]]] = HookList(
    "actors.export_records", required=("usage_requests",)
)
