"""Every write of the moderation app; see each module's docstring."""

from moderation.services.claims import claim_of, item_claim, item_claims_clear, item_release
from moderation.services.sanctions import profile_hide, profile_show, user_reinstate, user_suspend, user_warn

__all__ = [
    "claim_of",
    "item_claim",
    "item_claims_clear",
    "item_release",
    "profile_hide",
    "profile_show",
    "user_reinstate",
    "user_suspend",
    "user_warn",
]
