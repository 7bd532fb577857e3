"""What the actor side asks of the floors above it, without importing them.

Each higher app answers in its ``AppConfig.ready()``:

* ``actor_opted_out`` (a signal, sent inside the opt-out transaction with
  ``actor``): ``usage_requests`` declines the actor's open requests.
* ``licence_for_original``: the licence code of a contract in force between a
  creator and an actor, or None. Only then may the creator download the
  actor's originals. ``usage_requests`` provides it, and its second half:
* ``deliver_original``: the copy a licensed download hands out. The
  contracts' floor records the ``Delivery`` (linked to the access-log row
  the photo view wrote) and makes the marked copy; None when the licence
  ended in between or the file is gone (the view answers 404).
* ``access_deliveries``: for the access log, the watermark id of each
  delivery among an actor's access rows (``{access id: watermark id}``;
  all of them when no ids are given). ``usage_requests`` provides it.
* ``moderator_purposes``: per moderation item kind ("verification",
  "dispute"), whether item ``id`` concerns a photo's actor, so a moderator
  may open that actor's private files while working on it. ``moderation``
  provides them; "flag" (a flagged photo) is the actor side's own.
* ``export_records``: the records an actor is party to in other apps (file
  name → rows) for their data export. ``usage_requests`` provides
  requests, messages and contracts; the export refuses to run without them.
"""

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.dispatch import Signal

from actors.models import ActorProfile, AssetAccess, LikenessPhoto
from marketplace.hooks import Hook, HookList
from marketplace.http import ClientInfo
from marketplace.models import User

actor_opted_out = Signal()

licence_for_original: Hook[[User, ActorProfile], str | None] = Hook("actors.licence_for_original")


@dataclass(frozen=True)
class OriginalDownload:
    """A licensed download of an original, as the photo view granted and
    logged it: ``licence_code`` is the purpose in ``access``; ``channel`` is
    "page" (a signed-in browser) or "api" (a token)."""

    photo: LikenessPhoto
    licensee: User
    licence_code: str
    access: AssetAccess
    client: ClientInfo
    channel: str


@dataclass(frozen=True)
class DeliveredOriginal:
    """The bytes a licensed download answers with."""

    content: bytes
    content_type: str
    extension: str


deliver_original: Hook[[OriginalDownload], DeliveredOriginal | None] = Hook("actors.deliver_original")

access_deliveries: Hook[[ActorProfile, Collection[int] | None], dict[int, str]] = Hook("actors.access_deliveries")

moderator_purposes: HookList[[int, LikenessPhoto], bool] = HookList("actors.moderator_purposes")

export_records: HookList[[ActorProfile], dict[str, list[dict[str, Any]]]] = HookList(
    "actors.export_records", required=("usage_requests",)
)
