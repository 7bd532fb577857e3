"""Where private files live, read by ``base``: local disk under MEDIA_ROOT
(the embedded default) or S3-compatible object storage when ``STORAGE_URL``
is set. Static files are whitenoise's either way.

``STORAGE_URL=s3://<bucket>?endpoint_url=http://127.0.0.1:9000&region=us-east-1``
selects django-storages' S3 backend (``marketplace.storage.PrivateS3Storage``).
Query options: ``endpoint_url`` (any S3-compatible service; AWS when left
out), ``region``, ``addressing_style`` (``path`` by default with an
``endpoint_url``, as MinIO and moto want; ``virtual`` otherwise) and
``location`` (a key prefix). Credentials come from ``AWS_ACCESS_KEY_ID`` and
``AWS_SECRET_ACCESS_KEY`` (or ``s3://key:secret@bucket``); with neither,
boto3's own chain (instance profile, ``~/.aws``) applies.
"""

from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

env = environ.Env()

LOCAL_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
S3_BACKEND = "marketplace.storage.PrivateS3Storage"
S3_QUERY_OPTIONS = {
    "endpoint_url": "endpoint_url",
    "region": "region_name",
    "addressing_style": "addressing_style",
    "location": "location",
}
# An S3 object read by a worker (a photo's original, a photo copied into an
# export) is spooled to disk past this size, not held whole in memory.
S3_SPOOL_MEMORY_BYTES = 1024 * 1024


def storage_backend(url: str, *, url_seconds: int, access_key: str = "", secret_key: str = "") -> dict[str, Any]:
    """The ``STORAGES["default"]`` entry for ``url`` (empty: local disk).
    Raises ``ImproperlyConfigured`` for a URL that is not ``s3://<bucket>``
    or names an unknown option."""
    if not url:
        return dict(LOCAL_STORAGE)
    parts = urlsplit(url)
    bucket = parts.netloc.rpartition("@")[2]
    if parts.scheme != "s3" or not bucket or parts.path not in ("", "/"):
        raise ImproperlyConfigured("STORAGE_URL must read s3://<bucket>?endpoint_url=...&region=...")
    options: dict[str, Any] = {
        "bucket_name": bucket,
        # Private: no ACL granted to anyone, every URL signed and short-lived.
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": url_seconds,
        "signature_version": "s3v4",
        # Server-made names never collide; a name taken is never overwritten.
        "file_overwrite": False,
        "max_memory_size": S3_SPOOL_MEMORY_BYTES,
    }
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key not in S3_QUERY_OPTIONS:
            raise ImproperlyConfigured(f"STORAGE_URL: unknown option {key!r} (known: {', '.join(S3_QUERY_OPTIONS)})")
        options[S3_QUERY_OPTIONS[key]] = value
    if options.get("endpoint_url"):
        options.setdefault("addressing_style", "path")
    key_id, secret = unquote(parts.username or "") or access_key, unquote(parts.password or "") or secret_key
    if key_id and secret:
        options.update(access_key=key_id, secret_key=secret)
    return {"BACKEND": S3_BACKEND, "OPTIONS": options}


def storage_origins(backend: dict[str, Any]) -> list[str]:
    """The origins presigned URLs of ``backend`` point to, which the
    Content-Security-Policy must let images load from (a private thumbnail or
    preview is a redirect there). None for local disk."""
    options = backend.get("OPTIONS", {})
    if backend["BACKEND"] != S3_BACKEND:
        return []
    bucket = options["bucket_name"]
    if options.get("endpoint_url"):
        endpoint = urlsplit(options["endpoint_url"])
        if options.get("addressing_style") == "virtual":
            return [f"{endpoint.scheme}://{bucket}.{endpoint.netloc}"]
        return [f"{endpoint.scheme}://{endpoint.netloc}"]
    region = options.get("region_name")
    regional = [f"https://{bucket}.s3.{region}.amazonaws.com"] if region else []
    return [f"https://{bucket}.s3.amazonaws.com", *regional]


STORAGE_URL = env("STORAGE_URL", default="")
# How long a presigned URL of a private file works (the redirect answered
# after the access check): long enough to start the download, too short to pass on.
PRIVATE_FILE_URL_SECONDS = env.int("PRIVATE_FILE_URL_SECONDS", default=60)
STORAGES = {
    "default": storage_backend(
        STORAGE_URL,
        url_seconds=PRIVATE_FILE_URL_SECONDS,
        access_key=env("AWS_ACCESS_KEY_ID", default=""),
        secret_key=env("AWS_SECRET_ACCESS_KEY", default=""),
    ),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STORAGE_ORIGINS = storage_origins(STORAGES["default"])
