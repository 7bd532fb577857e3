from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from marketplace.roles import profile_roles


class CreatorsConfig(AppConfig):
    name = "creators"
    verbose_name = _("Creators")

    def ready(self) -> None:
        # Models load only once the app registry is ready, so this import
        # cannot move to the top.
        from creators.models import CreatorProfile

        profile_roles.register("creator", lambda: CreatorProfile.objects.all())
