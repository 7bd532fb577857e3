"""Filled in by the verification work (see moderation/urls.py)."""

urlpatterns: list = []
