"""Roles: actor and creator are profiles (registered by their apps in
``profile_roles``), moderator is a group.

``MODERATOR_PERMISSIONS`` is what the ``moderators`` group holds. Apps that
add models moderators act on extend it and call ``sync_moderator_group`` from
a data migration, so the group always matches this list.
"""

from django.contrib.auth.management import create_permissions
from django.db.models import Q, QuerySet

from marketplace.hooks import HookList

MODERATORS_GROUP = "moderators"

# The profile apps register the profiles that give a role, as a queryset
# with a ``user`` field: ``profile_roles.register("actor", lambda: ...)`` in
# their ``ready()``. The navigation state asks them all in one query.
profile_roles: HookList[[], QuerySet] = HookList("profile_roles", required=("actor", "creator"))

MODERATOR_PERMISSIONS = [
    "marketplace.view_user",
    "marketplace.change_user",
    "marketplace.view_auditevent",
    "marketplace.view_notification",
    "actors.view_actorprofile",
    "actors.change_actorprofile",
    "creators.view_creatorprofile",
    "creators.change_creatorprofile",
    "usersessions.view_usersession",
    "usersessions.delete_usersession",
    "moderation.view_identityverification",
    "moderation.view_dispute",
    "moderation.view_report",
    "moderation.view_sanction",
]


def sync_moderator_group(apps) -> None:
    """Create the group and give it every listed permission that exists yet.

    Takes the migration's ``apps`` so it runs against historical models;
    permissions of models a later migration adds are picked up when that
    migration calls this again. It also runs after every ``migrate`` and
    every test-database flush (``post_migrate``), so the group is never lost.
    """
    for app_config in apps.get_app_configs():
        # Migration states have no models module; create_permissions skips
        # such apps unless told otherwise.
        previous = getattr(app_config, "models_module", None)
        app_config.models_module = previous or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = previous

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=MODERATORS_GROUP)
    wanted = Q(pk__in=[])
    for dotted in MODERATOR_PERMISSIONS:
        app_label, codename = dotted.split(".")
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    group.permissions.set(Permission.objects.filter(wanted))
