"""Storage that refuses to write, on dispute evidence and the identity
check: a clear "nothing was saved" (503), no row, no file."""

from pathlib import Path

import pytest

from actors.models import ActorProfile, VerificationStatus
from actors.tests.factories import image_upload
from marketplace.tests.storage import STORAGE_REFUSED, refuse_writes
from moderation.models import Dispute, DisputeEvidence, IdentityVerification, VerificationState
from moderation.services.disputes import dispute_open
from moderation.tests.test_disputes import client_for
from usage_requests.tests.factories import active_contract, open_actor

pytestmark = pytest.mark.django_db


def files_under(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


@pytest.fixture
def contract(actor, creator):
    return active_contract(actor=open_actor(actor.actor_profile), creator=creator.creator_profile)


def test_dispute_whose_evidence_storage_refuses_is_not_opened(contract, actor, media_root, monkeypatch):
    refuse_writes(monkeypatch, after=1)
    response = client_for(actor).post(
        f"/requests/{contract.request_id}/dispute/",
        {
            "category": "training",
            "description": "They trained a model on my face.",
            "evidence": [image_upload("one.png", "PNG", seed=1), image_upload("two.png", "PNG", seed=2)],
        },
    )
    assert response.status_code == 503
    assert STORAGE_REFUSED in response.content.decode()
    assert not Dispute.objects.exists()
    assert not DisputeEvidence.objects.exists()
    assert files_under(media_root) == []


def test_evidence_storage_refuses_is_503_and_adds_nothing(contract, actor, creator, media_root, monkeypatch):
    dispute = dispute_open(usage_request=contract.request, by=actor, category="other", description="See above.")
    refuse_writes(monkeypatch)
    response = client_for(creator).post(f"/disputes/{dispute.pk}/evidence/", {"evidence": [image_upload()]})
    assert response.status_code == 503
    assert STORAGE_REFUSED in response.content.decode()
    assert not DisputeEvidence.objects.exists()
    assert not dispute.events.filter(kind="evidence").exists()
    assert files_under(media_root) == []


def test_identity_check_whose_storage_refuses_stays_waiting_for_its_photos(login, actor, media_root, monkeypatch):
    client = login(actor)
    client.get("/actors/me/verify/")
    refuse_writes(monkeypatch, after=1)
    response = client.post(
        "/actors/me/verify/", {"id_document": image_upload(seed=1), "selfie": image_upload("me.webp", "WEBP", seed=2)}
    )
    assert response.status_code == 503
    assert STORAGE_REFUSED in response.content.decode()
    attempt = IdentityVerification.objects.get(actor__user=actor)
    assert attempt.status == VerificationState.STARTED
    assert not attempt.id_document
    assert not attempt.selfie
    assert ActorProfile.objects.get(user=actor).verification_status == VerificationStatus.UNVERIFIED
    assert files_under(media_root) == []
