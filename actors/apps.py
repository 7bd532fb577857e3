from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from actors.search_index import ensure_sqlite_search_index
from marketplace.roles import profile_roles


def _search_index_ensured(sender, using: str = "default", **kwargs) -> None:
    """SQLite drops a table's triggers when Django rebuilds the table to
    alter it: put the roster's full-text index back after every migrate."""
    ensure_sqlite_search_index(connections[using])


class ActorsConfig(AppConfig):
    name = "actors"
    verbose_name = _("Actors")

    def ready(self) -> None:
        # Models and the modules that use them load only once the app
        # registry is ready, so these imports cannot move to the top.
        from actors import notifications  # noqa: F401 - registers the notification kinds
        from actors.models import ActorProfile

        profile_roles.register("actor", lambda: ActorProfile.objects.all())
        post_migrate.connect(_search_index_ensured, sender=self, dispatch_uid="actors-search-index")
