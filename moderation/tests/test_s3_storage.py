"""Dispute evidence, identity-check images and licensed originals on
S3-compatible object storage (moto's server on a loopback port,
marketplace/tests/s3.py): evidence and ID images are stored in the bucket
and answered as a presigned redirect after the same check and audit row;
a licensed original is still a fresh copy made per delivery and streamed."""

from urllib.parse import urlsplit

import pytest
from django.test import Client

from actors.tests.factories import image_upload
from marketplace.models import AuditEvent
from marketplace.tests.s3 import follow
from moderation.models import Dispute
from moderation.services.disputes import dispute_open
from moderation.services.verification import verification_start, verification_submit
from usage_requests.models import Delivery
from usage_requests.tests.factories import active_contract, licensed_photo, open_actor

pytestmark = [pytest.mark.s3, pytest.mark.django_db]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def redirected_to_bucket(response, bucket, key: str) -> bytes:
    """Follow the portal's 302 to the bucket; the bytes it answers."""
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == f"/{bucket.name}/{key}"
    assert "X-Amz-Signature=" in location.query
    fetched = follow(response["Location"])
    assert fetched.status == 200
    return fetched.body


@pytest.fixture
def contract(s3_bucket, actor, creator):
    return active_contract(actor=open_actor(actor.actor_profile), creator=creator.creator_profile)


def test_dispute_evidence_is_stored_in_the_bucket_and_fetched_through_the_redirect(
    contract, s3_bucket, actor, creator, moderator_client
):
    response = client_for(actor).post(
        f"/requests/{contract.request_id}/dispute/",
        {"category": "training", "description": "Trained on my face.", "evidence": [image_upload("s.png", "PNG")]},
    )
    assert response.status_code == 302
    dispute = Dispute.objects.get(usage_request=contract.request)
    evidence = dispute.evidence.get()
    stored = s3_bucket.assert_holds(evidence.image.name)
    path = f"/disputes/{dispute.pk}/evidence/{evidence.pk}/"
    assert redirected_to_bucket(client_for(creator).get(path), s3_bucket, evidence.image.name) == stored
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EVIDENCE_VIEWED).exists()
    assert redirected_to_bucket(moderator_client.get(path), s3_bucket, evidence.image.name) == stored
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EVIDENCE_VIEWED).count() == 1


def test_an_outsider_gets_no_url_to_the_evidence(contract, s3_bucket, actor, other_creator):
    dispute = dispute_open(
        usage_request=contract.request,
        by=actor,
        category="training",
        description="Trained on my face.",
        evidence=[image_upload("s.jpg")],
    )
    evidence = dispute.evidence.get()
    response = client_for(other_creator).get(f"/disputes/{dispute.pk}/evidence/{evidence.pk}/")
    assert response.status_code == 404
    assert "Location" not in response


def test_identity_images_are_in_the_bucket_and_a_moderators_view_is_audited(
    s3_bucket, actor, mfa_moderator, moderator_client
):
    attempt = verification_submit(
        verification=verification_start(actor=actor.actor_profile),
        id_document=image_upload("passport.jpg", seed=11),
        selfie=image_upload("selfie.png", fmt="PNG", seed=12),
    )
    for which in ("id_document", "selfie"):
        key = getattr(attempt, which).name
        stored = s3_bucket.assert_holds(key)
        response = moderator_client.get(f"/moderation/verifications/{attempt.pk}/{which}/")
        assert redirected_to_bucket(response, s3_bucket, key) == stored
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VERIFICATION_IMAGE_VIEWED).count() == 2


def test_a_licensed_original_is_made_fresh_from_the_bucket_and_streamed(contract, s3_bucket, creator):
    photo = licensed_photo(contract.actor, seed=3)
    stored = s3_bucket.assert_holds(photo.original.name)
    response = client_for(creator).get(f"/actors/photos/{photo.pk}/original/")
    assert response.status_code == 200  # streamed: the copy exists nowhere else
    delivered = b"".join(response.streaming_content)
    assert delivered[:2] == b"\xff\xd8"
    assert delivered != stored
    assert Delivery.objects.filter(photo=photo).count() == 1
    assert s3_bucket.keys() == {photo.original.name, photo.thumbnail.name, photo.preview.name}
