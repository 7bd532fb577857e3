"""Private files on S3-compatible object storage (``STORAGE_URL``, see
``marketplace/settings/storage.py``): django-storages' S3 backend, made to
fail the way local disk does, and able to hand out a short-lived URL.

Every caller of the storage API already handles ``OSError`` (an upload
answers "nothing was saved", a rendition is retried, an export fails and
can be asked again). boto3 raises its own errors instead, so this backend
raises them as ``OSError``, and a missing object as ``FileNotFoundError``
as local disk does.

Loaded only when ``STORAGE_URL`` selects it, so boto3 stays out of a
process on local disk.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from storages.backends.s3 import S3File, S3Storage
from storages.utils import clean_name


@contextmanager
def object_store_errors() -> Iterator[None]:
    """boto3's errors raised as ``OSError`` (a missing object as ``FileNotFoundError``)."""
    try:
        yield
    except ClientError as exc:
        if exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
            raise FileNotFoundError(str(exc)) from exc
        raise OSError(str(exc)) from exc
    except BotoCoreError as exc:
        raise OSError(str(exc)) from exc


class PrivateS3File(S3File):
    """An object opened from the store; its bytes are fetched on first read."""

    def _get_file(self) -> Any:
        with object_store_errors():
            return super()._get_file()

    file = property(_get_file, S3File._set_file)


class PrivateS3Storage(S3Storage):
    """The default storage when ``STORAGE_URL`` is set. Objects carry no
    ACL (private to the bucket's owner); a URL is always signed and expires
    after ``querystring_expire`` seconds (``PRIVATE_FILE_URL_SECONDS``)."""

    def _open(self, name: str, mode: str = "rb") -> PrivateS3File:
        with object_store_errors():
            return PrivateS3File(self._normalize_name(clean_name(name)), mode, self)

    def _save(self, name: str, content: Any) -> str:
        with object_store_errors():
            return super()._save(name, content)

    def delete(self, name: str) -> None:
        with object_store_errors():
            super().delete(name)

    def exists(self, name: str) -> bool:
        with object_store_errors():
            return super().exists(name)

    def size(self, name: str) -> int:
        with object_store_errors():
            return super().size(name)

    def presigned_url(self, name: str, *, content_type: str, content_disposition: str, cache_control: str) -> str:
        """A GET URL of the object ``name`` that works for ``querystring_expire``
        seconds, whose response carries these headers. Only for someone who
        passed the access check (``marketplace.http.private_file_response``).
        Raises ``FileNotFoundError`` when the object is gone, ``OSError`` when
        the store cannot be asked."""
        if not self.exists(name):
            raise FileNotFoundError(name)
        with object_store_errors():
            return self.url(
                name,
                parameters={
                    "ResponseContentType": content_type,
                    "ResponseContentDisposition": content_disposition,
                    "ResponseCacheControl": cache_control,
                },
            )
