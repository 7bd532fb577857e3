"""Files written inside a transaction that may still fail.

Storage is not transactional: when the rows roll back, the files written for
them must go too, or they stay behind with nothing pointing at them.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.core.files.storage import Storage, default_storage


class WrittenFiles(list[str]):
    """The names written so far; ``add`` each one as soon as it is saved."""

    def add(self, name: str) -> str:
        self.append(name)
        return name


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
            storage.delete(name)
        raise


def delete_files(names: Iterable[str], storage: Storage | None = None) -> None:
    """Delete every file named in ``names``; for ``transaction.on_commit``
    (``functools.partial(delete_files, names)``) once the rows are gone."""
    storage = storage or default_storage
    for name in names:
        storage.delete(name)
