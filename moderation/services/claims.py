"""'Assign to me': one moderator per queue item."""

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from marketplace.exceptions import InvalidTransition
from marketplace.http import ClientInfo
from marketplace.models import AuditEvent, User
from marketplace.services import audit
from moderation.models import Claim


def target_of(item: Model) -> str:
    return f"{item._meta.app_label}.{item._meta.model_name}:{item.pk}"


def claim_of(item: Model) -> Claim | None:
    return (
        Claim.objects.select_related("moderator")
        .filter(content_type=ContentType.objects.get_for_model(item), object_id=item.pk)
        .first()
    )


def item_claim(*, item: Model, moderator: User, client: ClientInfo | None = None) -> Claim:
    """Take ``item`` for ``moderator``. Taking one's own item again is a no-op.

    Raises ``InvalidTransition`` when another moderator holds it (the
    database's unique constraint decides a race).
    """
    content_type = ContentType.objects.get_for_model(item)
    try:
        with transaction.atomic():
            claim = Claim.objects.create(content_type=content_type, object_id=item.pk, moderator=moderator)
            audit(action=AuditEvent.Action.ITEM_CLAIMED, actor=moderator, target=target_of(item), client=client)
            return claim
    except IntegrityError:
        holder = claim_of(item)
        if holder is not None and holder.moderator_id == moderator.pk:
            return holder
        raise InvalidTransition(
            _("%(moderator)s has already taken this item.")
            % {"moderator": holder.moderator.email if holder else _("Another moderator")}
        ) from None


def item_release(*, item: Model, moderator: User, client: ClientInfo | None = None) -> None:
    """Give ``item`` back to the queue. Only its holder may; anything else is
    ``InvalidTransition``."""
    with transaction.atomic():
        deleted, _rows = Claim.objects.filter(
            content_type=ContentType.objects.get_for_model(item), object_id=item.pk, moderator=moderator
        ).delete()
        if not deleted:
            raise InvalidTransition(_("You do not hold this item."))
        audit(action=AuditEvent.Action.ITEM_RELEASED, actor=moderator, target=target_of(item), client=client)


def claim_respected(*, item: Model, moderator: User) -> None:
    """A decision on ``item`` is for the moderator who holds it (or anyone
    when nobody does). Raises ``InvalidTransition`` naming the holder."""
    holder = claim_of(item)
    if holder is not None and holder.moderator_id != moderator.pk:
        raise InvalidTransition(_("%(moderator)s has taken this item.") % {"moderator": holder.moderator.email})


def item_claims_clear(*, item: Model) -> None:
    """A decided item leaves the queue, and its claim with it."""
    Claim.objects.filter(content_type=ContentType.objects.get_for_model(item), object_id=item.pk).delete()
