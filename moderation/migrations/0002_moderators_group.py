"""Give the ``moderators`` group the view permissions of moderation's models."""

from django.db import migrations


def sync_group(apps, schema_editor):
    from marketplace.roles import sync_moderator_group

    sync_moderator_group(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0001_initial"),
        ("marketplace", "0002_moderators_group"),
    ]

    operations = [migrations.RunPython(sync_group, migrations.RunPython.noop)]
