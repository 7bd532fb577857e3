"""URLs of the creators app. Its pages arrive with its own issue (see README)."""

app_name = "creators"
urlpatterns: list = []
