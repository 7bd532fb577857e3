"""Provenance that machines read: each delivered copy says whose likeness it is,
under which licence, and that it is not for AI training unless licensed.

``stamp()`` adds, metadata only (the coded pixels are copied as they are), an
XMP packet with IPTC/PLUS rights fields for tools that ignore C2PA, then a C2PA
manifest signed over those final bytes: the CAWG ``cawg.training-mining``
assertion and the ConsentCast facts (``org.consentcast.licence``). ``read()``
gives the facts back only from a manifest that validates and chains to our
trust anchors (anyone can sign a manifest with a certificate of their own);
``read_xmp()`` gives the XMP fields.

Signer: the PEM chain and key in ``C2PA_SIGNING_CERT``/``C2PA_SIGNING_KEY``
(``C2PA_SIGNING_ALG``; optional RFC 3161 time stamps from ``C2PA_TIMESTAMP_URL``),
or with neither set a development chain made on first use in ``C2PA_DEV_DIR``
(``var/c2pa/``, never committed). Trust anchors: ``C2PA_TRUST_ANCHORS``, else
the CA certificates after the signer in its chain file. Read once per process.
Kernel module: c2pa-python, cryptography, Pillow and settings; no project app.
"""

import datetime
import io
from dataclasses import asdict, dataclass, fields
from typing import Any
from xml.etree import ElementTree
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings

from marketplace import xmp

LICENCE_LABEL = "org.consentcast.licence"
TRAINING_LABEL = "cawg.training-mining"
TRAINING_ENTRIES = ("cawg.ai_training", "cawg.ai_generative_training", "cawg.data_mining", "cawg.ai_inference")
PLUS_VOCAB = "http://ns.useplus.org/ldf/vocab/"
DMI_PROHIBITED = PLUS_VOCAB + "DMI-PROHIBITED"
# "Prohibited, see plus:OtherConstraints": the licensee may, as the licence says; nobody else may.
DMI_PROHIBITED_SEE_CONSTRAINT = PLUS_VOCAB + "DMI-PROHIBITED-SEECONSTRAINT"
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


@dataclass(frozen=True)
class LicenceFacts:
    stage_name: str  # the actor's stage name
    licence_code: str  # e.g. "CC-AB12-CD34-EF56"
    verify_url: str  # absolute URL of /verify/<code>/
    terms_hash: str  # SHA-256 hex of the contract's canonical terms
    training_allowed: bool  # the contract permits AI training/fine-tuning
    term_start: datetime.date | None
    term_end: datetime.date | None
    delivery_id: str  # the delivery's random id (hex)
    licensee: str  # the creator's display name / studio


class ProvenanceError(Exception):
    """The C2PA library refused to sign (a bad certificate, key or image)."""


def stamp(image_bytes: bytes, content_type: str, facts: LicenceFacts) -> bytes:
    """The delivered copy: the same image with IPTC/XMP fields and a signed C2PA manifest.

    ``image_bytes`` is a JPEG, PNG or WebP whose format matches ``content_type``
    (``ValueError`` otherwise). Raises ``ImproperlyConfigured`` for a
    half-configured signer and ``ProvenanceError`` when signing fails.
    """
    image_format = xmp.sniff(image_bytes)
    if image_format is None or CONTENT_TYPES[image_format] != content_type.split(";")[0].strip().lower():
        raise ValueError(f"stamp() takes a JPEG, PNG or WebP matching its content type, not {content_type!r}")
    marked = xmp.with_packet(image_bytes, image_format, _xmp_packet(facts))
    # "edit": the original becomes the parent ingredient, opened and re-signed with our facts.
    return sign(marked, image_format, _manifest(facts), intent="edit")


def sign(image_bytes: bytes, image_format: str, manifest: dict[str, Any], *, intent: str | dict[str, str]) -> bytes:
    """``image_bytes`` (a JPEG, PNG or WebP of ``image_format``, metadata
    already in place) with ``manifest`` signed over it by our signer.
    ``intent`` is the C2PA builder intent: ``"edit"`` (the input becomes the
    parent ingredient) or ``{"create": <IPTC digital source type URI>}`` (a
    new asset, no parent). Raises ``ImproperlyConfigured`` for a
    half-configured signer and ``ProvenanceError`` when signing fails."""
    # Here, not at the top: cryptography's X.509 layer costs every process
    # about 2 MB until a copy is signed or read (marketplace.c2pa_signer).
    from marketplace.c2pa_signer import signer_material

    material = signer_material()
    import c2pa  # here, not at the top: its native library costs every process ~5 MB until a copy is made

    signer_info = c2pa.C2paSignerInfo(
        alg=material.alg.encode(),
        sign_cert=material.chain_pem,
        private_key=material.key_pem,
        ta_url=settings.C2PA_TIMESTAMP_URL.encode() or None,
    )
    build = {
        "builder": {"intent": intent, "thumbnail": {"enabled": False}},
        "verify": {"remote_manifest_fetch": False},
    }
    destination = io.BytesIO()
    try:
        with (
            c2pa.Context.from_dict(build) as context,
            c2pa.Signer.from_info(signer_info) as signer,
            c2pa.Builder(manifest, context) as builder,
        ):
            builder.sign(signer, CONTENT_TYPES[image_format], io.BytesIO(image_bytes), destination)
    except c2pa.C2paError as error:
        raise ProvenanceError(str(error)) from error
    return destination.getvalue()


def read(image_bytes: bytes, content_type: str) -> dict[str, Any] | None:
    """The ConsentCast values read back from a copy's C2PA manifest, or None when
    there is none, it does not validate, or it is not signed by our chain.

    The format is sniffed from the bytes (``content_type`` is only a hint). Pass
    the file as found: re-encoding it (``sanitize_image``) drops the manifest.
    """
    assertions = trusted_assertions(image_bytes)
    if assertions is None:
        return None
    licence, training = assertions.get(LICENCE_LABEL), assertions.get(TRAINING_LABEL) or {}
    if not isinstance(licence, dict):
        return None
    entries = training.get("entries", {})
    constraints = {entry.get("constraint_info") for entry in entries.values()} - {None}
    return {
        **{field.name: licence.get(field.name) for field in fields(LicenceFacts)},
        "training": {name.removeprefix("cawg."): entry.get("use") for name, entry in entries.items()},
        "training_constraint": constraints.pop() if len(constraints) == 1 else None,
        "validation_state": "Trusted",
    }


def trusted_assertions(image_bytes: bytes) -> dict[str, Any] | None:
    """The assertions (label -> data) of the active C2PA manifest of a JPEG,
    PNG or WebP, or None when there is none, it does not validate, or it is
    not signed by our chain. Nothing is fetched over the network."""
    image_format = xmp.sniff(image_bytes)
    if image_format is None:
        return None
    # Here, not at the top: cryptography's X.509 layer costs every process
    # about 2 MB until a copy is signed or read (marketplace.c2pa_signer).
    from marketplace.c2pa_signer import signer_material

    material = signer_material()
    verify = {
        # A found file must not make the server fetch anything.
        "verify": {"remote_manifest_fetch": False, "ocsp_fetch": False},
        "trust": {"trust_anchors": material.anchors_pem},
    }
    import c2pa  # see sign()

    try:
        with (
            c2pa.Context.from_dict(verify) as context,
            c2pa.Reader(CONTENT_TYPES[image_format], io.BytesIO(image_bytes), context=context) as reader,
        ):
            state = reader.get_validation_state()
            manifest = reader.get_active_manifest()
    except (c2pa.C2paError, ValueError, OSError):
        return None
    if state != "Trusted" or not isinstance(manifest, dict):
        return None
    if (manifest.get("signature_info") or {}).get("common_name") != material.common_name:
        return None
    return {item.get("label"): item.get("data") for item in manifest.get("assertions", [])}


def read_xmp(image_bytes: bytes) -> dict[str, Any]:
    """The rights fields of a copy's XMP packet ({} when it has none or it does not parse)."""
    packet = xmp.find_packet(image_bytes)
    # XMP needs neither a DTD nor entities; refusing them keeps expansion attacks out.
    if not packet or b"<!DOCTYPE" in packet or b"<!ENTITY" in packet:
        return {}
    try:
        root = ElementTree.fromstring(packet)  # noqa: S314 - DTDs refused above
    except ElementTree.ParseError:
        return {}
    return {
        "data_mining": xmp.value(root, "plus", "DataMining"),
        "iptc_data_mining": xmp.value(root, "Iptc4xmpExt", "DataMining"),
        "other_constraints": xmp.value(root, "plus", "OtherConstraints"),
        "usage_terms": xmp.value(root, "xmpRights", "UsageTerms"),
        "rights": xmp.value(root, "dc", "rights"),
        "web_statement": xmp.value(root, "xmpRights", "WebStatement"),
        "person_in_image": xmp.value(root, "Iptc4xmpExt", "PersonInImage"),
    }


# -- what the copy says ------------------------------------------------------


def _term(facts: LicenceFacts) -> str:
    start, end = facts.term_start, facts.term_end  # str() of a date is its ISO form
    if start and end:
        return f"{start} to {end}"
    if start:
        return f"from {start}, no end date"
    return f"until {end}" if end else "term as stated on the licence"


def _training_statement(facts: LicenceFacts) -> str:
    licence = f"ConsentCast licence {facts.licence_code} ({_term(facts)}); verify at {facts.verify_url}"
    if facts.training_allowed:
        return f"AI training and data mining prohibited except by {facts.licensee} as licensed under {licence}."
    return f"Not for AI training, fine-tuning, inference or data mining. Licensed to {facts.licensee} under {licence}."


def _manifest(facts: LicenceFacts) -> dict[str, Any]:
    entry: dict[str, str] = {"use": "allowed" if facts.training_allowed else "notAllowed"}
    if facts.training_allowed:
        entry["constraint_info"] = (
            f"Only {facts.licensee}, licence {facts.licence_code}, {_term(facts)}: {facts.verify_url}"
        )
    licence = {
        key: value.isoformat() if isinstance(value, datetime.date) else value for key, value in asdict(facts).items()
    }
    return {
        "claim_generator_info": [{"name": "ConsentCast", "version": "1"}],
        "title": f"{facts.stage_name}, ConsentCast licence {facts.licence_code}",
        "assertions": [
            {"label": TRAINING_LABEL, "data": {"entries": {name: dict(entry) for name in TRAINING_ENTRIES}}},
            {"label": LICENCE_LABEL, "data": licence},
        ],
    }


def _printable(value: str) -> str:
    # XML 1.0 has no place for control characters; a stray one would make the packet unreadable.
    return "".join(ch for ch in value if ch >= " " or ch in "\t\n")


def _xml_text(value: str) -> str:
    return escape(_printable(value))


def _alt(text: str) -> str:
    return f'<rdf:Alt><rdf:li xml:lang="x-default">{_xml_text(text)}</rdf:li></rdf:Alt>'


def _xmp_packet(facts: LicenceFacts) -> bytes:
    mining = DMI_PROHIBITED_SEE_CONSTRAINT if facts.training_allowed else DMI_PROHIBITED
    statement = _training_statement(facts)
    rights = f"Likeness of {facts.stage_name}, licensed through ConsentCast (licence {facts.licence_code})."
    namespaces = " ".join(f"xmlns:{prefix}={quoteattr(uri)}" for prefix, uri in xmp.NS.items() if prefix != "x")
    # plus:DataMining is the IPTC 2023.1 "Data Mining" property; the Iptc4xmpExt twin is for readers that look there.
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        f'<x:xmpmeta xmlns:x="{xmp.NS["x"]}"><rdf:RDF xmlns:rdf="{xmp.NS["rdf"]}">'
        f'<rdf:Description rdf:about="" {namespaces} xmpRights:Marked="True"'
        f" xmpRights:WebStatement={quoteattr(_printable(facts.verify_url))}"
        f' plus:DataMining="{mining}" Iptc4xmpExt:DataMining="{mining}">'
        f"<dc:rights>{_alt(rights)}</dc:rights>"
        f"<xmpRights:UsageTerms>{_alt(statement)}</xmpRights:UsageTerms>"
        f"<plus:OtherConstraints>{_alt(statement)}</plus:OtherConstraints>"
        f"<Iptc4xmpExt:PersonInImage><rdf:Bag><rdf:li>{_xml_text(facts.stage_name)}</rdf:li></rdf:Bag>"
        "</Iptc4xmpExt:PersonInImage></rdf:Description></rdf:RDF></x:xmpmeta>"
        '<?xpacket end="w"?>'
    ).encode()
