from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from marketplace.roles import profile_roles


class ActorsConfig(AppConfig):
    name = "actors"
    verbose_name = _("Actors")

    def ready(self) -> None:
        # Models and the modules that use them load only once the app
        # registry is ready, so these imports cannot move to the top.
        from actors import notifications  # noqa: F401 - registers the notification kinds
        from actors.models import ActorProfile

        profile_roles.register("actor", lambda: ActorProfile.objects.all())
