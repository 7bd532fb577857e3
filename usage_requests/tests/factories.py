"""Factories and builders for requests and contracts."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from actors.models import ActorProfile, RedLines
from actors.tests.factories import ActorProfileFactory
from creators.models import CreatorProfile, Project, Shot
from creators.tests.factories import ProjectFactory, ShotFactory
from usage_requests.models import ShotDecision, UsageRequest

GOOD_TERMS = {
    "fee": Decimal("5000.00"),
    "currency": "CNY",
    "territory": "cn_mainland",
    "ai_training": False,
}


def term_dates(months: int = 6) -> dict:
    start = timezone.localdate()
    return {"term_start": start, "term_end": start + timedelta(days=30 * months - 1)}


def open_actor(profile: ActorProfile | None = None, **red_lines) -> ActorProfile:
    """A listed actor whose red lines accept the default terms (mainland China,
    no training, a fee at most 5,000 CNY); ``red_lines`` override fields."""
    actor = profile or ActorProfileFactory(listed=True)
    if not actor.is_listed:
        from actors.tests.factories import list_on_roster

        actor = list_on_roster(actor)
    fields = {"accepted_territories": ["cn_mainland", "hk_mo_tw"], **red_lines}
    RedLines.objects.update_or_create(actor=actor, defaults=fields)
    return actor


def project_with_shots(creator: CreatorProfile, count: int = 3, **project_fields) -> tuple[Project, list[Shot]]:
    project = ProjectFactory(creator=creator, **project_fields)
    shots = [ShotFactory(project=project, number=n, position=n) for n in range(1, count + 1)]
    return project, shots


def send_request(
    *, actor: ActorProfile, creator: CreatorProfile, shots: int = 3, project: Project | None = None, **terms
) -> UsageRequest:
    """A pending request through the real service."""
    from usage_requests.services import usage_request_send

    if project is None:
        project, shot_rows = project_with_shots(creator, shots)
    else:
        shot_rows = list(project.shots.all())
    return usage_request_send(
        creator=creator,
        actor=actor,
        project=project,
        shots=shot_rows,
        **{**GOOD_TERMS, **term_dates(), **terms},
    )


def decide_all(request: UsageRequest, *, veto: int = 0, note: str = "Not this one") -> None:
    """The actor approves every shot but the last ``veto`` ones."""
    from usage_requests.services import usage_request_decide_shots

    rows = list(request.request_shots.order_by("shot__number"))
    decisions = {}
    for index, row in enumerate(rows):
        vetoed = index >= len(rows) - veto
        decisions[row.pk] = (ShotDecision.VETOED if vetoed else ShotDecision.APPROVED, note if vetoed else "")
    usage_request_decide_shots(request=request, user=request.actor.user, decisions=decisions)


def accepted_contract(*, actor: ActorProfile, creator: CreatorProfile, veto: int = 0, **terms):
    from usage_requests.services import usage_request_accept

    request = send_request(actor=actor, creator=creator, **terms)
    decide_all(request, veto=veto)
    return usage_request_accept(request=request, user=actor.user, terms_version=request.terms_version)


def active_contract(*, actor: ActorProfile, creator: CreatorProfile, veto: int = 0, **terms):
    """A contract both parties signed with their legal names."""
    from usage_requests.services import contract_sign

    ActorProfile.objects.filter(pk=actor.pk).update(legal_name=actor.legal_name or "Lin Xiaoyu Legal")
    CreatorProfile.objects.filter(pk=creator.pk).update(legal_name=creator.legal_name or "Lumen Pictures Ltd")
    actor.refresh_from_db()
    creator.refresh_from_db()
    contract = accepted_contract(actor=actor, creator=creator, veto=veto, **terms)
    contract_sign(contract=contract, user=actor.user, typed_name=actor.legal_name, consent=True)
    contract_sign(contract=contract, user=creator.user, typed_name=creator.legal_name, consent=True)
    contract.refresh_from_db()
    return contract


def licensed_photo(actor: ActorProfile, *, seed: int = 1, fmt: str = "JPEG"):
    """A photo large and textured enough to carry a watermark (a 600x800
    demo portrait), stored and with its renditions made."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from actors.services import photo_renditions_make, photo_upload
    from portal.demo.actors import portrait

    data = portrait(seed)
    if fmt != "JPEG":
        buffer = io.BytesIO()
        Image.open(io.BytesIO(data)).save(buffer, format=fmt)
        data = buffer.getvalue()
    name, content_type = {"JPEG": ("portrait.jpg", "image/jpeg"), "PNG": ("portrait.png", "image/png")}.get(
        fmt, ("portrait.webp", "image/webp")
    )
    (photo,) = photo_upload(actor=actor, files=[SimpleUploadedFile(name, data, content_type=content_type)])
    return photo_renditions_make(photo_id=photo.pk)


def output_image(seed: int = 1, fmt: str = "PNG", size: tuple[int, int] = (64, 48)) -> bytes:
    """A small generated image whose bytes differ by ``seed``."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, ((seed * 37) % 256, (seed * 91) % 256, (seed * 53) % 256)).save(buffer, format=fmt)
    return buffer.getvalue()


def stored_output(contract, *, shot_number: int | None = None, status: str = "pending", seed: int = 1, **fields):
    """A generated image output row of ``contract`` with its file and preview
    stored, as if submitted (for tests of what comes after submission)."""
    import hashlib

    from django.core.files.base import ContentFile

    from usage_requests.models import GeneratedOutput

    data = output_image(seed)
    output = GeneratedOutput(
        contract=contract,
        shot_number=shot_number if shot_number is not None else contract.snapshot["shots"][0]["number"],
        kind=GeneratedOutput.Kind.IMAGE,
        content_type="image/png",
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        width=64,
        height=48,
        tool=fields.pop("tool", "Test Diffusion 1.0"),
        submitted_by=contract.creator.user,
        status=status,
        **fields,
    )
    output.file.save("output.png", ContentFile(data), save=False)
    output.preview.save("preview.jpg", ContentFile(output_image(seed, "JPEG")), save=False)
    output.save()
    return output


__all__ = ["date"]
