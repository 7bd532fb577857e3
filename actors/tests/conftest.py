"""Fixtures of the actor side's tests."""

from pathlib import Path

import pytest
from django.core.files.storage import default_storage


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    """Every test stores files in its own folder, so files can be counted on
    disk and nothing leaks into var/media or into the next test."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    if Path(default_storage.location) != root:
        # The storage caches its location; make sure it follows the setting.
        default_storage._setup()
    assert Path(default_storage.location) == root
    return root


@pytest.fixture
def stored_files(media_root):
    """The files under MEDIA_ROOT right now, as paths relative to it."""

    def _stored_files(under: str = "") -> set[str]:
        base = media_root / under if under else media_root
        return {path.relative_to(media_root).as_posix() for path in base.rglob("*") if path.is_file()}

    return _stored_files
