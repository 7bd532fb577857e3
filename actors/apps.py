from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActorsConfig(AppConfig):
    name = "actors"
    verbose_name = _("Actors")

    def ready(self) -> None:
        from actors import notifications  # noqa: F401 - registers the notification kinds
