"""Fixtures of the actor side's tests."""

import pytest


@pytest.fixture(autouse=True)
def _own_media_root(media_root):
    """Every actor-side test stores files in its own folder (the root conftest's ``media_root``)."""
    return media_root
