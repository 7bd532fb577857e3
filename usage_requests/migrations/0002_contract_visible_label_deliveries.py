"""Deliveries of licensed originals (one row per marked copy handed out,
linked to the actor's access-log row) and the actor's per-contract choice of
a visible licence label on delivered copies (off for existing contracts)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("actors", "0008_pending_work_attempts"),
        ("usage_requests", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="contract",
            name="visible_label",
            field=models.BooleanField(default=False, verbose_name="label delivered copies with the licence code"),
        ),
        migrations.CreateModel(
            name="Delivery",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("delivery_id", models.CharField(max_length=16, unique=True)),
                ("licensee_label", models.CharField(blank=True, max_length=120)),
                (
                    "channel",
                    models.CharField(
                        choices=[("page", "Signed-in browser"), ("api", "API token")], default="page", max_length=4
                    ),
                ),
                ("ip_address", models.GenericIPAddressField(blank=True, null=True)),
                ("user_agent", models.CharField(blank=True, max_length=300)),
                ("watermarked", models.BooleanField(default=True)),
                ("visible_label", models.BooleanField(default=False)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "access",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="delivery",
                        to="actors.assetaccess",
                    ),
                ),
                (
                    "contract",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="deliveries",
                        to="usage_requests.contract",
                    ),
                ),
                (
                    "licensee",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "photo",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="actors.likenessphoto",
                    ),
                ),
            ],
            options={
                "verbose_name": "delivery",
                "verbose_name_plural": "deliveries",
                "ordering": ["-created_at", "-id"],
                "abstract": False,
                "indexes": [models.Index(fields=["contract", "-created_at"], name="delivery_contract_idx")],
            },
        ),
    ]
