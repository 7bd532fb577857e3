"""URLs of the request pages: composer, inbox, request page and its actions, messages."""

urlpatterns: list = []
