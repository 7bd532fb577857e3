from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = _("Moderation")

    def ready(self) -> None:
        # Models load only once the app registry is ready, so these imports
        # cannot move to the top.
        from actors import hooks
        from moderation import notifications  # noqa: F401 - registers the notification kinds
        from moderation.models import Dispute, IdentityVerification

        # A moderator may open an actor's private photos while working on an
        # identity check of that actor or a dispute over one of their requests.
        hooks.moderator_purposes.register(
            "verification",
            lambda item_id, photo: IdentityVerification.objects.filter(pk=item_id, actor_id=photo.actor_id).exists(),
        )
        hooks.moderator_purposes.register(
            "dispute",
            lambda item_id, photo: Dispute.objects.filter(pk=item_id, usage_request__actor_id=photo.actor_id).exists(),
        )
