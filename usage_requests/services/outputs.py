"""Writes of generated outputs: the creator submits what they generated
against one approved shot of a contract in force (DESIGN.md "Delivery and
provenance").

The file is stored exactly as submitted (its SHA-256 is what the public
lookup answers for, and the creator's own C2PA or label metadata stays in
it); what the review pages show is a sanitized JPEG still: the image
decoded by ``sanitize_image`` and re-encoded, or a video's poster frame
from ``inspect_video``.
"""

import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models.fields.files import FieldFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.exceptions import DomainError, InvalidTransition
from marketplace.files import WrittenFiles, stored_or_nothing
from marketplace.forms import has_control_characters
from marketplace.images import preview_of, sanitize_image
from marketplace.models import User
from marketplace.services import notify
from marketplace.videos import EBML_MAGIC, inspect_video
from usage_requests import notifications as kinds
from usage_requests.models import TOOL_MAX_LENGTH, Contract, ContractEvent, GeneratedOutput, OutputStatus, Party
from usage_requests.services.contracts import contract_params
from usage_requests.services.events import record_output_event
from usage_requests.services.output_labels import queue_output_labelling
from usage_requests.verdicts import verdict_of

HASH_CHUNK = 1024 * 1024


class OutputRefused(DomainError):
    """The submission is not acceptable as sent; ``field`` names the input
    (``file``, ``shot``, ``tool`` or ``replaces``) and ``code`` the reason.
    Nothing was stored."""

    def __init__(self, message: str, *, field: str, code: str) -> None:
        super().__init__(message, field=field)
        self.code = code


@dataclass(frozen=True)
class CheckedFile:
    """What a submitted file is, once its checks passed."""

    kind: str
    content_type: str
    extension: str
    size: int
    sha256: str
    width: int
    height: int
    duration_seconds: float | None
    preview_jpeg: bytes


def output_submit(
    *,
    contract: Contract,
    user: User,
    shot_number: int,
    upload: Any,
    tool: str,
    replaces: GeneratedOutput | None = None,
) -> GeneratedOutput:
    """Store ``upload`` as a generated output of ``contract`` for the
    approved shot ``shot_number``, generated with ``tool``; a replacement of
    the rejected output ``replaces`` when given (its version + 1).

    When the contract says outputs need no approval, the output is approved
    at once by the platform. The actor is told either way.

    Raises ``PermissionDenied`` (not the contract's creator),
    ``InvalidTransition`` (the licence is not in force; ``replaces`` was
    replaced already), ``OutputRefused`` (shot not approved, tool missing or
    unreadable, file refused or already submitted, ``replaces`` not a
    rejected output of this shot), ``StorageUnavailable`` (storage refused
    the file). Nothing is stored unless everything succeeds.
    """
    if contract.party_of(user) != Party.CREATOR:
        raise PermissionDenied(_("Only the creator of this contract can submit generated outputs."))
    _require_in_force(contract)
    _require_approved_shot(contract, shot_number)
    tool = clean_tool(tool)
    if replaces is not None:
        _require_replaceable(contract, replaces, shot_number)
    checked = checked_file(upload)
    _require_new(contract, checked.sha256)
    with stored_or_nothing() as written, transaction.atomic():
        locked = Contract.objects.select_for_update(of=("self",)).select_related(
            "actor__user", "creator__user", "project"
        )
        contract = locked.get(pk=contract.pk)
        _require_in_force(contract)
        output = _new_output(contract, user, shot_number, tool, checked, replaces)
        _store(output, upload, checked, written)
        _insert(output)
        _record_and_tell(output, contract, user)
    return output


def _require_in_force(contract: Contract) -> None:
    if not contract.in_force(timezone.localdate()):
        raise InvalidTransition(
            _("Outputs can be submitted only while the licence is in force. This licence: %(verdict)s.")
            % {"verdict": verdict_of(contract).label}
        )


def approved_shot_numbers(contract: Contract) -> list[int]:
    """The numbers of the shots the contract licenses, from its snapshot."""
    shots = contract.snapshot.get("shots", [])
    return [shot["number"] for shot in shots if isinstance(shot, dict) and isinstance(shot.get("number"), int)]


def _require_approved_shot(contract: Contract, shot_number: int) -> None:
    if shot_number not in approved_shot_numbers(contract):
        raise OutputRefused(
            _("Shot %(number)s is not one of the shots this contract licenses.") % {"number": shot_number},
            field="shot",
            code="shot_not_approved",
        )


def clean_tool(tool: str) -> str:
    """The tool's name as the creator typed it, trimmed; ``OutputRefused``
    when empty, too long or holding control characters."""
    tool = (tool or "").strip()
    if not tool:
        raise OutputRefused(_("Name the tool the output was generated with."), field="tool", code="required")
    if len(tool) > TOOL_MAX_LENGTH:
        raise OutputRefused(
            _("The tool's name can be at most %(max)s characters.") % {"max": TOOL_MAX_LENGTH},
            field="tool",
            code="max_length",
        )
    if has_control_characters(tool):
        raise OutputRefused(
            _("The tool's name contains invisible or control characters. Type it again without them."),
            field="tool",
            code="control_characters",
        )
    return tool


def _require_replaceable(contract: Contract, replaces: GeneratedOutput, shot_number: int) -> None:
    if replaces.contract_id != contract.pk or replaces.shot_number != shot_number:
        raise OutputRefused(
            _("A new version must replace a rejected output of the same shot of this contract."),
            field="replaces",
            code="other_shot",
        )
    if replaces.status != OutputStatus.REJECTED:
        raise OutputRefused(
            _("Only a rejected output can be replaced by a new version."), field="replaces", code="not_rejected"
        )
    if GeneratedOutput.objects.filter(replaces=replaces).exists():
        raise _already_replaced()


def _already_replaced() -> InvalidTransition:
    return InvalidTransition(_("This output has already been replaced by a new version."))


def checked_file(upload: Any) -> CheckedFile:
    """The facts and preview of a submitted image or video. Raises
    ``OutputRefused`` (field ``file``) with the reason the file is refused."""
    if upload is None:
        raise OutputRefused(_("Choose the file to submit."), field="file", code="required")
    upload.seek(0)
    head = upload.read(8)
    # Anything in an ISO media or Matroska box goes to the video gate, which
    # tells MP4 and WebM from the rest of their families.
    looks_like_video = head[4:8] == b"ftyp" or head[:4] == EBML_MAGIC
    try:
        facts = _video_facts(upload) if looks_like_video else _image_facts(upload)
    except ValidationError as exc:
        code = exc.code or "invalid"
        if code == "format":
            message = _(
                "This is neither a JPEG, PNG or WebP image nor an MP4 or WebM video. Only those formats are accepted."
            )
        else:
            message = " ".join(exc.messages)
        raise OutputRefused(message, field="file", code=code) from None
    return CheckedFile(size=upload.size, sha256=_sha256(upload), **facts)


def _video_facts(upload: Any) -> dict[str, Any]:
    video = inspect_video(upload)
    return {
        "kind": GeneratedOutput.Kind.VIDEO,
        "content_type": video.content_type,
        "extension": video.extension,
        "width": video.width,
        "height": video.height,
        "duration_seconds": video.duration_seconds,
        "preview_jpeg": video.poster_jpeg,
    }


def _image_facts(upload: Any) -> dict[str, Any]:
    # sanitize_image's checks (allow-list, size and pixel caps, a full
    # decode); its re-encoded copy makes the preview, never the stored file.
    image = sanitize_image(upload)
    return {
        "kind": GeneratedOutput.Kind.IMAGE,
        "content_type": image.content_type,
        "extension": image.name[image.name.rindex(".") :],
        "width": image.width,
        "height": image.height,
        "duration_seconds": None,
        "preview_jpeg": preview_of(image),
    }


def _sha256(upload: Any) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in iter(lambda: upload.read(HASH_CHUNK), b""):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _require_new(contract: Contract, sha256: str) -> None:
    if GeneratedOutput.objects.filter(contract=contract, sha256=sha256).exists():
        raise _duplicate()


def _duplicate() -> OutputRefused:
    return OutputRefused(
        _("This exact file has already been submitted under this contract."), field="file", code="duplicate"
    )


def _new_output(
    contract: Contract,
    user: User,
    shot_number: int,
    tool: str,
    checked: CheckedFile,
    replaces: GeneratedOutput | None,
) -> GeneratedOutput:
    output = GeneratedOutput(
        contract=contract,
        shot_number=shot_number,
        version=replaces.version + 1 if replaces is not None else 1,
        replaces=replaces,
        kind=checked.kind,
        content_type=checked.content_type,
        sha256=checked.sha256,
        size=checked.size,
        width=checked.width,
        height=checked.height,
        duration_seconds=checked.duration_seconds,
        tool=tool,
        submitted_by=user,
    )
    if not contract.outputs_need_approval:
        output.status = OutputStatus.APPROVED
        output.auto_approved = True
        output.reviewed_at = timezone.now()
    return output


def _store(output: GeneratedOutput, upload: Any, checked: CheckedFile, written: WrittenFiles) -> None:
    upload.seek(0)
    output.file.save(f"output{checked.extension}", upload, save=False)
    written.add(_saved_name(output.file))
    output.preview.save("preview.jpg", ContentFile(checked.preview_jpeg), save=False)
    written.add(_saved_name(output.preview))


def _saved_name(field: FieldFile) -> str:
    # FieldFile.save() has just set the name; the stubs type it optional.
    return str(field.name)


def _insert(output: GeneratedOutput) -> None:
    """Insert the row; the database refuses a second submission of the same
    file and a second replacement of the same output (two racing requests
    that both passed the checks above)."""
    try:
        with transaction.atomic():
            output.save()
    except IntegrityError:
        if output.replaces_id and GeneratedOutput.objects.filter(replaces_id=output.replaces_id).exists():
            raise _already_replaced() from None
        if GeneratedOutput.objects.filter(contract_id=output.contract_id, sha256=output.sha256).exists():
            raise _duplicate() from None
        raise


def _record_and_tell(output: GeneratedOutput, contract: Contract, user: User) -> None:
    record_output_event(contract, output, ContractEvent.Kind.OUTPUT_SUBMITTED, by=user, party=Party.CREATOR)
    kind = kinds.OUTPUT_SUBMITTED
    if output.auto_approved:
        record_output_event(contract, output, ContractEvent.Kind.OUTPUT_APPROVED, by=None, party="platform")
        queue_output_labelling(output)
        kind = kinds.OUTPUT_AUTO_APPROVED
    notify(
        recipient=contract.actor.user,
        kind=kind,
        event_key=f"output:{output.pk}:submitted",
        params=contract_params(contract, shot=output.shot_number, version=output.version),
        target=output,
        url=reverse("usage_requests:contract_outputs", args=[contract.pk]),
    )
