from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from marketplace.roles import sync_moderator_group


class MarketplaceConfig(AppConfig):
    name = "marketplace"
    verbose_name = _("Platform")

    def ready(self) -> None:
        # The receivers use the models, which load only once the app
        # registry is ready: this import cannot move to the top.
        from marketplace import signals  # noqa: F401

        post_migrate.connect(_ensure_moderators_group, sender=self)


def _ensure_moderators_group(sender, apps=None, **kwargs) -> None:
    # `flush` (between transactional tests) sends post_migrate without `apps`.
    sync_moderator_group(apps or global_apps)
