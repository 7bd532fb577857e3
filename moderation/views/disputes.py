"""Filled in by the disputes work (see moderation/urls.py)."""

urlpatterns: list = []
