"""The perceptual hash as a signed bigint instead of 16 hex digits, and its
four 16-bit bands as indexed generated columns, so near-duplicates are found
through an index (actors.services.duplicates) instead of a scan.

Existing hashes keep their 64 bits: a hex hash whose top bit is set becomes
a negative bigint (two's complement). An empty hash becomes NULL. Backwards,
the bigint becomes 16 hex digits again.
"""

from django.db import migrations, models
from django.db.models.expressions import CombinedExpression

BATCH = 2000
MASK = (1 << 64) - 1


def signed(bits: int) -> int:
    return bits - (1 << 64) if bits >> 63 else bits


def hex_to_bigint(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "UPDATE actors_likenessphoto SET dhash_bits = ('x' || lpad(dhash, 16, '0'))::bit(64)::bigint "
            "WHERE dhash <> ''"
        )
        return
    LikenessPhoto = apps.get_model("actors", "LikenessPhoto")
    hashed = LikenessPhoto.objects.exclude(dhash="").order_by("pk").values_list("pk", "dhash")
    last = 0
    while batch := list(hashed.filter(pk__gt=last)[:BATCH]):
        for pk, digest in batch:
            LikenessPhoto.objects.filter(pk=pk).update(dhash_bits=signed(int(digest, 16)))
        last = batch[-1][0]


def bigint_to_hex(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "UPDATE actors_likenessphoto SET dhash = lpad(to_hex(dhash_bits), 16, '0') WHERE dhash_bits IS NOT NULL"
        )
        return
    LikenessPhoto = apps.get_model("actors", "LikenessPhoto")
    hashed = LikenessPhoto.objects.filter(dhash_bits__isnull=False).order_by("pk").values_list("pk", "dhash_bits")
    last = 0
    while batch := list(hashed.filter(pk__gt=last)[:BATCH]):
        for pk, bits in batch:
            LikenessPhoto.objects.filter(pk=pk).update(dhash=f"{bits & MASK:016x}")
        last = batch[-1][0]


def band(number: int) -> models.GeneratedField:
    bits = CombinedExpression(models.F("dhash"), ">>", models.Value(16 * number)) if number else models.F("dhash")
    return models.GeneratedField(
        db_persist=True,
        expression=CombinedExpression(bits, "&", models.Value(65535)),
        output_field=models.IntegerField(null=True),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("actors", "0008_pending_work_attempts"),
    ]

    operations = [
        migrations.AddField(
            model_name="likenessphoto",
            name="dhash_bits",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(hex_to_bigint, bigint_to_hex, elidable=False),
        migrations.RemoveField(model_name="likenessphoto", name="dhash"),
        migrations.RenameField(model_name="likenessphoto", old_name="dhash_bits", new_name="dhash"),
        *(
            migrations.AddField(model_name="likenessphoto", name=f"dhash_band_{number}", field=band(number))
            for number in range(4)
        ),
        *(
            migrations.AddIndex(
                model_name="likenessphoto",
                index=models.Index(
                    condition=models.Q(("dhash__isnull", False)),
                    fields=[f"dhash_band_{number}", "dhash", "actor", "id"],
                    name=f"likeness_dhash_band_{number}_idx",
                ),
            )
            for number in range(4)
        ),
    ]
