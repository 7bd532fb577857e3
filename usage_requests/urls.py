"""URLs of the usage_requests app. Its pages arrive with its own issue (see README)."""

app_name = "usage_requests"
urlpatterns: list = []
