"""Storage that refuses to write, for the tests of what users see then."""

import pytest
from django.core.files.storage import FileSystemStorage

STORAGE_REFUSED = "We could not store the file, so nothing was saved. Please try again later."


def refuse_writes(monkeypatch: pytest.MonkeyPatch, *, after: int = 0) -> list[str]:
    """From now on every ``FileSystemStorage`` write past the first ``after``
    raises ``PermissionError``, as an unwritable media directory does. Returns
    the names of the writes let through (they are on disk until deleted)."""
    real_save = FileSystemStorage._save
    let_through: list[str] = []

    def _save(self: FileSystemStorage, name: str, content) -> str:
        if len(let_through) >= after:
            raise PermissionError(13, "Permission denied", name)
        let_through.append(real_save(self, name, content))
        return let_through[-1]

    monkeypatch.setattr(FileSystemStorage, "_save", _save)
    return let_through
