"""Every write of the moderation app; see each module's docstring."""

from moderation.services.claims import claim_of, item_claim, item_claims_clear, item_release
from moderation.services.reports import ReportRefused, photo_flag_decide, report_decide, report_file
from moderation.services.sanctions import profile_hide, profile_show, user_reinstate, user_suspend, user_warn
from moderation.services.studios import creator_unverify, creator_verify

__all__ = [
    "ReportRefused",
    "claim_of",
    "creator_unverify",
    "creator_verify",
    "item_claim",
    "item_claims_clear",
    "item_release",
    "photo_flag_decide",
    "profile_hide",
    "profile_show",
    "report_decide",
    "report_file",
    "user_reinstate",
    "user_suspend",
    "user_warn",
]
