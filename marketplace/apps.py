from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketplaceConfig(AppConfig):
    name = "marketplace"
    verbose_name = _("Platform")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from marketplace import signals  # noqa: F401

        post_migrate.connect(_ensure_moderators_group, sender=self)


def _ensure_moderators_group(sender, apps=None, **kwargs) -> None:
    # `flush` (between transactional tests) sends post_migrate without `apps`.
    from django.apps import apps as global_apps

    from marketplace.roles import sync_moderator_group

    sync_moderator_group(apps or global_apps)
