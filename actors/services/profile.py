"""Writes of the actor profile: creation, edits, search text, listing,
consent (opt-in/opt-out), red lines and verification status."""

import secrets
from collections.abc import Callable
from typing import Any

from django.contrib.postgres.search import SearchVector
from django.db import IntegrityError, connection, transaction
from django.db.models.expressions import CombinedExpression
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from actors import search
from actors.consent import CONSENT_VERSION, consent_text
from actors.hooks import actor_opted_out
from actors.models import ActorProfile, ConsentRecord, RedLines, SearchTerm, VerificationStatus
from actors.pinyin import romanized
from actors.search import cjk_bigrams
from marketplace.exceptions import InvalidTransition, RoleAlreadyHeld
from marketplace.http import ClientInfo
from marketplace.models import AuditEvent, User
from marketplace.money import to_reference
from marketplace.services import audit

PROFILE_FIELDS = (
    "stage_name",
    "legal_name",
    "headline",
    "bio",
    "languages",
    "gender",
    "playing_age_min",
    "playing_age_max",
    "city",
    "country",
    "skills",
    "min_fee",
    "fee_currency",
    "union_membership",
)


def unique_slug(base: str, *, taken: Callable[[str], bool]) -> str:
    """An ASCII slug for ``base``, Chinese written in pinyin ("陈思远" →
    "chen-si-yuan"); a name with nothing to write gets "actor".

    ``taken(slug)`` says whether a slug is in use. A race between two
    creations is settled by the unique constraint; callers retry.
    """
    stem = slugify(romanized(base))[:60].strip("-") or "actor"
    candidate = stem
    while taken(candidate):
        candidate = f"{stem}-{secrets.token_hex(3)}"
    return candidate


def actor_profile_create(*, user: User, stage_name: str) -> ActorProfile:
    """Make ``user`` an actor. Raises ``RoleAlreadyHeld`` if they are one."""
    if ActorProfile.objects.filter(user=user).exists():
        raise RoleAlreadyHeld(_("You already have an actor profile."))
    for _attempt in range(5):
        slug = unique_slug(stage_name, taken=lambda s: ActorProfile.objects.filter(slug=s).exists())
        try:
            with transaction.atomic():
                actor = ActorProfile.objects.create(user=user, stage_name=stage_name.strip(), slug=slug)
                RedLines.objects.create(actor=actor)
                actor_search_refresh(actor_ids=[actor.pk])
                return actor
        except IntegrityError:
            if ActorProfile.objects.filter(user=user).exists():
                raise RoleAlreadyHeld(_("You already have an actor profile.")) from None
    raise IntegrityError("could not find a free slug")


def search_document_for(actor: ActorProfile) -> str:
    """The stored search text of ``actor`` (its layout: ``actors.search``)."""
    return search.search_document_for(
        stage_name=actor.stage_name, headline=actor.headline, skills=actor.skills, city=actor.city, bio=actor.bio
    )


def search_ngrams_for(actor: ActorProfile) -> str:
    return " ".join(dict.fromkeys(cjk_bigrams(search_document_for(actor))))


def search_vector_expression() -> CombinedExpression:
    """Stage name weighs most, then headline and skills, then the biography.

    The 'simple' configuration does no stemming: names and Chinese text are
    kept as written, and English words still match exactly.
    """
    return (
        SearchVector("stage_name", weight="A", config="simple")
        + SearchVector("headline", "skills", weight="B", config="simple")
        + SearchVector("bio", "city", weight="C", config="simple")
        + SearchVector("search_ngrams", weight="D", config="simple")
    )


def search_terms_record(documents: list[str]) -> None:
    """Add the words of ``documents`` that the lexicon lacks (``SearchTerm``)."""
    terms = set().union(*(search.search_terms_in(document) for document in documents))
    SearchTerm.objects.bulk_create([SearchTerm(term=term) for term in sorted(terms)], ignore_conflicts=True)


def actor_search_refresh(*, actor_ids: list[int]) -> None:
    """Recompute the stored search text and its gram keys (and the vector,
    on PostgreSQL), and add its words to the lexicon."""
    actors = ActorProfile.objects.filter(pk__in=actor_ids)
    documents = []
    for actor in actors.only("pk", "stage_name", "headline", "skills", "city", "bio"):
        document = search_document_for(actor)
        documents.append(document)
        ActorProfile.objects.filter(pk=actor.pk).update(
            search_document=document,
            search_grams=search.search_grams_for(document),
            search_ngrams=" ".join(dict.fromkeys(cjk_bigrams(document))),
        )
    search_terms_record(documents)
    if connection.vendor == "postgresql":
        actors.update(search_vector=search_vector_expression())


def actor_listing_refresh(*, actor: ActorProfile) -> bool:
    """Set ``is_listed`` from the one listing rule and return it.

    Listed = opted in AND identity verified AND not suspended (and not
    deleted, not hidden by a moderator).
    """
    user = User.objects.only("is_active", "suspended_at").get(pk=actor.user_id)
    listed = (
        actor.opted_in
        and actor.verification_status == VerificationStatus.VERIFIED
        and user.is_active
        and user.suspended_at is None
        and actor.deleted_at is None
        and actor.hidden_at is None
    )
    ActorProfile.objects.filter(pk=actor.pk).update(is_listed=listed)
    actor.is_listed = listed
    return listed


def actor_profile_update(*, actor: ActorProfile, data: dict) -> ActorProfile:
    """Save the profile fields in ``data`` (already validated by the form)."""
    for field in PROFILE_FIELDS:
        if field in data:
            setattr(actor, field, data[field])
    actor.stage_name = actor.stage_name.strip()
    actor.min_fee_usd = to_reference(actor.min_fee, actor.fee_currency) if actor.min_fee is not None else None
    with transaction.atomic():
        actor.full_clean(exclude=["user", "slug"])
        actor.save()
        actor_search_refresh(actor_ids=[actor.pk])
    return actor


def red_lines_update(
    *,
    actor: ActorProfile,
    excluded_categories: list[str],
    blocked_keywords: list[str],
    accepted_territories: list[str],
    ai_training_allowed: bool,
    max_term_months: int,
) -> RedLines:
    with transaction.atomic():
        red_lines, _created = RedLines.objects.select_for_update().get_or_create(actor=actor)
        red_lines.excluded_categories = sorted(set(excluded_categories))
        red_lines.blocked_keywords = _clean_keywords(blocked_keywords)
        red_lines.accepted_territories = sorted(set(accepted_territories))
        red_lines.ai_training_allowed = ai_training_allowed
        red_lines.save()
        ActorProfile.objects.filter(pk=actor.pk).update(max_term_months=max_term_months)
        actor.max_term_months = max_term_months
    return red_lines


def _clean_keywords(keywords: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for keyword in keywords:
        keyword = " ".join(keyword.split())
        if keyword:
            seen.setdefault(keyword.casefold(), keyword)
    return list(seen.values())


def _consent_change(*, actor: ActorProfile, opt_in: bool, client: ClientInfo | None) -> ConsentRecord:
    client = client or ClientInfo()
    with transaction.atomic():
        fields = {"opted_in": opt_in, "opted_in_at": timezone.now() if opt_in else None}
        if not opt_in:
            # Unlisted in the same write: the listing constraint forbids a
            # listed actor who is not opted in, even for an instant.
            fields["is_listed"] = False
        changed = ActorProfile.objects.filter(pk=actor.pk, opted_in=not opt_in).update(**fields)
        if not changed:
            if opt_in:
                raise InvalidTransition(_("You are already opted in."))
            raise InvalidTransition(_("You are not opted in."))
        actor.refresh_from_db(fields=["opted_in", "opted_in_at", "verification_status", "deleted_at", "hidden_at"])
        record = ConsentRecord.objects.create(
            actor=actor,
            action=ConsentRecord.Action.OPT_IN if opt_in else ConsentRecord.Action.OPT_OUT,
            text_version=CONSENT_VERSION,
            language=get_language() or "en",
            text=consent_text(),
            ip_address=client.ip_address,
            user_agent=client.user_agent[:300],
        )
        actor_listing_refresh(actor=actor)
        audit(
            action=AuditEvent.Action.CONSENT_OPT_IN if opt_in else AuditEvent.Action.CONSENT_OPT_OUT,
            actor=actor.user,
            target=f"actors.actorprofile:{actor.pk}",
            client=client,
            data={"consent_record": record.pk, "text_version": CONSENT_VERSION},
        )
        if not opt_in:
            actor_opted_out.send(sender=ActorProfile, actor=actor)
    return record


def actor_opt_in(*, actor: ActorProfile, client: ClientInfo | None = None) -> ConsentRecord:
    """Record the actor's explicit consent to be listed (text in the active
    language). Raises ``InvalidTransition`` if they are already opted in."""
    return _consent_change(actor=actor, opt_in=True, client=client)


def actor_opt_out(*, actor: ActorProfile, client: ClientInfo | None = None) -> ConsentRecord:
    """Withdraw from the roster at once. Raises ``InvalidTransition`` if the
    actor is not opted in."""
    return _consent_change(actor=actor, opt_in=False, client=client)


def actor_verification_set(*, actor: ActorProfile, status: str) -> ActorProfile:
    """Record the outcome of identity verification and re-derive the listing.

    The moderation workplace (identity checks) calls this; so do the demo data.
    """
    status = VerificationStatus(status)
    with transaction.atomic():
        fields: dict[str, Any] = {
            "verification_status": status,
            "verified_at": timezone.now() if status == VerificationStatus.VERIFIED else None,
        }
        if status != VerificationStatus.VERIFIED:
            fields["is_listed"] = False  # in the same write, as the listing constraint requires
        ActorProfile.objects.filter(pk=actor.pk).update(**fields)
        actor.refresh_from_db(fields=["verification_status", "verified_at", "opted_in", "hidden_at"])
        actor_listing_refresh(actor=actor)
    return actor
