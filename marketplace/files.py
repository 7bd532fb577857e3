"""Files written inside a transaction that may still fail.

Storage is not transactional: when the rows roll back, the files written for
them must go too, or they stay behind with nothing pointing at them. And
storage fails on its own (a directory that is not writable, a full disk, the
object store down): the user is told that nothing was saved, never shown a
500, and nothing is left half-written.
"""

import logging
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import PurePosixPath

from django.core.files.storage import Storage, default_storage
from django.utils.translation import gettext as _

from marketplace.exceptions import DomainError

logger = logging.getLogger(__name__)


class StorageUnavailable(DomainError):
    """Storage refused to write the file; nothing was saved. Answers 503:
    the input was fine and the same request may work later."""

    http_status = 503

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or _("We could not store the file, so nothing was saved. Please try again later."))


class WrittenFiles(list[str]):
    """The names written so far; ``add`` each one as soon as it is saved."""

    def add(self, name: str) -> str:
        self.append(name)
        return name


def private_name(folder: str, filename: str) -> str:
    """A server-made storage name under ``folder`` for an upload: never the
    uploaded name, only the suffix the sanitizer chose (lower case)."""
    suffix = PurePosixPath(filename).suffix.lower()[:6]
    return f"{folder}/{uuid.uuid4().hex}{suffix}"


@contextmanager
def removed_on_failure(storage: Storage | None = None) -> Iterator[WrittenFiles]:
    """``with removed_on_failure() as written: ... written.add(storage.save(...))``

    If the block raises (anything at all, a rollback included), every file
    added is deleted from storage and the exception goes on.
    """
    storage = storage or default_storage
    written = WrittenFiles()
    try:
        yield written
    except BaseException:
        for name in written:
            _delete_quietly(storage, name)
        raise


@contextmanager
def stored_or_nothing(storage: Storage | None = None) -> Iterator[WrittenFiles]:
    """``removed_on_failure()`` for what a user sends (an upload): on top of
    it, an ``OSError`` in the block (storage refused a write) is raised as
    ``StorageUnavailable``, so the page or the API answers with a clear
    message instead of a 500. The files written before it are deleted."""
    try:
        with removed_on_failure(storage) as written:
            yield written
    except OSError as exc:
        logger.error("storage refused a write, nothing was saved: %r", exc)
        raise StorageUnavailable() from exc


def _delete_quietly(storage: Storage, name: str) -> None:
    # Storage that refused a write may refuse the clean-up too; the error
    # that got us here is the one to report.
    try:
        storage.delete(name)
    except OSError:
        logger.exception("could not delete %s after a failed write", name)


def delete_files(names: Iterable[str], storage: Storage | None = None) -> None:
    """Delete every file named in ``names``; for ``transaction.on_commit``
    (``functools.partial(delete_files, names)``) once the rows are gone."""
    storage = storage or default_storage
    for name in names:
        storage.delete(name)
