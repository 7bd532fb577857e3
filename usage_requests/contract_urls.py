"""URLs of the contract pages, signing, and the public licence check."""

urlpatterns: list = []
