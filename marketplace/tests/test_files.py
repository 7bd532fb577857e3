"""``stored_or_nothing()``: storage that refuses a write becomes a clear
``StorageUnavailable`` (503, "nothing was saved"), with every file written
before it deleted; other errors pass through as they are."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

from marketplace.files import StorageUnavailable, removed_on_failure, stored_or_nothing
from marketplace.tests.storage import STORAGE_REFUSED, refuse_writes


@pytest.fixture
def storage(tmp_path) -> FileSystemStorage:
    return FileSystemStorage(location=tmp_path)


def files_in(storage: FileSystemStorage) -> list[str]:
    return sorted(path.name for path in storage.base_location.rglob("*") if path.is_file())


def write_two(storage: FileSystemStorage, keeper=stored_or_nothing) -> None:
    with keeper(storage) as written:
        written.add(storage.save("first.txt", ContentFile(b"1")))
        written.add(storage.save("second.txt", ContentFile(b"2")))


def write_then_fail(storage: FileSystemStorage, keeper=stored_or_nothing) -> None:
    with keeper(storage) as written:
        written.add(storage.save("first.txt", ContentFile(b"1")))
        raise ValueError("bad row")


def test_a_refused_write_is_storage_unavailable_and_the_earlier_files_go(storage, monkeypatch):
    refuse_writes(monkeypatch, after=1)
    with pytest.raises(StorageUnavailable) as refused:
        write_two(storage)
    assert refused.value.http_status == 503
    assert refused.value.message == STORAGE_REFUSED
    assert isinstance(refused.value.__cause__, PermissionError)
    assert files_in(storage) == []


def test_other_errors_pass_through_and_the_files_go(storage):
    with pytest.raises(ValueError, match="bad row"):
        write_then_fail(storage)
    assert files_in(storage) == []


def test_a_clean_up_that_fails_too_does_not_hide_the_first_error(storage, monkeypatch):
    def refuse_delete(self, name):
        raise PermissionError(13, "Permission denied", name)

    monkeypatch.setattr(FileSystemStorage, "delete", refuse_delete)
    with pytest.raises(ValueError, match="bad row"):
        write_then_fail(storage, keeper=removed_on_failure)
