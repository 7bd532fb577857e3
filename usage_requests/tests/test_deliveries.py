"""Deliveries: every licensed original a creator downloads (page or API) is a
fresh copy carrying its delivery id as a watermark, recorded with the
contract, the licensee and the client, linked from the actor's access log,
counted (never named) on the public licence; the actor chooses a visible
label when accepting."""

import csv
import io

import numpy as np
import pytest
from PIL import Image

from actors.hooks import OriginalDownload
from actors.models import AssetAccess
from actors.services import asset_access_record
from actors.tests.factories import photo_for
from marketplace import provenance, watermark
from marketplace.http import ClientInfo
from marketplace.licensed_copies import watermark_key, watermark_keys
from usage_requests.models import Contract, Delivery, RequestStatus
from usage_requests.services import contract_revoke, delivery_make
from usage_requests.tests.factories import (
    active_contract,
    decide_all,
    licensed_photo,
    open_actor,
    send_request,
)

pytestmark = pytest.mark.django_db

USER_AGENT = "LumenFetcher/2.1"


@pytest.fixture
def active(actor, creator) -> Contract:
    return active_contract(actor=open_actor(actor.actor_profile), creator=creator.creator_profile)


@pytest.fixture
def photo(active):
    return licensed_photo(active.actor, seed=3)


def original_url(photo) -> str:
    return f"/actors/photos/{photo.pk}/original/"


def download(client, photo) -> bytes:
    response = client.get(original_url(photo), HTTP_USER_AGENT=USER_AGENT, REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    return b"".join(response.streaming_content)


def stored(field) -> bytes:
    with field.storage.open(field.name, "rb") as handle:
        return handle.read()


def image_of(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def carried_id(data: bytes) -> str | None:
    payload = watermark.extract(image_of(data), watermark_key())
    return payload.hex() if payload is not None else None


def psnr(first: Image.Image, second: Image.Image) -> float:
    a = np.asarray(first.convert("RGB"), dtype=np.float64)
    b = np.asarray(second.convert("RGB"), dtype=np.float64)
    return float(10 * np.log10(255**2 / np.mean((a - b) ** 2)))


# --- The delivered copy ----------------------------------------------------------------


def test_each_page_download_is_a_new_delivery_whose_id_the_copy_carries(login, creator, active, photo):
    client = login(creator)
    first, second = download(client, photo), download(client, photo)

    deliveries = list(Delivery.objects.order_by("created_at", "id"))
    assert len(deliveries) == 2
    assert deliveries[0].delivery_id != deliveries[1].delivery_id
    assert carried_id(first) == deliveries[0].delivery_id
    assert carried_id(second) == deliveries[1].delivery_id
    delivery = deliveries[0]
    assert delivery.contract == active
    assert delivery.licensee == creator
    assert delivery.licensee_label == "Lumen Pictures"
    assert delivery.photo == photo
    assert delivery.channel == Delivery.Channel.PAGE
    assert (delivery.ip_address, delivery.user_agent) == ("203.0.113.9", USER_AGENT)
    assert delivery.watermarked
    assert not delivery.visible_label


def test_the_access_log_row_of_a_download_is_linked_to_its_delivery(login, creator, active, photo):
    download(login(creator), photo)
    access = AssetAccess.objects.get(photo=photo, kind="original", outcome=AssetAccess.Outcome.GRANTED)
    assert access.purpose == active.licence_code
    assert Delivery.objects.get().access == access


def test_an_api_download_is_a_delivery_marked_with_its_id(api_as, creator, active, photo):
    data = download(api_as(creator), photo)
    delivery = Delivery.objects.get()
    assert delivery.channel == Delivery.Channel.API
    assert delivery.licensee == creator
    assert carried_id(data) == delivery.delivery_id


def test_the_copy_is_the_original_at_jpeg_quality_95_with_an_invisible_mark(login, creator, photo):
    data = download(login(creator), photo)
    copy, original = image_of(data), image_of(stored(photo.original))
    assert data != stored(photo.original)
    assert copy.format == "JPEG"
    assert copy.size == original.size
    assert psnr(original, copy) >= 38


def test_a_png_original_is_delivered_as_a_marked_png(login, creator, active):
    photo = licensed_photo(active.actor, seed=4, fmt="PNG")
    response = login(creator).get(original_url(photo))
    data = b"".join(response.streaming_content)
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].endswith('.png"')
    assert carried_id(data) == Delivery.objects.get().delivery_id


def test_the_mark_survives_jpeg_quality_70(login, creator, photo):
    data = download(login(creator), photo)
    buffer = io.BytesIO()
    image_of(data).save(buffer, format="JPEG", quality=70)
    assert carried_id(buffer.getvalue()) == Delivery.objects.get().delivery_id


def test_the_watermark_key_comes_from_the_secret_key_and_its_fallbacks(settings):
    settings.SECRET_KEY = "now"
    settings.SECRET_KEY_FALLBACKS = ["before"]
    assert watermark_keys() == [watermark_key("now"), watermark_key("before")]
    assert watermark_key("now") != watermark_key("before")
    assert len(watermark_key()) == 32


def test_a_copy_delivered_before_a_key_rotation_is_still_read(settings, login, creator, photo):
    from marketplace.licensed_copies import marks_in

    data = download(login(creator), photo)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "rotated-key"
    assert marks_in(data).delivery_id == bytes.fromhex(Delivery.objects.get().delivery_id)


def test_an_original_too_small_for_a_mark_is_delivered_and_recorded_unmarked(login, creator, active):
    tiny = photo_for(active.actor, seed=5)
    download(login(creator), tiny)
    assert Delivery.objects.get().watermarked is False


def test_no_delivery_when_the_licence_ended_after_the_access_check(actor, creator, active, photo):
    access = asset_access_record(
        photo=photo, viewer=creator, viewer_role="creator", kind="original", granted=True, purpose=active.licence_code
    )
    contract_revoke(contract=active, user=actor, reason="Ended")
    download_request = OriginalDownload(
        photo=photo,
        licensee=creator,
        licence_code=active.licence_code,
        access=access,
        client=ClientInfo(),
        channel="page",
    )
    assert delivery_make(download_request) is None
    assert not Delivery.objects.exists()


def test_owner_and_refused_downloads_are_no_deliveries(login, actor, other_creator, photo):
    assert login(actor).get(original_url(photo)).status_code == 200
    assert login(other_creator).get(original_url(photo)).status_code == 404
    assert not Delivery.objects.exists()


# --- Provenance -----------------------------------------------------------------------


def manifest_of(data: bytes, content_type: str = "image/jpeg") -> dict:
    facts = provenance.read(data, content_type)
    assert facts is not None, "no valid C2PA manifest"
    return facts


@pytest.mark.parametrize("channel", ["page", "api"])
def test_a_downloaded_copy_carries_a_c2pa_manifest_with_its_licence_and_no_training(
    login, api_as, creator, active, photo, channel
):
    client = login(creator) if channel == "page" else api_as(creator)
    data = download(client, photo)
    facts = manifest_of(data)
    delivery = Delivery.objects.get()
    assert facts["licence_code"] == active.licence_code
    assert facts["delivery_id"] == delivery.delivery_id
    assert facts["terms_hash"] == active.terms_hash
    assert facts["stage_name"] == "Lin Xiaoyu"
    assert facts["licensee"] == "Lumen Pictures"
    assert facts["verify_url"].endswith(f"/verify/{active.licence_code}/")
    assert facts["training_allowed"] is False
    assert set(facts["training"].values()) == {"notAllowed"}
    assert {"ai_training", "ai_generative_training", "data_mining"} <= facts["training"].keys()
    assert provenance.read_xmp(data)["data_mining"].endswith("DMI-PROHIBITED")


def test_a_licence_that_permits_training_says_so_within_its_term(login, actor, creator):
    profile = open_actor(actor.actor_profile, ai_training_allowed=True)
    contract = active_contract(actor=profile, creator=creator.creator_profile, ai_training=True)
    photo = licensed_photo(contract.actor, seed=6)
    facts = manifest_of(download(login(creator), photo))
    assert facts["training_allowed"] is True
    assert facts["training"]["ai_training"] == "allowed"
    assert facts["training"]["data_mining"] == "allowed"
    assert contract.licence_code in facts["training_constraint"]
    assert str(contract.term_end) in facts["training_constraint"]


def test_a_png_copy_carries_its_manifest_too(login, creator, active):
    photo = licensed_photo(active.actor, seed=7, fmt="PNG")
    data = b"".join(login(creator).get(original_url(photo)).streaming_content)
    assert manifest_of(data, "image/png")["delivery_id"] == Delivery.objects.get().delivery_id


# --- The visible label -----------------------------------------------------------------


def corner_difference(data: bytes, photo) -> float:
    """Mean absolute difference from the original in the bottom-right corner
    where the label goes (a tenth of each side)."""
    copy, original = image_of(data).convert("L"), image_of(stored(photo.original)).convert("L")
    width, height = copy.size
    box = (width - width // 3, height - height // 10, width, height)
    a = np.asarray(copy.crop(box), dtype=np.float64)
    b = np.asarray(original.crop(box), dtype=np.float64)
    return float(np.mean(np.abs(a - b)))


def test_the_visible_label_appears_only_when_the_actor_chose_it(login, creator, active, photo):
    client = login(creator)
    unlabelled = download(client, photo)
    Contract.objects.filter(pk=active.pk).update(visible_label=True)
    labelled = download(client, photo)

    assert corner_difference(unlabelled, photo) < 3
    assert corner_difference(labelled, photo) > 15
    first, second = Delivery.objects.order_by("created_at", "id")
    assert (first.visible_label, second.visible_label) == (False, True)
    assert carried_id(labelled) == second.delivery_id


def test_the_creator_is_told_on_the_contract_page_what_the_copies_carry(login, creator, active, photo):
    def assets() -> str:
        return login(creator).get(f"/contracts/{active.pk}/").content.decode()

    assert "invisible watermark naming that download" in assets()
    assert "small corner label" not in assets()
    Contract.objects.filter(pk=active.pk).update(visible_label=True)
    assert "small corner label" in assets()


@pytest.fixture
def pending(actor, creator):
    request = send_request(actor=open_actor(actor.actor_profile), creator=creator.creator_profile)
    decide_all(request)
    return request


@pytest.mark.parametrize(("ticked", "expected"), [({"visible_label": "on"}, True), ({}, False)])
def test_the_accept_form_stores_the_label_choice(login, actor, pending, ticked, expected):
    response = login(actor).post(f"/requests/{pending.pk}/accept/", {"terms_version": pending.terms_version, **ticked})
    assert response.status_code == 302
    assert Contract.objects.get(request=pending).visible_label is expected


def test_deciding_and_accepting_stores_the_label_choice(login, actor, pending):
    rows = {f"decision_{row.pk}": "approved" for row in pending.request_shots.all()}
    data = {"terms_version": pending.terms_version, "action": "accept", "visible_label": "on", **rows}
    assert login(actor).post(f"/requests/{pending.pk}/decide/", data).status_code == 302
    assert Contract.objects.get(request=pending).visible_label is True


def test_the_request_page_offers_the_label_choice_unticked(login, actor, pending):
    body = login(actor).get(f"/requests/{pending.pk}/").content.decode()
    assert body.count('name="visible_label"') == 2
    assert 'name="visible_label" value="on" id="visible-label-accept"' in body
    assert "checked" not in body.split('id="visible-label-accept"')[1].split(">")[0]


@pytest.mark.parametrize(("body", "expected"), [({"visible_label": True}, True), ({}, False)])
def test_the_api_accept_body_carries_the_label_choice(api_as, actor, pending, body, expected):
    response = api_as(actor).post(
        f"/api/v1/requests/{pending.pk}/accept", {"terms_version": pending.terms_version, **body}, format="json"
    )
    assert response.status_code == 200
    pending.refresh_from_db()
    assert pending.status == RequestStatus.ACCEPTED
    assert Contract.objects.get(request=pending).visible_label is expected


def test_a_non_boolean_label_choice_is_a_400_and_accepts_nothing(api_as, actor, pending):
    response = api_as(actor).post(
        f"/api/v1/requests/{pending.pk}/accept",
        {"terms_version": pending.terms_version, "visible_label": "sometimes"},
        format="json",
    )
    assert response.status_code == 400
    assert "visible_label" in response.json()
    assert not Contract.objects.filter(request=pending).exists()


# --- What the actor and the public see -------------------------------------------------------


def test_the_access_log_shows_each_delivery_with_its_watermark_id_and_a_trace_link(login, actor, creator, photo):
    download(login(creator), photo)
    delivery = Delivery.objects.get()
    body = login(actor).get("/actors/me/access/").content.decode()
    assert delivery.watermark_id in body
    assert f"/trace/?delivery={delivery.watermark_id}" in body


def test_the_access_log_csv_names_the_delivery_of_each_download(login, actor, creator, photo):
    download(login(creator), photo)
    login(creator).get(f"/actors/photos/{photo.pk}/preview/")
    response = login(actor).get("/actors/me/access.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8"))))
    assert rows[0][-1] == "delivery"
    by_asset = {row[3]: row[-1] for row in rows[1:]}
    assert by_asset == {"original": Delivery.objects.get().watermark_id, "preview": ""}


def test_another_actors_access_log_shows_no_delivery(login, other_actor, creator, photo):
    download(login(creator), photo)
    body = login(other_actor).get("/actors/me/access/").content.decode()
    assert Delivery.objects.get().watermark_id not in body


def test_the_public_licence_page_and_api_count_delivered_copies_never_who(client, login, creator, active, photo):
    client_of_creator = login(creator)
    download(client_of_creator, photo)
    download(client_of_creator, photo)
    client_of_creator.logout()
    delivery_ids = [d.watermark_id for d in Delivery.objects.all()]

    page = client.get(f"/verify/{active.licence_code}/").content.decode()
    assert "2 marked copies" in page
    api = client.get(f"/api/v1/licenses/{active.licence_code}/").json()
    assert api["delivered_copies"] == 2
    for text in (page, str(api)):
        assert not any(delivery_id in text for delivery_id in delivery_ids)
        assert "203.0.113.9" not in text
        assert USER_AGENT not in text


def test_the_schema_documents_the_count_and_the_label_choice(api_client):
    spec = api_client.get("/api/schema/?format=json").json()
    schemas = spec["components"]["schemas"]
    assert schemas["Licence"]["properties"]["delivered_copies"]["type"] == "integer"
    assert "delivered_copies" in schemas["Licence"]["required"]
    assert schemas["AcceptInputRequest"]["properties"]["visible_label"]["type"] == "boolean"
    assert schemas["Contract"]["properties"]["visible_label"]["type"] == "boolean"


def test_a_licence_with_no_download_counts_zero(client, active):
    assert client.get(f"/api/v1/licenses/{active.licence_code}/").json()["delivered_copies"] == 0
    assert "0 marked copies" in client.get(f"/verify/{active.licence_code}/").content.decode()
