"""Identity verification, end to end: the actor's code and photos, the
moderators' queue, the private images (audited per view), the decision, and
the deletion of the images once the retention period has passed."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actors.models import ActorProfile, VerificationStatus
from actors.tests.factories import ActorProfileFactory, image_bytes, image_upload, photo_for, upload_of
from conftest import make_user
from marketplace.exceptions import DomainError, InvalidTransition
from marketplace.models import AuditEvent, Notification
from marketplace.schedule import BEAT_SCHEDULE
from moderation import notifications as kinds
from moderation.models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    VERIFICATION_IMAGE_RETENTION_DAYS,
    Claim,
    IdentityVerification,
    VerificationState,
)
from moderation.services import item_claim
from moderation.services import verification as verification_services
from moderation.services.verification import (
    verification_approve,
    verification_images_purge_due,
    verification_reject,
    verification_start,
    verification_submit,
)
from moderation.tasks import purge_verification_images
from tests.race import race

pytestmark = pytest.mark.django_db

ACTOR_PAGE = "/actors/me/verify/"
QUEUE = "/moderation/verifications/"
NOT_AN_IMAGE = "This is not a JPEG, PNG or WebP image. Only those three formats are accepted."
DAMAGED = "The image is damaged or incomplete and cannot be read. Please export it again and retry."


@pytest.fixture
def stored_files(stored_files):
    """The root conftest's ``stored_files``, under moderation/ (where identity images go) unless told."""
    return lambda under="moderation": stored_files(under)


def profile_of(user) -> ActorProfile:
    return ActorProfile.objects.get(user=user)


def submitted_for(profile: ActorProfile) -> IdentityVerification:
    attempt = verification_start(actor=profile)
    return verification_submit(
        verification=attempt,
        id_document=image_upload("passport.jpg", seed=11),
        selfie=image_upload("selfie.png", fmt="PNG", seed=12),
    )


@pytest.fixture
def submitted(actor) -> IdentityVerification:
    return submitted_for(profile_of(actor))


def urls_of(verification: IdentityVerification) -> list[tuple[str, str]]:
    pk = verification.pk
    return [
        ("get", QUEUE),
        ("get", f"{QUEUE}{pk}/"),
        ("get", f"{QUEUE}{pk}/id_document/"),
        ("get", f"{QUEUE}{pk}/selfie/"),
        ("post", f"{QUEUE}{pk}/decide/"),
    ]


def decide(client, verification, decision: str, reason: str = ""):
    return client.post(f"{QUEUE}{verification.pk}/decide/", {"decision": decision, "reason": reason})


# --- Starting: the one-time code ---------------------------------------------------


def test_start_gives_a_code_and_reuses_the_open_attempt(actor):
    first = verification_start(actor=profile_of(actor))
    assert first.status == VerificationState.STARTED
    assert len(first.code) == CODE_LENGTH
    assert set(first.code) <= set(CODE_ALPHABET)
    again = verification_start(actor=profile_of(actor))
    assert again.pk == first.pk
    assert again.code == first.code
    assert IdentityVerification.objects.count() == 1


def test_start_reuses_a_submitted_attempt(submitted, actor):
    assert verification_start(actor=profile_of(actor)).pk == submitted.pk


def test_two_starts_at_once_end_with_one_attempt(actor, monkeypatch):
    existing = verification_start(actor=profile_of(actor))
    real = verification_services._open_attempt
    calls = []

    def blind_first_read(profile):
        # The first read misses the row another request has just created.
        calls.append(profile)
        return None if len(calls) == 1 else real(profile)

    monkeypatch.setattr(verification_services, "_open_attempt", blind_first_read)
    assert verification_start(actor=profile_of(actor)).pk == existing.pk
    assert IdentityVerification.objects.count() == 1


def test_database_allows_one_open_attempt_per_actor(actor):
    verification_start(actor=profile_of(actor))
    with pytest.raises(IntegrityError):
        IdentityVerification.objects.create(actor=profile_of(actor), code="ABCDEF")


def test_verified_actor_cannot_start(actor):
    ActorProfile.objects.filter(user=actor).update(verification_status=VerificationStatus.VERIFIED)
    with pytest.raises(InvalidTransition):
        verification_start(actor=profile_of(actor))
    assert not IdentityVerification.objects.exists()


def test_actor_page_shows_the_code_and_instructions(login, actor):
    response = login(actor).get(ACTOR_PAGE)
    assert response.status_code == 200
    attempt = IdentityVerification.objects.get(actor__user=actor)
    page = response.content.decode()
    assert attempt.code in page
    assert "write this code on paper and hold it next to your face in the selfie" in page.lower()
    assert 'enctype="multipart/form-data"' in page
    # Opening the page again shows the same code.
    assert attempt.code in login(actor).get(ACTOR_PAGE).content.decode()
    assert IdentityVerification.objects.count() == 1


def test_verified_actor_page_shows_status_and_starts_nothing(login, actor):
    ActorProfile.objects.filter(user=actor).update(verification_status=VerificationStatus.VERIFIED)
    response = login(actor).get(ACTOR_PAGE)
    assert response.status_code == 200
    assert "A moderator has confirmed your identity" in response.content.decode()
    assert not IdentityVerification.objects.exists()


def test_creator_without_actor_profile_is_refused_the_actor_page(login, creator):
    assert login(creator).get(ACTOR_PAGE).status_code == 403
    assert not IdentityVerification.objects.exists()


# --- Submitting the photos ----------------------------------------------------------


def test_valid_photos_are_stored_and_the_actor_is_pending(login, actor, stored_files):
    client = login(actor)
    client.get(ACTOR_PAGE)
    response = client.post(
        ACTOR_PAGE,
        {"id_document": image_upload("../../passport.jpg", seed=1), "selfie": image_upload("me.webp", "WEBP", seed=2)},
    )
    assert response.status_code == 302
    attempt = IdentityVerification.objects.get(actor__user=actor)
    assert attempt.status == VerificationState.SUBMITTED
    assert attempt.submitted_at is not None
    assert profile_of(actor).verification_status == VerificationStatus.PENDING
    folder = f"moderation/verification/{attempt.actor_id}/"
    assert attempt.id_document.name.startswith(folder)
    assert attempt.id_document.name.endswith(".jpg")
    assert attempt.selfie.name.startswith(folder)
    assert attempt.selfie.name.endswith(".webp")
    assert "passport" not in attempt.id_document.name
    assert stored_files() == {attempt.id_document.name, attempt.selfie.name}
    page = client.get(ACTOR_PAGE).content.decode()
    assert "A moderator is reviewing them" in page


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("id.jpg", b"<html><body><script>alert(1)</script></body></html>", NOT_AN_IMAGE),
        ("id.png", image_bytes("PNG", size=(400, 300), seed=5)[:300], DAMAGED),
    ],
    ids=["html-named-jpg", "truncated-png"],
)
def test_bad_file_is_refused_and_nothing_is_stored(login, actor, stored_files, name, data, message):
    client = login(actor)
    client.get(ACTOR_PAGE)
    response = client.post(
        ACTOR_PAGE, {"id_document": upload_of(name, data), "selfie": image_upload("selfie.jpg", seed=3)}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    attempt = IdentityVerification.objects.get(actor__user=actor)
    assert attempt.status == VerificationState.STARTED
    assert not attempt.id_document
    assert not attempt.selfie
    assert profile_of(actor).verification_status == VerificationStatus.UNVERIFIED
    assert stored_files() == set()


def test_missing_selfie_is_refused_with_a_clear_message(login, actor, stored_files):
    client = login(actor)
    client.get(ACTOR_PAGE)
    response = client.post(ACTOR_PAGE, {"id_document": image_upload(seed=4)})
    assert response.status_code == 400
    assert "Choose your selfie with the code on paper next to your face." in response.content.decode()
    assert stored_files() == set()


def test_service_names_the_bad_file(actor):
    attempt = verification_start(actor=profile_of(actor))
    with pytest.raises(ValidationError) as raised:
        verification_submit(
            verification=attempt,
            id_document=image_upload(seed=5),
            selfie=upload_of("selfie.jpg", b"GIF89a not really"),
        )
    assert raised.value.message_dict == {"selfie": [NOT_AN_IMAGE]}


def test_files_written_before_a_failure_are_deleted(actor, stored_files, monkeypatch):
    attempt = verification_start(actor=profile_of(actor))

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(verification_services, "actor_verification_set", broken)
    with pytest.raises(RuntimeError):
        verification_submit(verification=attempt, id_document=image_upload(seed=6), selfie=image_upload(seed=7))
    attempt.refresh_from_db()
    assert attempt.status == VerificationState.STARTED
    assert stored_files() == set()


def test_submitting_twice_is_refused_and_stores_nothing_more(submitted, stored_files):
    before = stored_files()
    stale = IdentityVerification.objects.get(pk=submitted.pk)
    stale.status = VerificationState.STARTED  # a second tab still showing the form
    with pytest.raises(InvalidTransition):
        verification_submit(verification=stale, id_document=image_upload(seed=8), selfie=image_upload(seed=9))
    assert stored_files() == before


# --- The moderators' pages: who gets in --------------------------------------------


@pytest.mark.parametrize("persona", ["anonymous", "actor", "creator"])
def test_outsiders_get_404_on_every_verification_url(client, request, submitted, persona):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    for method, url in urls_of(submitted):
        response = getattr(client, method)(url, {"decision": "approve"} if method == "post" else None)
        assert response.status_code == 404, url
    submitted.refresh_from_db()
    assert submitted.status == VerificationState.SUBMITTED
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.VERIFICATION_IMAGE_VIEWED).exists()


def test_moderator_without_totp_is_sent_to_set_it_up(client, moderator):
    client.force_login(moderator)
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/2fa/totp/activate/")


def test_wrong_methods_are_405(moderator_client, submitted):
    assert moderator_client.post(QUEUE).status_code == 405
    assert moderator_client.post(f"{QUEUE}{submitted.pk}/").status_code == 405
    assert moderator_client.get(f"{QUEUE}{submitted.pk}/decide/").status_code == 405


def test_unknown_verification_is_404(moderator_client):
    assert moderator_client.get(f"{QUEUE}999999/").status_code == 404
    assert moderator_client.post(f"{QUEUE}999999/decide/", {"decision": "approve"}).status_code == 404


# --- The queue -----------------------------------------------------------------------


def test_queue_lists_submitted_checks_oldest_first_with_holder(moderator_client, other_moderator, actor, other_actor):
    older = submitted_for(profile_of(other_actor))
    newer = submitted_for(profile_of(actor))
    IdentityVerification.objects.filter(pk=older.pk).update(submitted_at=timezone.now() - timedelta(days=2))
    item_claim(item=older, moderator=other_moderator)
    ActorProfileFactory()  # an actor who never started: not in the queue
    response = moderator_client.get(QUEUE)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.index(f"{QUEUE}{older.pk}/") < page.index(f"{QUEUE}{newer.pk}/")
    assert "2\xa0days" in page
    assert other_moderator.email in page


def _queue_items(count: int) -> None:
    for _ in range(count):
        IdentityVerification.objects.create(
            actor=ActorProfileFactory(),
            code="ABCDEF",
            status=VerificationState.SUBMITTED,
            submitted_at=timezone.now(),
        )


def test_queue_query_count_does_not_grow_with_rows(moderator_client, other_moderator, django_assert_max_num_queries):
    _queue_items(1)
    item_claim(item=IdentityVerification.objects.first(), moderator=other_moderator)
    moderator_client.get(QUEUE)  # warm the content-type cache and the session
    with CaptureQueriesContext(connection) as one:
        assert moderator_client.get(QUEUE).status_code == 200
    _queue_items(9)
    for item in IdentityVerification.objects.order_by("-id")[:5]:
        item_claim(item=item, moderator=other_moderator)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = moderator_client.get(QUEUE)
    assert len(re.findall(rf'href="{QUEUE}\d+/"', response.content.decode())) == 10


# --- One item ------------------------------------------------------------------------


def test_item_page_shows_code_images_photos_and_claim_box(moderator_client, submitted, actor):
    ActorProfile.objects.filter(user=actor).update(legal_name="林晓雨")
    photo = photo_for(profile_of(actor), seed=40)
    response = moderator_client.get(f"{QUEUE}{submitted.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert submitted.code in page
    assert "Lin Xiaoyu" in page
    assert "林晓雨" in page
    assert f"{QUEUE}{submitted.pk}/id_document/" in page
    assert f"{QUEUE}{submitted.pk}/selfie/" in page
    assert f"/actors/photos/{photo.pk}/preview/?purpose=verification:{submitted.pk}" in page
    assert f"/moderation/claim/verification/{submitted.pk}/" in page
    assert f"{QUEUE}{submitted.pk}/decide/" in page


def test_moderator_can_open_the_actors_preview_for_this_check(moderator_client, submitted, actor):
    photo = photo_for(profile_of(actor), seed=41)
    response = moderator_client.get(f"/actors/photos/{photo.pk}/preview/?purpose=verification:{submitted.pk}")
    assert response.status_code == 200


@pytest.mark.parametrize("which", ["id_document", "selfie"])
def test_images_are_served_to_moderators_privately_and_audited(moderator_client, mfa_moderator, submitted, which):
    response = moderator_client.get(f"{QUEUE}{submitted.pk}/{which}/")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body == getattr(submitted, which).open("rb").read()
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] in ("image/jpeg", "image/png")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline;")
    assert f'filename="consentcast-verification-{submitted.pk}-{which}.' in disposition
    event = AuditEvent.objects.get(action=AuditEvent.Action.VERIFICATION_IMAGE_VIEWED)
    assert event.actor == mfa_moderator
    assert event.target == f"moderation.identityverification:{submitted.pk}"
    assert event.data["image"] == which


def test_each_view_of_an_image_is_audited(moderator_client, submitted):
    for _ in range(3):
        moderator_client.get(f"{QUEUE}{submitted.pk}/selfie/")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VERIFICATION_IMAGE_VIEWED).count() == 3


@pytest.mark.parametrize("which", ["passport", "code", "ID_DOCUMENT", "reason"])
def test_unknown_image_is_404(moderator_client, submitted, which):
    assert moderator_client.get(f"{QUEUE}{submitted.pk}/{which}/").status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.VERIFICATION_IMAGE_VIEWED).exists()


def test_image_not_sent_yet_is_404(moderator_client, actor):
    attempt = verification_start(actor=profile_of(actor))
    assert moderator_client.get(f"{QUEUE}{attempt.pk}/selfie/").status_code == 404


def test_image_missing_from_storage_is_404_not_500(moderator_client, submitted):
    default_storage.delete(submitted.selfie.name)
    assert moderator_client.get(f"{QUEUE}{submitted.pk}/selfie/").status_code == 404


# --- Deciding ------------------------------------------------------------------------


def test_approving_verifies_lists_notifies_and_audits(moderator_client, mfa_moderator, submitted, actor):
    ActorProfile.objects.filter(user=actor).update(opted_in=True)
    item_claim(item=submitted, moderator=mfa_moderator)
    response = decide(moderator_client, submitted, "approve")
    assert response.status_code == 302
    assert response.url == QUEUE
    submitted.refresh_from_db()
    assert submitted.status == VerificationState.APPROVED
    assert submitted.decided_by == mfa_moderator
    assert submitted.decided_at is not None
    profile = profile_of(actor)
    assert profile.verification_status == VerificationStatus.VERIFIED
    assert profile.is_listed
    assert Notification.objects.filter(recipient=actor, kind=kinds.VERIFICATION_APPROVED.key).count() == 1
    event = AuditEvent.objects.get(action=AuditEvent.Action.VERIFICATION_APPROVED)
    assert event.actor == mfa_moderator
    assert event.target == f"moderation.identityverification:{submitted.pk}"
    assert not Claim.objects.exists()


def test_approving_an_actor_who_has_not_opted_in_does_not_list(moderator_client, submitted, actor):
    decide(moderator_client, submitted, "approve")
    profile = profile_of(actor)
    assert profile.verification_status == VerificationStatus.VERIFIED
    assert not profile.is_listed


def test_rejecting_tells_the_actor_the_reason(moderator_client, mfa_moderator, submitted, actor, login):
    response = decide(moderator_client, submitted, "reject", "  The code on the paper is not readable.  ")
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == VerificationState.REJECTED
    assert submitted.reason == "The code on the paper is not readable."
    assert profile_of(actor).verification_status == VerificationStatus.REJECTED
    notification = Notification.objects.get(recipient=actor, kind=kinds.VERIFICATION_REJECTED.key)
    assert notification.params == {"reason": "The code on the paper is not readable."}
    event = AuditEvent.objects.get(action=AuditEvent.Action.VERIFICATION_REJECTED)
    assert event.actor == mfa_moderator
    assert event.data["reason"] == "The code on the paper is not readable."
    # The actor sees the reason and a new code to try again with.
    page = login(actor).get(ACTOR_PAGE).content.decode()
    assert "The code on the paper is not readable." in page
    fresh = IdentityVerification.objects.get(actor__user=actor, status=VerificationState.STARTED)
    assert fresh.code in page


@pytest.mark.parametrize("reason", ["", "   "])
def test_rejecting_without_a_reason_is_refused(moderator_client, submitted, actor, reason):
    response = decide(moderator_client, submitted, "reject", reason)
    assert response.status_code == 400
    assert "Write the reason: the actor is told it." in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == VerificationState.SUBMITTED
    assert profile_of(actor).verification_status == VerificationStatus.PENDING
    assert not Notification.objects.filter(recipient=actor).exists()


def test_service_refuses_an_empty_or_too_long_reason(submitted, mfa_moderator):
    with pytest.raises(DomainError):
        verification_reject(verification=submitted, by=mfa_moderator, reason=" ")
    with pytest.raises(DomainError):
        verification_reject(verification=submitted, by=mfa_moderator, reason="x" * 1001)
    submitted.refresh_from_db()
    assert submitted.status == VerificationState.SUBMITTED


def test_unknown_decision_is_400(moderator_client, submitted):
    assert decide(moderator_client, submitted, "maybe").status_code == 400
    submitted.refresh_from_db()
    assert submitted.status == VerificationState.SUBMITTED


@pytest.mark.parametrize("first", ["approve", "reject"])
@pytest.mark.parametrize("second", ["approve", "reject"])
def test_deciding_a_decided_check_is_409_and_changes_nothing(
    moderator_client, other_moderator, submitted, actor, first, second
):
    if first == "approve":
        verification_approve(verification=submitted, by=other_moderator)
    else:
        verification_reject(verification=submitted, by=other_moderator, reason="Blurry.")
    before = IdentityVerification.objects.values().get(pk=submitted.pk)
    status_before = profile_of(actor).verification_status
    response = decide(moderator_client, submitted, second, "Another reason.")
    assert response.status_code == 409
    assert "already decided" in response.content.decode()
    assert IdentityVerification.objects.values().get(pk=submitted.pk) == before
    assert profile_of(actor).verification_status == status_before
    assert AuditEvent.objects.filter(action__startswith="moderation.verification_").count() == 1


def test_check_held_by_another_moderator_cannot_be_decided(moderator_client, other_moderator, submitted):
    item_claim(item=submitted, moderator=other_moderator)
    response = decide(moderator_client, submitted, "approve")
    assert response.status_code == 409
    assert other_moderator.email in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == VerificationState.SUBMITTED


def test_a_check_still_waiting_for_photos_cannot_be_decided(moderator_client, actor):
    attempt = verification_start(actor=profile_of(actor))
    assert decide(moderator_client, attempt, "approve").status_code == 409
    attempt.refresh_from_db()
    assert attempt.status == VerificationState.STARTED


def test_moderator_cannot_decide_their_own_check(mfa_moderator):
    own = ActorProfileFactory(user=mfa_moderator)
    attempt = submitted_for(own)
    with pytest.raises(InvalidTransition):
        verification_approve(verification=attempt, by=mfa_moderator)
    attempt.refresh_from_db()
    assert attempt.status == VerificationState.SUBMITTED


def test_decided_item_page_is_read_only(moderator_client, other_moderator, submitted):
    verification_reject(verification=submitted, by=other_moderator, reason="The ID document has expired.")
    page = moderator_client.get(f"{QUEUE}{submitted.pk}/").content.decode()
    assert "The ID document has expired." in page
    assert other_moderator.email in page
    assert f"{QUEUE}{submitted.pk}/decide/" not in page


# --- Deleting the images -------------------------------------------------------------


def test_images_are_purged_after_the_retention_period(
    submitted, other_moderator, stored_files, moderator_client, django_capture_on_commit_callbacks
):
    names = {submitted.id_document.name, submitted.selfie.name}
    decided_at = timezone.now()
    with time_machine.travel(decided_at, tick=False):
        verification_approve(verification=submitted, by=other_moderator)
    days = VERIFICATION_IMAGE_RETENTION_DAYS

    with (
        time_machine.travel(decided_at + timedelta(days=days - 1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert verification_images_purge_due() == 0
    assert stored_files() == names

    with time_machine.travel(decided_at + timedelta(days=days + 1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert verification_images_purge_due() == 1
        with django_capture_on_commit_callbacks(execute=True):
            assert verification_images_purge_due() == 0
    assert stored_files() == set()
    submitted.refresh_from_db()
    assert submitted.images_deleted_at is not None
    assert not submitted.id_document
    assert not submitted.selfie
    assert moderator_client.get(f"{QUEUE}{submitted.pk}/selfie/").status_code == 404
    assert "The images were deleted on" in moderator_client.get(f"{QUEUE}{submitted.pk}/").content.decode()


def test_purge_leaves_undecided_checks_alone(submitted, stored_files, django_capture_on_commit_callbacks):
    with (
        time_machine.travel(timezone.now() + timedelta(days=365), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert verification_images_purge_due() == 0
    assert len(stored_files()) == 2


def test_purge_works_in_chunks(actor, other_actor, other_moderator, stored_files, django_capture_on_commit_callbacks):
    for user in (actor, other_actor):
        verification_reject(verification=submitted_for(profile_of(user)), by=other_moderator, reason="Blurry.")
    later = timezone.now() + timedelta(days=VERIFICATION_IMAGE_RETENTION_DAYS + 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert verification_images_purge_due(now=later, chunk=1) == 2
    assert stored_files() == set()


def test_purge_task_has_a_stable_name_and_a_schedule(submitted, other_moderator):
    assert purge_verification_images.name == "moderation.purge_verification_images"
    assert any(entry["task"] == purge_verification_images.name for entry in BEAT_SCHEDULE.values())
    verification_approve(verification=submitted, by=other_moderator)
    with time_machine.travel(timezone.now() + timedelta(days=VERIFICATION_IMAGE_RETENTION_DAYS + 1), tick=False):
        assert purge_verification_images.apply().get() == 1


# --- Races (PostgreSQL, real threads) ------------------------------------------------

ITERATIONS = 3


@pytest.mark.parametrize("_", range(ITERATIONS))
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_starts_at_once_make_one_attempt(_):
    profile = ActorProfileFactory()
    outcomes = race(lambda: verification_start(actor=profile), lambda: verification_start(actor=profile))
    assert [kind for kind, _result in outcomes] == ["ok", "ok"]
    assert outcomes[0][1].pk == outcomes[1][1].pk
    assert IdentityVerification.objects.filter(actor=profile).count() == 1


@pytest.mark.parametrize("_", range(ITERATIONS))
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_approve_and_reject_at_once_make_one_decision(_):
    first, second = make_user(f"mod.a.{_}@example.com"), make_user(f"mod.b.{_}@example.com")
    attempt = submitted_for(ActorProfileFactory())
    outcomes = race(
        lambda: verification_approve(verification=IdentityVerification.objects.get(pk=attempt.pk), by=first),
        lambda: verification_reject(
            verification=IdentityVerification.objects.get(pk=attempt.pk), by=second, reason="Blurry."
        ),
    )
    kinds_seen = sorted(kind for kind, _result in outcomes)
    assert kinds_seen == ["error", "ok"]
    assert all(isinstance(result, InvalidTransition) for kind, result in outcomes if kind == "error")
    attempt.refresh_from_db()
    expected = (
        VerificationStatus.VERIFIED if attempt.status == VerificationState.APPROVED else VerificationStatus.REJECTED
    )
    assert attempt.actor.verification_status == expected
    assert (
        AuditEvent.objects.filter(
            action__startswith="moderation.verification_", target__endswith=f":{attempt.pk}"
        ).count()
        == 1
    )
    assert Notification.objects.filter(recipient=attempt.actor.user).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_purges_at_once_purge_each_attempt_once(stored_files, monkeypatch):
    judge = make_user("judge@example.com")
    for _ in range(4):
        verification_approve(verification=submitted_for(ActorProfileFactory()), by=judge)
    deleted: list[str] = []
    real_delete = default_storage.delete

    def recording_delete(name: str) -> None:
        deleted.append(name)
        real_delete(name)

    monkeypatch.setattr(default_storage, "delete", recording_delete)
    later = timezone.now() + timedelta(days=VERIFICATION_IMAGE_RETENTION_DAYS + 1)
    outcomes = race(
        lambda: verification_images_purge_due(now=later, chunk=1),
        lambda: verification_images_purge_due(now=later, chunk=1),
    )
    assert [kind for kind, _result in outcomes] == ["ok", "ok"]
    assert sum(result for _kind, result in outcomes) == 4
    assert len(deleted) == len(set(deleted)) == 8
    assert stored_files() == set()
    assert not IdentityVerification.objects.filter(images_deleted_at__isnull=True).exists()
