"""URLs of the moderation app. Its pages arrive with its own issue (see README)."""

app_name = "moderation"
urlpatterns: list = []
