"""Attempts and the time last queued, on the rows a task works on (photo
renditions, data exports), for the stuck-work sweep. Rows already there
count as queued once, now: one still pending is retried after
STUCK_WORK_AFTER_SECONDS."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("actors", "0007_free_text_without_invisible_characters"),
    ]

    operations = [
        migrations.AddField(
            model_name="dataexport",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=1),
        ),
        migrations.AddField(
            model_name="dataexport",
            name="queued_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AddField(
            model_name="likenessphoto",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=1),
        ),
        migrations.AddField(
            model_name="likenessphoto",
            name="queued_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AddIndex(
            model_name="likenessphoto",
            index=models.Index(
                condition=models.Q(("renditions", "pending")), fields=["queued_at"], name="likeness_pending_idx"
            ),
        ),
    ]
