"""Create the ``moderators`` group with the permissions moderation needs."""

from django.db import migrations


def create_group(apps, schema_editor):
    from marketplace.roles import sync_moderator_group

    sync_moderator_group(apps)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="moderators").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("marketplace", "0001_initial"),
        ("actors", "0001_initial"),
        ("creators", "0001_initial"),
        ("usersessions", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
