"""Generated outputs: what a creator made with the actor's likeness under a
contract, one row per file per approved shot, and the actor's verdict on it
(DESIGN.md "Delivery and provenance").

The file is kept exactly as submitted (its SHA-256 is what the public
lookup answers for); the preview is a sanitized still (the image itself, or
a video's poster frame) that the review pages show. A rejected output may be
replaced by a new version, which points back at the one it replaces. Only
``usage_requests.services.outputs`` assigns a status; the legal moves are
``OUTPUT_TRANSITIONS``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from marketplace.files import private_name
from marketplace.images import CONTENT_TYPES as IMAGE_CONTENT_TYPES
from marketplace.images import EXTENSIONS as IMAGE_EXTENSIONS
from marketplace.videos import FORMATS as VIDEO_FORMATS
from usage_requests.models.contracts import Contract
from usage_requests.models.requests import REASON_MAX_LENGTH

TOOL_MAX_LENGTH = 120
# A file's extension by content type: the image gate's and the video gate's.
OUTPUT_EXTENSIONS = {
    **{IMAGE_CONTENT_TYPES[name]: extension.lstrip(".") for name, extension in IMAGE_EXTENSIONS.items()},
    **{spec["content_type"]: spec["extension"].lstrip(".") for spec in VIDEO_FORMATS.values()},
}


def _output_path(kind: str, instance: "GeneratedOutput", filename: str) -> str:
    # Never the uploaded name: a random name under the contract's folder,
    # keeping only the extension chosen from the detected type.
    return private_name(f"outputs/{instance.contract_id}/{kind}", filename)


def output_file_path(instance, filename):
    return _output_path("file", instance, filename)


def output_preview_path(instance, filename):
    return _output_path("preview", instance, filename)


def output_labelled_path(instance, filename):
    return _output_path("labelled", instance, filename)


class OutputStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting the actor's review")
    APPROVED = "approved", _("Approved by the actor")
    REJECTED = "rejected", _("Rejected by the actor")


OUTPUT_TRANSITIONS: dict[str, set[str]] = {
    OutputStatus.PENDING: {OutputStatus.APPROVED, OutputStatus.REJECTED},
    OutputStatus.APPROVED: set(),
    OutputStatus.REJECTED: set(),
}


class GeneratedOutput(models.Model):
    """One generated file (an image or a short video) submitted against one
    approved shot of a contract, and the actor's verdict on it."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("Image")
        VIDEO = "video", _("Video")

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="outputs")
    # The approved shot's number in the contract's snapshot.
    shot_number = models.PositiveIntegerField()
    # 1 for a first submission; a replacement of a rejected output is its
    # version + 1 and points back at it.
    version = models.PositiveSmallIntegerField(default=1)
    replaces = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by")
    kind = models.CharField(max_length=5, choices=Kind.choices)
    content_type = models.CharField(max_length=40)
    # The bytes exactly as submitted (private storage), their hash and size.
    file = models.FileField(upload_to=output_file_path, max_length=200)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    # A sanitized JPEG still for the review pages: the image re-encoded, or a
    # video's poster frame.
    preview = models.FileField(upload_to=output_preview_path, max_length=200, blank=True)
    # The copy handed back to the creator once approved: explicit "AI生成 /
    # AI-generated" label and the implicit label in its metadata.
    labelled = models.FileField(upload_to=output_labelled_path, max_length=200, blank=True)
    tool = models.CharField(_("generation tool"), max_length=TOOL_MAX_LENGTH)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=OutputStatus.choices, default=OutputStatus.PENDING)
    review_note = models.TextField(max_length=REASON_MAX_LENGTH, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # Set when the contract said "approval not needed": approved on submission.
    auto_approved = models.BooleanField(default=False)
    # When the actor was last reminded that this output waits for them.
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["shot_number", "version", "id"]
        verbose_name = _("generated output")
        verbose_name_plural = _("generated outputs")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[choice.value for choice in OutputStatus]), name="output_status_known"
            ),
            models.CheckConstraint(condition=Q(kind__in=["image", "video"]), name="output_kind_known"),
            models.UniqueConstraint(fields=["contract", "sha256"], name="output_once_per_contract"),
        ]
        indexes = [
            models.Index(fields=["contract", "status"], name="output_contract_status_idx"),
            models.Index(fields=["status", "submitted_at"], name="output_waiting_idx"),
        ]

    def __str__(self) -> str:
        return f"output {self.pk} (shot {self.shot_number} v{self.version}) of contract {self.contract_id}"

    @property
    def extension(self) -> str:
        return OUTPUT_EXTENSIONS.get(self.content_type, "bin")

    def download_name(self, what: str, extension: str | None = None) -> str:
        """The server-made ASCII name of a download of this output: ``what``
        is "submitted", "preview" or "labelled"."""
        return (
            f"consentcast-{self.contract.licence_code}-shot{self.shot_number}-v{self.version}-{what}."
            f"{extension or self.extension}"
        )
