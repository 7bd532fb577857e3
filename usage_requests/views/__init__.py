"""The usage-request pages (``requests``: composer, inbox, request page, moves,
messages) and the contract pages with the public licence check (``contracts``)."""
