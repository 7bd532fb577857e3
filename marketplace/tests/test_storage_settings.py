"""Where private files live: ``STORAGE_URL`` read into ``STORAGES``
(marketplace/settings/storage.py), and the S3 backend failing as local disk
does (``OSError``), so callers answer "nothing was saved", never a 500.
The tests against a real S3 API are the ``s3``-marked ones."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from botocore.config import Config
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile

from marketplace.settings.storage import S3_BACKEND, storage_backend, storage_origins
from marketplace.storage import PrivateS3Storage
from marketplace.tests.celery_harness import free_port

ROOT = Path(settings.BASE_DIR)
MINIO = "s3://likeness?endpoint_url=http://127.0.0.1:9000&region=us-east-1"


def test_no_storage_url_keeps_local_disk():
    assert storage_backend("", url_seconds=60) == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert storage_origins(storage_backend("", url_seconds=60)) == []


def test_storage_url_selects_private_s3_with_signed_short_lived_urls():
    backend = storage_backend(MINIO, url_seconds=45, access_key="AKID", secret_key="sekrit")
    assert backend["BACKEND"] == S3_BACKEND
    options = backend["OPTIONS"]
    assert options["bucket_name"] == "likeness"
    assert options["endpoint_url"] == "http://127.0.0.1:9000"
    assert options["region_name"] == "us-east-1"
    assert options["addressing_style"] == "path"
    assert options["default_acl"] is None
    assert options["querystring_auth"] is True
    assert options["querystring_expire"] == 45
    assert options["file_overwrite"] is False
    assert (options["access_key"], options["secret_key"]) == ("AKID", "sekrit")
    assert storage_origins(backend) == ["http://127.0.0.1:9000"]


def test_credentials_in_the_url_win_and_none_leaves_boto3_its_own_chain():
    with_url = storage_backend("s3://AK%2F1:se%40cret@likeness", url_seconds=60, access_key="env", secret_key="env")
    assert (with_url["OPTIONS"]["access_key"], with_url["OPTIONS"]["secret_key"]) == ("AK/1", "se@cret")
    assert "access_key" not in storage_backend("s3://likeness", url_seconds=60)["OPTIONS"]


def test_aws_without_endpoint_is_virtual_hosted():
    backend = storage_backend("s3://likeness?region=eu-west-1", url_seconds=60)
    assert "addressing_style" not in backend["OPTIONS"]
    assert storage_origins(backend) == [
        "https://likeness.s3.amazonaws.com",
        "https://likeness.s3.eu-west-1.amazonaws.com",
    ]


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:9000/likeness", "s3://", "s3://likeness/photos", "s3://likeness?endpoint=http://x", "likeness"],
)
def test_a_storage_url_that_is_not_understood_refuses_to_start(url):
    with pytest.raises(ImproperlyConfigured):
        storage_backend(url, url_seconds=60)


def test_production_reads_storage_url_and_lets_images_load_from_the_store():
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "STORAGE_URL", "DEBUG"}}
    env.update(
        DJANGO_SETTINGS_MODULE="marketplace.settings.production",
        SECRET_KEY="x" * 64,
        ALLOWED_HOSTS="consentcast.example",
        STORAGE_URL=MINIO,
    )
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.STORAGES['default']['BACKEND']); print(s.STORAGES['staticfiles']['BACKEND']); "
        "print(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    backend, static, img_src = result.stdout.splitlines()
    assert backend == S3_BACKEND
    assert static == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert "http://127.0.0.1:9000" in img_src


def test_an_unreachable_store_raises_oserror_like_a_broken_disk():
    """Nothing listens on the port: boto3's connection error arrives as an
    ``OSError``, which ``stored_or_nothing`` turns into "nothing was saved"."""
    storage = PrivateS3Storage(
        bucket_name="likeness",
        endpoint_url=f"http://127.0.0.1:{free_port()}",
        region_name="us-east-1",
        access_key="AKID",
        secret_key="sekrit",
        client_config=Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=2),
    )
    with pytest.raises(OSError, match="Could not connect to the endpoint URL"):
        storage.save("likeness/1/original/x.jpg", ContentFile(b"bytes"))
    with pytest.raises(OSError, match="Could not connect to the endpoint URL"):
        storage.exists("likeness/1/original/x.jpg")
    with pytest.raises(OSError, match="Could not connect to the endpoint URL"):
        storage.open("likeness/1/original/x.jpg").read()


def test_a_process_on_local_disk_never_loads_boto3():
    env = {k: v for k, v in os.environ.items() if k not in {"STORAGE_URL", "DJANGO_SETTINGS_MODULE"}}
    env["DJANGO_SETTINGS_MODULE"] = "marketplace.settings.development"
    script = (
        "import django, sys; django.setup(); "
        "from django.urls import get_resolver; get_resolver().url_patterns; import marketplace.celery; "
        "from django.core.files.storage import default_storage; default_storage.exists('x'); "
        "print(sorted(m for m in ('boto3', 'botocore', 'storages') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
