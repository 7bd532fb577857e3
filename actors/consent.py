"""The roster consent text, versioned.

The version changes whenever the meaning of the text changes; each
ConsentRecord stores the version and the exact text the actor saw, in the
language they saw it in.
"""

from django.utils.translation import gettext as _

# v2: says that a signed contract can be revoked at any time (v1 read as if it could not).
CONSENT_VERSION = "2026-12-v2"


def consent_text() -> str:
    """The consent text in the active language."""
    return "\n\n".join(
        [
            _(
                "Listing lets verified creators find your profile on the ConsentCast roster and send you "
                "requests to use your likeness in specific shots of specific projects."
            ),
            _(
                "Nothing is licensed until you approve a specific request, shot by shot, and both sides sign "
                "a contract. You can veto any shot, and AI training on your likeness is never allowed unless "
                "you agree to it in a contract."
            ),
            _(
                "You can leave at any time. Opting out hides your profile from the roster at once and declines "
                "every open request. Contracts you have already signed stay in force until their term ends, "
                "unless you revoke them: you can revoke any signed contract at any time from its page, "
                "and the creator must stop using your likeness at once."
            ),
        ]
    )
