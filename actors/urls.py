"""URLs of the actors app. Its pages arrive with its own issue (see README)."""

app_name = "actors"
urlpatterns: list = []
