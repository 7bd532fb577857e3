"""Reads for the dashboard, which spans the apps."""

from django.urls import reverse
from django.utils.translation import gettext as _

from actors.models import ActorProfile, LikenessPhoto, RedLines, VerificationStatus


def checklist_for_actor(actor: ActorProfile) -> list[dict]:
    """The steps to a listed profile, each with whether it is done (or, for
    the identity check, ``pending`` a moderator's review) and the page that
    does it. No query when ``actor`` comes from
    ``actor_profile_for_user``."""
    photos = getattr(actor, "photo_count", None)
    if photos is None:
        photos = LikenessPhoto.objects.filter(actor=actor).count()
    red_lines = RedLines.objects.filter(actor=actor).first() if not hasattr(actor, "red_lines") else actor.red_lines
    # Submitted and waiting for a moderator: nothing left for the actor to do.
    pending_review = actor.verification_status == VerificationStatus.PENDING
    profile_done = bool(actor.headline and actor.languages and actor.min_fee is not None and actor.legal_name)
    return [
        {
            "key": "profile",
            "label": _("Complete your profile"),
            "hint": _("Headline, languages, legal name and minimum fee."),
            "done": profile_done,
            "url": reverse("actors:profile_edit"),
        },
        {
            "key": "photos",
            "label": _("Upload likeness photos"),
            "hint": _("At least one clear photo of your face."),
            "done": photos > 0,
            "url": reverse("actors:photos"),
        },
        {
            "key": "red_lines",
            "label": _("Set your red lines"),
            "hint": _("What you never accept, and where your likeness may be shown."),
            "done": bool(red_lines and red_lines.accepted_territories),
            "url": reverse("actors:red_lines"),
        },
        {
            "key": "verified",
            "label": _("Verify your identity"),
            "hint": (
                _("You sent your identity check. A moderator will review it; you will be told the outcome.")
                if pending_review
                else _("A moderator confirms you are who your photos show.")
            ),
            "done": actor.verification_status == VerificationStatus.VERIFIED,
            "pending": pending_review,
            "url": reverse("moderation:identity_check"),
        },
        {
            "key": "opted_in",
            "label": _("Opt in to the roster"),
            "hint": _("Your separate, explicit consent to be listed. You can leave at any time."),
            "done": actor.opted_in,
            "url": reverse("actors:opt_in"),
        },
    ]
