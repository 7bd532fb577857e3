"""Remove the control and invisible characters (bidi overrides, zero-width
characters) that the profile form used to accept in the headline, city,
skills and union membership, and that the roster showed. The form refuses
them since; this cleans what was saved before. The stored search text is
cleaned the same way; nothing else is recomputed."""

import unicodedata

from django.db import migrations

FIELDS = ("headline", "city", "skills", "union_membership", "search_document")
# The categories marketplace.forms.has_control_characters refuses. Written
# out here: a migration keeps working whatever the module becomes.
REFUSED_CATEGORIES = {"Cc", "Cf", "Co", "Cs"}


def without_invisible_characters(value: str) -> str:
    return "".join(ch for ch in value if ch in "\n\r\t" or unicodedata.category(ch) not in REFUSED_CATEGORIES)


def clean_profiles(apps, schema_editor):
    ActorProfile = apps.get_model("actors", "ActorProfile")
    for profile in ActorProfile.objects.only("pk", *FIELDS).iterator():
        cleaned = {name: without_invisible_characters(getattr(profile, name)) for name in FIELDS}
        changed = {name: value for name, value in cleaned.items() if value != getattr(profile, name)}
        if changed:
            ActorProfile.objects.filter(pk=profile.pk).update(**changed)


class Migration(migrations.Migration):
    dependencies = [("actors", "0006_stage_name_pairs_index")]

    operations = [migrations.RunPython(clean_profiles, migrations.RunPython.noop)]
