"""Notification kinds of requests and contracts: one per move, told to the
party who must know. Parameters: ``project`` (title), ``actor`` (stage name),
``creator`` (display name), ``code`` (licence code), ``count``, ``when``,
``starts`` (the term's first day, ISO 8601); ``shot`` and ``version`` of a
generated output; for webhooks ``host`` (the endpoint's host name)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from marketplace.notifications import NotificationKind, register

REQUEST_RECEIVED = register(
    NotificationKind(
        key="requests.received",
        title=_("New request from %(creator)s for “%(project)s”"),
        body=_(
            "Review each shot: approve or veto it, then accept, counter or decline. "
            "Nothing is licensed until you accept."
        ),
    )
)
REQUEST_COUNTERED = register(
    NotificationKind(
        key="requests.countered",
        title=_("%(actor)s made a counter-offer on “%(project)s”"),
        body=_("Accept the new terms to hand the request back to the actor for the final acceptance, or decline it."),
    )
)
REQUEST_COUNTER_ACCEPTED = register(
    NotificationKind(
        key="requests.counter_accepted",
        title=_("%(creator)s accepted your counter-offer on “%(project)s”"),
        body=_("The request is back with you for the final acceptance."),
    )
)
REQUEST_ACCEPTED = register(
    NotificationKind(
        key="requests.accepted",
        title=_("%(actor)s accepted your request for “%(project)s”"),
        body=ngettext_lazy(
            "%(count)s shot approved. The contract is ready to sign.",
            "%(count)s shots approved. The contract is ready to sign.",
            "count",
        ),
    )
)
REQUEST_DECLINED = register(
    NotificationKind(
        key="requests.declined",
        title=_("The request for “%(project)s” was declined"),
        body=_("Open the request to read the reason."),
    )
)
REQUEST_WITHDRAWN = register(
    NotificationKind(
        key="requests.withdrawn",
        title=_("%(creator)s withdrew the request for “%(project)s”"),
        body=_("Nothing was licensed; you do not need to do anything."),
    )
)
REQUEST_EXPIRED = register(
    NotificationKind(
        key="requests.expired",
        title=_("The request for “%(project)s” expired"),
        body=_("Nobody answered in time, so nothing was licensed."),
    )
)
REQUEST_REMINDER = register(
    NotificationKind(
        key="requests.reminder",
        title=_("The request for “%(project)s” expires within a day"),
        body=_("It is waiting for you. Without an answer it expires and nothing is licensed."),
    )
)
MESSAGES_DIGEST = register(
    NotificationKind(
        key="requests.messages_digest",
        title=ngettext_lazy(
            "%(count)s unread message about “%(project)s”", "%(count)s unread messages about “%(project)s”", "count"
        ),
        body=_("Open the request to read and answer them."),
    )
)
CONTRACT_READY = register(
    NotificationKind(
        key="contracts.ready",
        title=_("Contract %(code)s for “%(project)s” is ready to sign"),
        body=_(
            "Read it, then sign with your legal name. It is cancelled if both parties have not signed within 7 days."
        ),
    )
)
CONTRACT_SIGNED = register(
    NotificationKind(
        key="contracts.signed",
        title=_("The other party signed contract %(code)s"),
        body=_("The licence takes effect once you have signed too."),
    )
)
CONTRACT_ACTIVE = register(
    NotificationKind(
        key="contracts.active",
        title=_("Contract %(code)s is in force"),
        body=_("Both parties signed. Anyone can verify the licence with its code."),
    )
)
CONTRACT_SIGNED_BOTH = register(
    NotificationKind(
        key="contracts.signed_both",
        title=_("Contract %(code)s is signed, starts on %(starts)s"),
        body=_(
            "Both parties signed. The licence is not in force before %(starts)s: until then the likeness may not "
            "be used and the originals cannot be downloaded. Anyone can verify the licence with its code."
        ),
    )
)
CONTRACT_CANCELLED = register(
    NotificationKind(
        key="contracts.cancelled",
        title=_("Contract %(code)s was cancelled"),
        body=_("It was not signed by both parties in time, so nothing was licensed."),
    )
)
CONTRACT_COMPLETED = register(
    NotificationKind(
        key="contracts.completed",
        title=_("Contract %(code)s is completed"),
        body=_("The licence term has ended. The licensed assets must now be deleted."),
    )
)
CONTRACT_REVOKED = register(
    NotificationKind(
        key="contracts.revoked",
        title=_("%(actor)s revoked contract %(code)s"),
        body=_("Stop using the likeness and delete the licensed assets. Open the contract to read the reason."),
    )
)
CONTRACT_SUSPENDED = register(
    NotificationKind(
        key="contracts.suspended",
        title=_("Contract %(code)s is suspended"),
        body=_("A dispute is open. The licence is not in force until a moderator decides."),
    )
)
CONTRACT_REINSTATED = register(
    NotificationKind(
        key="contracts.reinstated",
        title=_("Contract %(code)s is in force again"),
        body=_("The dispute ended without voiding the contract."),
    )
)
CONTRACT_REINSTATED_SIGNED = register(
    NotificationKind(
        key="contracts.reinstated_signed",
        title=_("The dispute on contract %(code)s ended: it starts on %(starts)s"),
        body=_("The dispute ended without voiding the contract. The licence is not in force before %(starts)s."),
    )
)
CONTRACT_VOIDED = register(
    NotificationKind(
        key="contracts.voided",
        title=_("Contract %(code)s was voided by a moderator"),
        body=_("The licence no longer exists. Stop using the likeness and delete the licensed assets."),
    )
)
WEBHOOK_DISABLED = register(
    NotificationKind(
        key="webhooks.disabled",
        title=_("Your webhook to %(host)s was turned off"),
        body=_(
            "%(count)s deliveries in a row failed. Fix the receiver, then turn the webhook on again: "
            "the events waiting for it are sent then, in order."
        ),
    )
)
# Generated outputs: the actor's verdicts, told to the creator (``shot``,
# ``version``; a batch: ``count``, ``approved``, ``rejected``), and the
# reminder to the actor (``count``, ``days``).
OUTPUT_APPROVED = register(
    NotificationKind(
        key="outputs.approved",
        title=_("%(actor)s approved your output for shot %(shot)s of “%(project)s”"),
        body=_("Version %(version)s is approved under licence %(code)s."),
    )
)
OUTPUT_REJECTED = register(
    NotificationKind(
        key="outputs.rejected",
        title=_("%(actor)s rejected your output for shot %(shot)s of “%(project)s”"),
        body=_(
            "Version %(version)s may not be used. Open the outputs to read the actor's note; you may submit a "
            "new version for the shot."
        ),
    )
)
OUTPUTS_REVIEWED = register(
    NotificationKind(
        key="outputs.reviewed",
        title=ngettext_lazy(
            "%(actor)s reviewed %(count)s generated output of “%(project)s”",
            "%(actor)s reviewed %(count)s generated outputs of “%(project)s”",
            "count",
        ),
        body=_(
            "%(approved)s approved, %(rejected)s rejected. A rejected output may not be used; open the outputs "
            "to read the actor's notes and submit new versions."
        ),
    )
)
OUTPUTS_REMINDER = register(
    NotificationKind(
        key="outputs.reminder",
        title=ngettext_lazy(
            "%(count)s generated output of “%(project)s” awaits your review",
            "%(count)s generated outputs of “%(project)s” await your review",
            "count",
        ),
        body=ngettext_lazy(
            "Waiting for more than %(days)s day under contract %(code)s: approve or reject each one; a rejection "
            "needs a note for the creator.",
            "Waiting for more than %(days)s days under contract %(code)s: approve or reject each one; a rejection "
            "needs a note for the creator.",
            "days",
        ),
    )
)
# Generated outputs: ``version`` is 1, or more for a replacement.
OUTPUT_SUBMITTED = register(
    NotificationKind(
        key="outputs.submitted",
        title=_("New output for shot %(shot)s of “%(project)s” awaits your review"),
        body=_(
            "%(creator)s submitted what they generated with your likeness (version %(version)s). "
            "Approve or reject it on the contract's outputs page."
        ),
    )
)
OUTPUT_AUTO_APPROVED = register(
    NotificationKind(
        key="outputs.auto_approved",
        title=_("New output for shot %(shot)s of “%(project)s” was approved automatically"),
        body=_(
            "You chose that outputs under contract %(code)s do not need your approval. "
            "%(creator)s submitted version %(version)s; every output is listed on the contract's outputs page."
        ),
    )
)
