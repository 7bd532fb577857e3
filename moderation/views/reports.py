"""Filled in by the reports work (see moderation/urls.py)."""

urlpatterns: list = []
