from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UsageRequestsConfig(AppConfig):
    name = "usage_requests"
    verbose_name = _("Usage requests and contracts")

    def ready(self) -> None:
        from usage_requests import notifications, receivers  # noqa: F401 - registers kinds and receivers
