"""Moderation's demo data: the moderator's authenticator, an identity check
waiting for a decision, an open dispute and an open report. Idempotent."""

import io

from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from actors.models import ActorProfile
from creators.models import CreatorProfile
from marketplace.models import User
from moderation.models import Dispute, DisputeCategory, IdentityVerification, ProfileKind, Report, ReportReason
from moderation.services import report_file
from moderation.services.disputes import dispute_open
from moderation.services.verification import verification_start, verification_submit
from portal.demo.actors import portrait
from usage_requests.models import Contract, ContractStatus


def demo_totp_secret(moderator: User) -> str:
    """The moderator's TOTP secret, set up on the first run."""
    authenticator = Authenticator.objects.filter(user=moderator, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        secret = generate_totp_secret()
        TOTP.activate(moderator, secret)
        return secret
    return get_mfa_adapter().decrypt(authenticator.data["secret"])


def _id_card(name: str) -> bytes:
    """A plainly fake ID document: a card with the words DEMO and the name."""
    image = Image.new("RGB", (856, 540), (222, 232, 240))
    draw = ImageDraw.Draw(image)
    draw.rectangle([24, 24, 832, 516], outline=(40, 70, 110), width=6)
    draw.rectangle([60, 120, 300, 440], fill=(170, 180, 190))
    draw.text((340, 130), "DEMO IDENTITY CARD - NOT A REAL DOCUMENT", fill=(20, 30, 60))
    draw.text((340, 200), name.encode("ascii", "replace").decode(), fill=(20, 30, 60))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def demo_moderation_seed(*, actors: list[ActorProfile], creators: list[CreatorProfile]) -> dict:
    """A pending identity check (the last, unverified demo actor), a dispute
    on the demo contract meant for it, and a report. Returns what exists."""
    waiting = actors[-1]
    if not IdentityVerification.objects.filter(actor=waiting).exists():
        attempt = verification_start(actor=waiting)
        verification_submit(
            verification=attempt,
            id_document=SimpleUploadedFile("id.jpg", _id_card(waiting.stage_name), content_type="image/jpeg"),
            selfie=SimpleUploadedFile("selfie.jpg", portrait(9000 + waiting.pk), content_type="image/jpeg"),
        )

    contract = (
        Contract.objects.filter(creator__in=creators, project__title__startswith="The Lighthouse")
        .select_related("request__actor__user")
        .order_by("-id")
        .first()
    )
    disputed_before = contract is not None and Dispute.objects.filter(usage_request=contract.request).exists()
    if contract is not None and not disputed_before and contract.status == ContractStatus.ACTIVE:
        dispute_open(
            usage_request=contract.request,
            by=contract.request.actor.user,
            category=DisputeCategory.BEYOND_SHOTS,
            description=(
                "The trailer shows my face in a scene on the lighthouse stairs. I only approved the pier shots. "
                "预告片里出现了我没有批准的镜头。"
            ),
        )

    reporter, reported = creators[0].user, actors[1]
    if not Report.objects.filter(reported_user=reported.user).exists():
        report_file(
            reporter=reporter,
            reported_user=reported.user,
            profile_kind=ProfileKind.ACTOR,
            reason=ReportReason.IMPERSONATION,
            description="These photos look like a well-known actress who is not on ConsentCast. Please check.",
        )
    return {"disputed": contract}
