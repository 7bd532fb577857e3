"""The certificate chain and key that sign C2PA manifests
(``marketplace.provenance``): the configured ones (``C2PA_SIGNING_CERT``,
``C2PA_SIGNING_KEY``, ``C2PA_SIGNING_ALG``, ``C2PA_TRUST_ANCHORS``), or a
self-signed development chain made once under ``C2PA_DEV_DIR``.

Apart from ``provenance`` so that cryptography's X.509 layer is loaded on
the first copy signed or read, not by every web and worker process at start
(about 2 MB each; ``marketplace/tests/test_startup_imports.py`` keeps it out).
"""

import datetime
import os
import shutil
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

ALGORITHMS = ("es256", "es384", "es512", "ps256", "ps384", "ps512", "ed25519")
DEV_FILES = ("signer-chain.pem", "signer-key.pem", "root-ca.pem")
DEV_SIGNER_NAME = "ConsentCast development signer"


@dataclass(frozen=True)
class SignerMaterial:
    chain_pem: bytes
    key_pem: bytes
    alg: str
    anchors_pem: str
    common_name: str


def signer_material() -> SignerMaterial:
    names = ("C2PA_SIGNING_CERT", "C2PA_SIGNING_KEY", "C2PA_SIGNING_ALG", "C2PA_TRUST_ANCHORS", "C2PA_DEV_DIR")
    return _load_signer(*(str(getattr(settings, name)) for name in names))


@lru_cache(maxsize=8)
def _load_signer(cert_path: str, key_path: str, alg: str, anchors_path: str, dev_dir: str) -> SignerMaterial:
    if bool(cert_path) != bool(key_path):
        raise ImproperlyConfigured("Set both C2PA_SIGNING_CERT and C2PA_SIGNING_KEY, or neither (development chain).")
    if cert_path:
        if alg.lower() not in ALGORITHMS:
            raise ImproperlyConfigured(f"C2PA_SIGNING_ALG must be one of {', '.join(ALGORITHMS)}.")
        chain_pem, key_pem, alg = Path(cert_path).read_bytes(), Path(key_path).read_bytes(), alg.lower()
    else:
        chain_pem, key_pem, alg = *_dev_chain(Path(dev_dir)), "es256"
    certificates = x509.load_pem_x509_certificates(chain_pem)
    anchors = Path(anchors_path).read_text() if anchors_path else "".join(_pem(c).decode() for c in certificates[1:])
    if not anchors.strip():
        raise ImproperlyConfigured(
            "C2PA_SIGNING_CERT has no CA certificate: append its chain or set C2PA_TRUST_ANCHORS."
        )
    names = certificates[0].subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return SignerMaterial(chain_pem, key_pem, alg, anchors, str(names[0].value) if names else "")


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def _dev_chain(directory: Path) -> tuple[bytes, bytes]:
    """(chain PEM, key PEM) of the development signer in ``directory``, made on first use in a
    private directory renamed into place, so processes starting together never pair one chain
    with another's key. The root's key is not kept: delete the directory for a new chain."""
    chain_file, key_file = directory / DEV_FILES[0], directory / DEV_FILES[1]
    if not key_file.exists():
        directory.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".c2pa-", dir=directory.parent))
        for name, content in zip(DEV_FILES, _new_dev_chain(), strict=True):
            (staging / name).write_bytes(content)
        try:
            os.rename(staging, directory)
        except OSError:  # another process got there first (or the directory holds something else)
            shutil.rmtree(staging, ignore_errors=True)
    return chain_file.read_bytes(), key_file.read_bytes()


def _new_dev_chain() -> tuple[bytes, bytes, bytes]:
    """A self-signed root CA and a signing certificate it issued, as C2PA wants one:
    not a CA, key usage digitalSignature, extended key usage for documents and email."""
    now = datetime.datetime.now(datetime.UTC)
    root_key, signer_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    organisation = x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ConsentCast (development)")
    root_name = x509.Name([organisation, x509.NameAttribute(NameOID.COMMON_NAME, "ConsentCast development root CA")])
    signer_name = x509.Name([organisation, x509.NameAttribute(NameOID.COMMON_NAME, DEV_SIGNER_NAME)])

    def issue(subject: x509.Name, key: ec.EllipticCurvePrivateKey, is_ca: bool) -> x509.CertificateBuilder:
        unused = ("content_commitment", "key_encipherment", "data_encipherment", "key_agreement", "encipher_only")
        usage = {**dict.fromkeys((*unused, "decipher_only"), False), "key_cert_sign": is_ca, "crl_sign": is_ca}
        return (
            x509.CertificateBuilder(subject_name=subject, issuer_name=root_name, public_key=key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=is_ca, path_length=0 if is_ca else None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=not is_ca, **usage), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        )

    root = issue(root_name, root_key, is_ca=True).sign(root_key, hashes.SHA256())
    document_signing = ObjectIdentifier("1.3.6.1.5.5.7.3.36")
    signer = (
        issue(signer_name, signer_key, is_ca=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION, document_signing]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    key_pem = signer_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return _pem(signer) + _pem(root), key_pem, _pem(root)
