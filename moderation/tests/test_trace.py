"""/trace/ and ``manage.py trace_leak``: a found copy read back to its
delivery. An actor learns only about their own photos' deliveries, a
moderator about all; every attempt is audited; the actor opens a dispute
with the image as evidence from the result."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from PIL import Image

from actors.tests.factories import image_bytes
from marketplace.models import AuditEvent
from moderation.models import Dispute, DisputeEvidence
from moderation.tests.conftest import give_totp
from portal.demo.actors import portrait
from usage_requests.models import Contract, ContractStatus, Delivery
from usage_requests.tests.factories import active_contract, licensed_photo, open_actor

pytestmark = pytest.mark.django_db

TRACE = "/trace/"
NOT_FOUND = "No ConsentCast mark found"
NOT_FOUND_ZH = "未找到 ConsentCast 标记"  # other_actor reads the portal in Chinese


@pytest.fixture
def active(actor, creator) -> Contract:
    return active_contract(actor=open_actor(actor.actor_profile), creator=creator.creator_profile)


@pytest.fixture
def delivered(login, creator, active) -> bytes:
    """A copy the creator downloaded, as it leaked: recompressed at JPEG quality 70."""
    photo = licensed_photo(active.actor, seed=21)
    response = login(creator).get(f"/actors/photos/{photo.pk}/original/")
    login(creator).logout()
    return recompressed(b"".join(response.streaming_content))


def recompressed(data: bytes, quality: int = 70) -> bytes:
    buffer = io.BytesIO()
    Image.open(io.BytesIO(data)).convert("RGB").save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def found_file(data: bytes, name: str = "found.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def trace(client, data: bytes, **headers):
    return client.post(TRACE, {"image": found_file(data)}, **headers)


def text(response) -> str:
    return response.content.decode()


# --- Who may trace --------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(TRACE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_wrong_method_is_405(login, actor):
    assert login(actor).put(TRACE).status_code == 405
    assert login(actor).get("/trace/dispute/").status_code == 405


def test_a_creator_may_not_trace(login, creator):
    assert login(creator).get(TRACE).status_code == 403


def test_a_moderator_without_an_authenticator_app_sets_one_up_first(login, moderator):
    response = login(moderator).get(TRACE)
    assert response.status_code == 302
    assert "/totp/" in response["Location"]


def test_an_actor_opens_the_trace_page(login, actor):
    response = login(actor).get(TRACE)
    assert response.status_code == 200
    assert 'name="image"' in text(response)


def test_tracing_is_limited_per_hour(login, actor, monkeypatch):
    monkeypatch.setattr("moderation.views.trace.TRACES_PER_HOUR", 2)
    client = login(actor)
    assert [trace(client, portrait(94)).status_code for _ in range(3)] == [200, 200, 429]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LEAK_TRACED).count() == 2


# --- What a trace answers ------------------------------------------------------------


def test_an_actor_traces_a_recompressed_copy_to_its_delivery_and_licensee(login, actor, delivered, active):
    response = trace(login(actor), delivered)
    delivery = Delivery.objects.get()
    body = text(response)
    assert response.status_code == 200
    assert 'data-testid="trace-found"' in body
    assert delivery.watermark_id in body
    assert "Lumen Pictures" in body
    assert active.licence_code in body
    assert "Active" in body
    assert delivery.created_at.strftime("%Y") in body
    assert 'data-testid="trace-dispute"' in body


def test_the_answer_comes_in_chinese_too(login, actor, delivered, active):
    actor.preferred_language = "zh-hans"
    actor.save(update_fields=["preferred_language"])
    response = trace(login(actor), delivered)
    body = text(response)
    assert 'lang="zh-Hans"' in body
    assert Delivery.objects.get().watermark_id in body
    assert "Lumen Pictures" in body
    assert active.licence_code in body
    assert "生效中" in body  # the contract's verdict, in Chinese (issue 17: no longer the stored status "进行中")


def test_an_unmarked_photo_has_no_consentcast_mark(login, actor):
    response = trace(login(actor), portrait(99))
    assert response.status_code == 200
    assert NOT_FOUND in text(response)
    assert 'data-testid="trace-dispute"' not in text(response)


def test_another_actor_learns_nothing_from_a_copy_of_someone_elses_photo(login, other_actor, delivered):
    theirs = text(trace(login(other_actor), delivered))
    assert NOT_FOUND_ZH in theirs
    delivery = Delivery.objects.get()
    for secret in (delivery.watermark_id, "Lumen Pictures", delivery.contract.licence_code):
        assert secret not in theirs
    unmarked = text(trace(login(other_actor), portrait(98)))
    assert theirs.count(NOT_FOUND_ZH) == unmarked.count(NOT_FOUND_ZH)
    assert 'data-testid="trace-found"' not in theirs


def test_a_moderator_traces_any_delivery_and_sees_the_client(client, moderator, delivered):
    give_totp(moderator)
    client.force_login(moderator)
    body = text(trace(client, delivered))
    delivery = Delivery.objects.get()
    assert delivery.watermark_id in body
    assert f"/moderation/users/{delivery.licensee_id}/" in body
    assert 'data-testid="trace-dispute"' not in body


def test_an_untouched_copy_is_recognised_by_its_watermark_and_its_manifest(login, actor, creator, active):
    photo = licensed_photo(active.actor, seed=22)
    untouched = b"".join(login(creator).get(f"/actors/photos/{photo.pk}/original/").streaming_content)
    trace(login(actor), untouched)
    assert AuditEvent.objects.get(action=AuditEvent.Action.LEAK_TRACED).data["found_by"] == "watermark+manifest"


def test_a_copy_too_small_for_a_watermark_is_still_recognised_by_its_manifest(login, actor, creator, active):
    from actors.tests.factories import photo_for

    tiny = photo_for(active.actor, seed=23)
    copy = b"".join(login(creator).get(f"/actors/photos/{tiny.pk}/original/").streaming_content)
    body = text(trace(login(actor), copy))
    assert Delivery.objects.get().watermark_id in body
    assert AuditEvent.objects.get(action=AuditEvent.Action.LEAK_TRACED).data["found_by"] == "manifest"


def test_every_attempt_is_audited(login, actor, other_actor, delivered):
    trace(login(actor), delivered)
    trace(login(other_actor), delivered)
    trace(login(actor), portrait(97))
    events = list(AuditEvent.objects.filter(action=AuditEvent.Action.LEAK_TRACED).order_by("id"))
    assert [(event.actor, event.data["found"], event.data["shown"]) for event in events] == [
        (actor, True, True),
        (other_actor, True, False),
        (actor, False, False),
    ]
    assert events[0].target == f"usage_requests.delivery:{Delivery.objects.get().pk}"
    assert events[0].data["found_by"].startswith("watermark")


@pytest.mark.parametrize(
    ("data", "name"),
    [(b"<html>not an image</html>", "found.jpg"), (b"", "empty.jpg"), (image_bytes("GIF"), "found.gif")],
)
def test_a_file_that_is_not_an_accepted_image_is_a_400_and_traces_nothing(login, actor, data, name):
    response = login(actor).post(TRACE, {"image": SimpleUploadedFile(name, data)})
    assert response.status_code == 400
    assert 'data-testid="trace-errors"' in text(response)
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.LEAK_TRACED).exists()


def test_no_file_is_a_400(login, actor):
    assert login(actor).post(TRACE, {}).status_code == 400


def test_nothing_is_stored_by_a_trace(login, actor, delivered, settings):
    media = Path(settings.MEDIA_ROOT)
    before = {path for path in media.rglob("*") if path.is_file()}
    trace(login(actor), delivered)
    assert {path for path in media.rglob("*") if path.is_file()} == before
    assert not DisputeEvidence.objects.exists()


def test_htmx_gets_the_result_alone(login, actor, delivered):
    response = trace(login(actor), delivered, HTTP_HX_REQUEST="true")
    body = text(response)
    assert response.status_code == 200
    assert "<html" not in body
    assert 'data-testid="trace-found"' in body


def test_an_access_log_link_shows_the_actors_own_delivery(login, actor, other_actor, delivered):
    delivery = Delivery.objects.get()
    link = f"{TRACE}?delivery={delivery.watermark_id}"
    assert 'data-testid="linked-delivery"' in text(login(actor).get(link))
    theirs = text(login(other_actor).get(link))
    assert 'data-testid="linked-delivery"' not in theirs
    assert "Lumen Pictures" not in theirs


# --- A dispute from the result -----------------------------------------------------


def open_dispute(client, data: bytes, note: str = "Posted on a forum on 3 May."):
    return client.post("/trace/dispute/", {"image": found_file(data), "category": "beyond_shots", "note": note})


def test_the_actor_opens_a_dispute_with_the_image_as_evidence_in_one_step(login, actor, delivered, active):
    response = open_dispute(login(actor), delivered)
    dispute = Dispute.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/disputes/{dispute.pk}/"
    assert dispute.usage_request_id == active.request_id
    assert dispute.opened_by == actor
    assert Delivery.objects.get().watermark_id in dispute.description
    assert "Posted on a forum on 3 May." in dispute.description
    assert DisputeEvidence.objects.filter(dispute=dispute).count() == 1
    active.refresh_from_db()
    assert active.status == ContractStatus.SUSPENDED


def test_a_second_dispute_from_a_trace_adds_the_image_to_the_open_one(login, actor, delivered):
    client = login(actor)
    open_dispute(client, delivered)
    response = open_dispute(client, delivered)
    dispute = Dispute.objects.get()
    assert response["Location"] == f"/disputes/{dispute.pk}/"
    assert DisputeEvidence.objects.filter(dispute=dispute).count() == 2


def test_no_dispute_from_an_image_without_the_actors_mark(login, actor, other_actor, delivered):
    assert open_dispute(login(actor), portrait(96)).status_code == 400
    response = open_dispute(login(other_actor), delivered)
    assert response.status_code == 400
    assert "Lumen Pictures" not in text(response)
    assert not Dispute.objects.exists()


def test_a_dispute_needs_a_note(login, actor, delivered):
    assert open_dispute(login(actor), delivered, note="").status_code == 400
    assert not Dispute.objects.exists()


# --- The command -----------------------------------------------------------------------


def test_trace_leak_prints_the_licence_code_and_delivery_id_and_exits_0(tmp_path, delivered, active, capsys):
    found = tmp_path / "found.jpg"
    found.write_bytes(delivered)
    call_command("trace_leak", str(found))
    out = capsys.readouterr().out
    assert f"licence_code: {active.licence_code}" in out
    assert f"delivery_id: {Delivery.objects.get().watermark_id}" in out
    assert AuditEvent.objects.get(action=AuditEvent.Action.LEAK_TRACED).data["via"] == "command"


def test_trace_leak_exits_1_without_a_mark(tmp_path):
    found = tmp_path / "found.jpg"
    found.write_bytes(portrait(95))
    with pytest.raises(CommandError) as raised:
        call_command("trace_leak", str(found))
    assert raised.value.returncode == 1


@pytest.mark.parametrize("content", [None, b"not an image"])
def test_trace_leak_exits_2_when_the_file_is_unusable(tmp_path, content):
    found = tmp_path / "found.jpg"
    if content is not None:
        found.write_bytes(content)
    with pytest.raises(CommandError) as raised:
        call_command("trace_leak", str(found))
    assert raised.value.returncode == 2
