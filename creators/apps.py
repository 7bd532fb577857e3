from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreatorsConfig(AppConfig):
    name = "creators"
    verbose_name = _("Creators")

    def ready(self) -> None:
        # Models load only once the app registry is ready, so this import
        # cannot move to the top.
        from creators.models import CreatorProfile
        from marketplace.roles import profile_roles

        profile_roles.register("creator", lambda: CreatorProfile.objects.all())
