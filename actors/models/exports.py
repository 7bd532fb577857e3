"""The actor's data exports (PIPL, GDPR)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from actors.models.profile import ActorProfile


class DataExport(models.Model):
    """A ZIP of everything the portal holds about an actor, built by a task and
    fetched through a signed link that expires."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready to download")
        FAILED = "failed", _("Failed")

    actor = models.ForeignKey(ActorProfile, on_delete=models.CASCADE, related_name="data_exports")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    archive = models.FileField(upload_to="exports/", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    # How many times the build task was queued, and when last: the
    # stuck-work sweep queues it again when a worker lost it, then gives up.
    attempts = models.PositiveSmallIntegerField(default=1)
    queued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"export {self.pk} of actor {self.actor_id}"


# The task builds the export or fails (storage refused it); the stuck-work
# sweep fails it after its last attempt. A failed export stays failed: the
# actor asks for a new one.
EXPORT_TRANSITIONS = {
    DataExport.Status.PENDING: {DataExport.Status.READY, DataExport.Status.FAILED},
}
