"""A real S3 API on a loopback port for the ``s3`` tests: moto's server in a
thread of the test process (one per test module, ``s3_server`` in the root
conftest), a fresh bucket per test, and the portal's default storage pointed
at it through the same ``STORAGE_URL`` parsing production uses.

Everything the portal does goes over HTTP to that server, so a Celery worker
process given ``worker_env`` sees the same bucket. Assertions read the bucket
with boto3, never through the portal's storage: on local disk they fail.
"""

import logging
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any

import boto3

from marketplace.settings.storage import storage_backend
from marketplace.tests.celery_harness import free_port

REGION = "us-east-1"
# moto accepts any credentials; these keep boto3 from looking for real ones.
ACCESS_KEY = "consentcast-test"
SECRET_KEY = "consentcast-test-secret"


@dataclass
class S3Server:
    endpoint: str
    client: Any

    def storage_url(self, bucket: str) -> str:
        return f"s3://{bucket}?endpoint_url={self.endpoint}&region={REGION}"


@dataclass
class S3Bucket:
    """The bucket of one test, which the default storage now writes to."""

    name: str
    server: S3Server

    @property
    def storage_url(self) -> str:
        return self.server.storage_url(self.name)

    def keys(self, prefix: str = "") -> set[str]:
        listed = self.server.client.list_objects_v2(Bucket=self.name, Prefix=prefix)
        return {item["Key"] for item in listed.get("Contents", [])}

    def read(self, key: str) -> bytes:
        return self.server.client.get_object(Bucket=self.name, Key=key)["Body"].read()

    def assert_holds(self, key: str) -> bytes:
        """The bytes of ``key``, failing when the bucket does not hold it."""
        assert key, "no file name"
        assert key in self.keys(), f"{key!r} is not in bucket {self.name}: {sorted(self.keys())}"
        return self.read(key)

    def worker_env(self) -> dict[str, str]:
        """What a worker process needs to use this bucket (``celery_harness.worker_env``)."""
        return {
            "STORAGE_URL": self.storage_url,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_DEFAULT_REGION": REGION,
        }


def start_server() -> tuple[Any, S3Server]:
    """(the running moto server, how to reach it); ``server.stop()`` at the end."""
    # moto is a test-only dependency (requirements-dev.txt); the s3 marker skips without it.
    from moto.server import ThreadedMotoServer

    # One line per request on the root logger would drown a failure's output.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )
    return server, S3Server(endpoint=endpoint, client=client)


def new_bucket(server: S3Server, settings: Any) -> S3Bucket:
    """A fresh bucket, made the default storage for this test (``settings``
    is pytest-django's fixture, so the change ends with the test)."""
    bucket = S3Bucket(name=f"consentcast-{uuid.uuid4().hex[:12]}", server=server)
    server.client.create_bucket(Bucket=bucket.name)
    return use_bucket(bucket, settings)


def use_bucket(bucket: S3Bucket, settings: Any) -> S3Bucket:
    """Make ``bucket`` (made or not) the default storage, as ``STORAGE_URL`` would."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": storage_backend(bucket.storage_url, url_seconds=60, access_key=ACCESS_KEY, secret_key=SECRET_KEY),
    }
    return bucket


@dataclass
class Fetched:
    status: int
    headers: dict[str, str]  # names in lower case
    body: bytes


def follow(url: str) -> Fetched:
    """GET ``url`` as a browser would after the portal's redirect: no
    cookies, no credentials but what the URL carries."""
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:  # noqa: S310 - the test's own loopback server
            return Fetched(answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.read())
    except urllib.error.HTTPError as error:
        return Fetched(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())
