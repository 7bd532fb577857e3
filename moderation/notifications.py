"""Notification kinds of moderation: what a decision tells the people it
concerns. Parameters: ``id`` (dispute or report number), ``reason`` and
``resolution`` (the moderator's words, shown as written), ``outcome`` (an
outcome key, rendered by the template through its label), ``project``."""

from django.utils.translation import gettext_lazy as _

from marketplace.notifications import NotificationKind, register

VERIFICATION_APPROVED = register(
    NotificationKind(
        key="moderation.verification_approved",
        title=_("Your identity is verified"),
        body=_(
            "Your profile now shows the verified badge. Once you have opted in, creators can find you on the roster."
        ),
    )
)
VERIFICATION_REJECTED = register(
    NotificationKind(
        key="moderation.verification_rejected",
        title=_("Your identity check was not approved"),
        body=_("The moderator's reason: %(reason)s. You can start a new check with a new code."),
    )
)
DISPUTE_OPENED = register(
    NotificationKind(
        key="moderation.dispute_opened",
        title=_("A dispute was opened on “%(project)s” (dispute #%(id)s)"),
        body=_("A moderator will review it. You can add your side of the story on the dispute page."),
    )
)
DISPUTE_MESSAGE = register(
    NotificationKind(
        key="moderation.dispute_message",
        title=_("New message in dispute #%(id)s"),
        body=_("Open the dispute page to read it and reply."),
    )
)
DISPUTE_RESOLVED = register(
    NotificationKind(
        key="moderation.dispute_resolved",
        title=_("Dispute #%(id)s is resolved: %(outcome)s"),
        body=_("The moderator's resolution: %(resolution)s"),
    )
)
DISPUTE_DISMISSED = register(
    NotificationKind(
        key="moderation.dispute_dismissed",
        title=_("Dispute #%(id)s was dismissed"),
        body=_("The moderator's reason: %(resolution)s"),
    )
)
CREATOR_VERIFIED = register(
    NotificationKind(
        key="moderation.creator_verified",
        title=_("Your studio is verified"),
        body=_("Actors now see the verified studio badge on your profile and your requests."),
    )
)
CREATOR_UNVERIFIED = register(
    NotificationKind(
        key="moderation.creator_unverified",
        title=_("Your studio is no longer verified"),
        body=_("The moderator's reason: %(reason)s. Actors no longer see the verified studio badge."),
    )
)
REPORT_DECIDED = register(
    NotificationKind(
        key="moderation.report_decided",
        title=_("Your report #%(id)s was reviewed"),
        body=_("Thank you. A moderator reviewed the profile you reported and took the action they found right."),
    )
)
PROFILE_HIDDEN = register(
    NotificationKind(
        key="moderation.profile_hidden",
        title=_("A moderator hid your profile"),
        body=_("The moderator's reason: %(reason)s. Reply to this email to appeal."),
    )
)
PROFILE_SHOWN = register(
    NotificationKind(
        key="moderation.profile_shown",
        title=_("Your profile is visible again"),
        body=_("A moderator lifted the hiding of your profile."),
    )
)
USER_WARNED = register(
    NotificationKind(
        key="moderation.user_warned",
        title=_("A warning from the ConsentCast moderators"),
        body=_("The moderator's reason: %(reason)s. Further breaches can lead to the suspension of your account."),
    )
)
ACCOUNT_SUSPENDED = register(
    NotificationKind(
        key="moderation.account_suspended",
        title=_("Your ConsentCast account is suspended"),
        body=_(
            "The moderator's reason: %(reason)s. You cannot sign in, your profile is hidden and your open "
            "requests were declined. Reply to this email to appeal."
        ),
    )
)
ACCOUNT_REINSTATED = register(
    NotificationKind(
        key="moderation.account_reinstated",
        title=_("Your ConsentCast account is reinstated"),
        body=_("You can sign in again. Requests declined during the suspension stay declined."),
    )
)
PHOTO_CLEARED = register(
    NotificationKind(
        key="moderation.photo_cleared",
        title=_("Your photo was cleared"),
        body=_(
            "A moderator checked the photo that resembled another actor's and cleared it; creators can see it again."
        ),
    )
)
PHOTO_REJECTED = register(
    NotificationKind(
        key="moderation.photo_rejected",
        title=_("Your photo was rejected"),
        body=_("The moderator's reason: %(reason)s. The photo is not shown to anyone and can never be licensed."),
    )
)
