"""Provenance of delivered copies (``marketplace.provenance``): the signed C2PA
manifest, read back with c2pa-python itself, and the XMP rights fields."""

import dataclasses
import datetime
import io
import shutil

import c2pa
import numpy as np
import pytest
from cryptography import x509
from django.core.exceptions import ImproperlyConfigured
from PIL import Image, PngImagePlugin

from marketplace import c2pa_signer, provenance

FACTS = provenance.LicenceFacts(
    stage_name="Lin Mei 林美",
    licence_code="CC-AB12-CD34-EF56",
    verify_url="https://consentcast.example/verify/CC-AB12-CD34-EF56/",
    terms_hash="9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    training_allowed=False,
    term_start=datetime.date(2026, 3, 1),
    term_end=datetime.date(2027, 2, 28),
    delivery_id="5f1c0e7a9b2d4c68",
    licensee="Northwind Studio",
)
# (format, Pillow save options, mode): WebP both ways, since lossless (VP8L, with alpha) is laid out differently.
FORMATS = [
    pytest.param("JPEG", {"quality": 90}, "RGB", id="jpeg"),
    pytest.param("PNG", {}, "RGB", id="png"),
    pytest.param("WEBP", {"quality": 90}, "RGB", id="webp"),
    pytest.param("WEBP", {"lossless": True}, "RGBA", id="webp-lossless-alpha"),
]
# Where the coded pixels start: the (only) start of scan, the image data chunk, the VP8/VP8L bitstream.
PIXEL_DATA = {"JPEG": b"\xff\xda", "PNG": b"IDAT", "WEBP": b"VP8"}


@pytest.fixture(autouse=True)
def dev_dir(settings, tmp_path):
    """No certificate configured: the development chain lives in a fresh directory per test."""
    settings.C2PA_SIGNING_CERT = settings.C2PA_SIGNING_KEY = settings.C2PA_TRUST_ANCHORS = ""
    settings.C2PA_SIGNING_ALG, settings.C2PA_TIMESTAMP_URL = "es256", ""
    settings.C2PA_DEV_DIR = tmp_path / "c2pa"
    return settings.C2PA_DEV_DIR


def _image(image_format: str, options: dict, mode: str = "RGB", **save) -> bytes:
    pixels = np.random.default_rng(7).integers(0, 256, (240, 320, len(mode)), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels, mode).save(buffer, image_format, **options, **save)
    return buffer.getvalue()


def _c2pa_read(data: bytes, image_format: str, anchors: str) -> tuple[str, dict]:
    """Validation state and active manifest as c2pa-python reports them, trusting ``anchors``."""
    settings = {"trust": {"trust_anchors": anchors}, "verify": {"remote_manifest_fetch": False}}
    with (
        c2pa.Context.from_dict(settings) as context,
        c2pa.Reader(provenance.CONTENT_TYPES[image_format], io.BytesIO(data), context=context) as reader,
    ):
        return reader.get_validation_state(), reader.get_active_manifest()


def _assertion(manifest: dict, label: str) -> dict:
    return next(item["data"] for item in manifest["assertions"] if item["label"] == label)


def _decoded(data: bytes) -> tuple[str, tuple[int, int], bytes]:
    with Image.open(io.BytesIO(data)) as image:
        return image.mode, image.size, image.tobytes()


@pytest.mark.parametrize(("image_format", "options", "mode"), FORMATS)
def test_stamped_copy_carries_licence_and_no_training_in_a_valid_c2pa_manifest(dev_dir, image_format, options, mode):
    copy = provenance.stamp(_image(image_format, options, mode), provenance.CONTENT_TYPES[image_format], FACTS)

    state, manifest = _c2pa_read(copy, image_format, (dev_dir / "root-ca.pem").read_text())
    assert state == "Trusted"
    licence = _assertion(manifest, "org.consentcast.licence")
    assert licence["stage_name"] == "Lin Mei 林美"
    assert licence["licence_code"] == "CC-AB12-CD34-EF56"
    assert licence["verify_url"] == "https://consentcast.example/verify/CC-AB12-CD34-EF56/"
    assert licence["terms_hash"] == FACTS.terms_hash
    assert licence["delivery_id"] == "5f1c0e7a9b2d4c68"
    entries = _assertion(manifest, "cawg.training-mining")["entries"]
    assert set(entries) == {"cawg.ai_training", "cawg.ai_generative_training", "cawg.data_mining", "cawg.ai_inference"}
    assert {entry["use"] for entry in entries.values()} == {"notAllowed"}


@pytest.mark.parametrize(("image_format", "options", "mode"), FORMATS)
def test_read_gives_back_the_facts_of_the_delivery(image_format, options, mode):
    copy = provenance.stamp(_image(image_format, options, mode), provenance.CONTENT_TYPES[image_format], FACTS)

    found = provenance.read(copy, provenance.CONTENT_TYPES[image_format])

    assert found is not None
    assert (found["licence_code"], found["verify_url"]) == (FACTS.licence_code, FACTS.verify_url)
    assert (found["terms_hash"], found["delivery_id"]) == (FACTS.terms_hash, FACTS.delivery_id)
    assert (found["stage_name"], found["licensee"]) == ("Lin Mei 林美", "Northwind Studio")
    assert (found["term_start"], found["term_end"]) == ("2026-03-01", "2027-02-28")
    assert found["training"] == dict.fromkeys(
        ("ai_training", "ai_generative_training", "data_mining", "ai_inference"), "notAllowed"
    )
    assert found["training_constraint"] is None


def test_contract_that_permits_training_says_allowed_within_the_licence_term(dev_dir):
    facts = dataclasses.replace(FACTS, training_allowed=True)
    copy = provenance.stamp(_image("JPEG", {}), "image/jpeg", facts)

    _, manifest = _c2pa_read(copy, "JPEG", (dev_dir / "root-ca.pem").read_text())
    entries = _assertion(manifest, "cawg.training-mining")["entries"]
    assert {entry["use"] for entry in entries.values()} == {"allowed"}
    for entry in entries.values():
        assert "2026-03-01 to 2027-02-28" in entry["constraint_info"]
        assert "Northwind Studio" in entry["constraint_info"]
        assert "CC-AB12-CD34-EF56" in entry["constraint_info"]
    found = provenance.read(copy, "image/jpeg")
    assert found is not None
    assert set(found["training"].values()) == {"allowed"}
    assert "2026-03-01 to 2027-02-28" in found["training_constraint"]


@pytest.mark.parametrize(("image_format", "options", "mode"), FORMATS)
def test_xmp_says_data_mining_prohibited_for_tools_that_ignore_c2pa(image_format, options, mode):
    copy = provenance.stamp(_image(image_format, options, mode), provenance.CONTENT_TYPES[image_format], FACTS)

    xmp = provenance.read_xmp(copy)

    assert xmp["data_mining"] == "http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED"
    assert xmp["iptc_data_mining"] == "http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED"
    for field in ("other_constraints", "usage_terms"):
        assert xmp[field].startswith("Not for AI training")
        assert "CC-AB12-CD34-EF56" in xmp[field]
        assert "https://consentcast.example/verify/CC-AB12-CD34-EF56/" in xmp[field]
    assert "CC-AB12-CD34-EF56" in xmp["rights"]
    assert xmp["web_statement"] == "https://consentcast.example/verify/CC-AB12-CD34-EF56/"
    assert xmp["person_in_image"] == ["Lin Mei 林美"]
    with Image.open(io.BytesIO(copy)) as image:  # a plain image library sees the same packet
        assert b"DMI-PROHIBITED" in image.info["xmp"]


def test_xmp_says_prohibited_except_as_licensed_when_training_is_licensed():
    facts = dataclasses.replace(FACTS, training_allowed=True)

    xmp = provenance.read_xmp(provenance.stamp(_image("PNG", {}), "image/png", facts))

    assert xmp["data_mining"] == "http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-SEECONSTRAINT"
    assert "except by Northwind Studio" in xmp["other_constraints"]
    assert "2026-03-01 to 2027-02-28" in xmp["other_constraints"]


@pytest.mark.parametrize(
    ("image_format", "save"),
    [
        pytest.param("JPEG", {"xmp": b"<x:xmpmeta xmlns:x='adobe:ns:meta/'>old</x:xmpmeta>"}, id="jpeg"),
        pytest.param("WEBP", {"xmp": b"<x:xmpmeta xmlns:x='adobe:ns:meta/'>old</x:xmpmeta>"}, id="webp"),
        pytest.param("PNG", {"pnginfo": PngImagePlugin.PngInfo()}, id="png"),
    ],
)
def test_xmp_already_in_the_original_is_replaced_not_doubled(image_format, save):
    if image_format == "PNG":
        save["pnginfo"].add_itxt("XML:com.adobe.xmp", "<x:xmpmeta xmlns:x='adobe:ns:meta/'>old</x:xmpmeta>")
    original = _image(image_format, {}, **save)
    assert b">old<" in original

    copy = provenance.stamp(original, provenance.CONTENT_TYPES[image_format], FACTS)

    assert b">old<" not in copy
    assert copy.count(b"<x:xmpmeta") == 1
    assert provenance.read_xmp(copy)["data_mining"].endswith("DMI-PROHIBITED")


@pytest.mark.parametrize(("image_format", "options", "mode"), FORMATS)
def test_stamping_changes_metadata_only(image_format, options, mode):
    original = _image(image_format, options, mode)

    copy = provenance.stamp(original, provenance.CONTENT_TYPES[image_format], FACTS)

    assert copy != original
    assert _decoded(copy) == _decoded(original)


@pytest.mark.parametrize(("image_format", "options", "mode"), FORMATS)
def test_copy_with_one_pixel_byte_changed_does_not_validate(dev_dir, image_format, options, mode):
    copy = provenance.stamp(_image(image_format, options, mode), provenance.CONTENT_TYPES[image_format], FACTS)
    at = copy.rindex(PIXEL_DATA[image_format]) + 64
    tampered = copy[:at] + bytes([copy[at] ^ 0x01]) + copy[at + 1 :]

    assert provenance.read(tampered, provenance.CONTENT_TYPES[image_format]) is None
    state, _ = _c2pa_read(tampered, image_format, (dev_dir / "root-ca.pem").read_text())
    assert state == "Invalid"


def test_manifest_signed_by_another_chain_names_no_delivery(settings, tmp_path):
    """Anyone can sign a manifest with our labels using a certificate of their own."""
    forged = provenance.stamp(_image("JPEG", {}), "image/jpeg", FACTS)
    settings.C2PA_DEV_DIR = tmp_path / "ours"

    assert provenance.read(forged, "image/jpeg") is None
    state, manifest = _c2pa_read(forged, "JPEG", (tmp_path / "c2pa" / "root-ca.pem").read_text())
    assert state == "Trusted"  # to its own chain: the signature itself is sound
    assert _assertion(manifest, "org.consentcast.licence")["delivery_id"] == FACTS.delivery_id


@pytest.mark.parametrize(
    "data",
    [_image("JPEG", {}), _image("PNG", {}), _image("WEBP", {}), b"", b"not an image at all"],
    ids=["jpeg", "png", "webp", "empty", "garbage"],
)
def test_file_without_a_mark_reads_none(data):
    assert provenance.read(data, "image/jpeg") is None
    assert provenance.read_xmp(data) == {}


def test_development_chain_is_made_on_first_use_and_reused(dev_dir):
    assert not dev_dir.exists()

    first = provenance.stamp(_image("JPEG", {}), "image/jpeg", FACTS)
    files = {path.name: path.read_bytes() for path in dev_dir.iterdir()}
    c2pa_signer._load_signer.cache_clear()  # as a new process would: read the chain from disk again
    second = provenance.stamp(_image("PNG", {}), "image/png", FACTS)

    assert set(files) == {"signer-chain.pem", "signer-key.pem", "root-ca.pem"}
    assert {path.name: path.read_bytes() for path in dev_dir.iterdir()} == files
    anchors = files["root-ca.pem"].decode()
    first_signer = _c2pa_read(first, "JPEG", anchors)[1]["signature_info"]
    assert first_signer == _c2pa_read(second, "PNG", anchors)[1]["signature_info"]
    signer, root = x509.load_pem_x509_certificates(files["signer-chain.pem"])
    assert first_signer["cert_serial_number"] == str(signer.serial_number)
    usages = signer.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert x509.ExtendedKeyUsageOID.EMAIL_PROTECTION in usages
    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_configured_certificate_is_used_and_no_development_chain_is_made(settings, tmp_path, dev_dir):
    provenance.stamp(_image("JPEG", {}), "image/jpeg", FACTS)
    configured = tmp_path / "production"
    shutil.copytree(dev_dir, configured)
    settings.C2PA_SIGNING_CERT = str(configured / "signer-chain.pem")
    settings.C2PA_SIGNING_KEY = str(configured / "signer-key.pem")
    settings.C2PA_DEV_DIR = tmp_path / "unused"

    copy = provenance.stamp(_image("WEBP", {}), "image/webp", FACTS)

    assert not (tmp_path / "unused").exists()
    signer = x509.load_pem_x509_certificates((configured / "signer-chain.pem").read_bytes())[0]
    _, manifest = _c2pa_read(copy, "WEBP", (configured / "root-ca.pem").read_text())
    assert manifest["signature_info"]["cert_serial_number"] == str(signer.serial_number)
    found = provenance.read(copy, "image/webp")
    assert found is not None
    assert found["delivery_id"] == FACTS.delivery_id


def test_configured_trust_anchors_decide_what_read_accepts(settings, tmp_path, dev_dir):
    copy = provenance.stamp(_image("JPEG", {}), "image/jpeg", FACTS)
    other = tmp_path / "other"
    settings.C2PA_DEV_DIR = other
    provenance.stamp(_image("JPEG", {}), "image/jpeg", FACTS)  # makes another chain, root and all

    settings.C2PA_TRUST_ANCHORS = str(other / "root-ca.pem")
    settings.C2PA_DEV_DIR = dev_dir
    assert provenance.read(copy, "image/jpeg") is None

    settings.C2PA_TRUST_ANCHORS = str(dev_dir / "root-ca.pem")
    found = provenance.read(copy, "image/jpeg")
    assert found is not None
    assert found["licence_code"] == FACTS.licence_code


@pytest.mark.parametrize(
    ("cert", "key", "alg"),
    [("signer-chain.pem", "", "es256"), ("", "signer-key.pem", "es256"), ("signer-chain.pem", "signer-key.pem", "md5")],
    ids=["cert-without-key", "key-without-cert", "unknown-algorithm"],
)
def test_half_configured_signer_is_refused(settings, dev_dir, cert, key, alg):
    provenance.stamp(_image("JPEG", {}), "image/jpeg", FACTS)
    settings.C2PA_SIGNING_CERT = str(dev_dir / cert) if cert else ""
    settings.C2PA_SIGNING_KEY = str(dev_dir / key) if key else ""
    settings.C2PA_SIGNING_ALG = alg

    with pytest.raises(ImproperlyConfigured):
        provenance.stamp(_image("JPEG", {}), "image/jpeg", FACTS)


def test_chain_file_without_its_ca_and_no_anchors_is_refused(settings, dev_dir, tmp_path):
    provenance.stamp(_image("JPEG", {}), "image/jpeg", FACTS)
    leaf_only = tmp_path / "leaf.pem"
    signer = x509.load_pem_x509_certificates((dev_dir / "signer-chain.pem").read_bytes())[0]
    leaf_only.write_bytes(signer.public_bytes(c2pa_signer.serialization.Encoding.PEM))
    settings.C2PA_SIGNING_CERT, settings.C2PA_SIGNING_KEY = str(leaf_only), str(dev_dir / "signer-key.pem")

    with pytest.raises(ImproperlyConfigured, match="C2PA_TRUST_ANCHORS"):
        provenance.stamp(_image("JPEG", {}), "image/jpeg", FACTS)


@pytest.mark.parametrize(
    ("data", "content_type"),
    [(_image("PNG", {}), "image/jpeg"), (b"GIF89a" + bytes(64), "image/gif"), (_image("JPEG", {}), "text/html")],
    ids=["png-called-jpeg", "gif", "jpeg-called-html"],
)
def test_stamp_refuses_what_is_not_the_jpeg_png_or_webp_it_claims(data, content_type):
    with pytest.raises(ValueError, match="JPEG, PNG or WebP"):
        provenance.stamp(data, content_type, FACTS)
