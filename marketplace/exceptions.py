"""Domain exceptions every app's services raise.

Views turn them into a message; the API turns them into a response. Each
error carries its own HTTP status and body (``http_status``, ``api_body``),
so the kernel's API error handler needs no import of the apps that raise
them. Their text is for the user, so it is translatable.
"""

from typing import Any


class DomainError(Exception):
    """A rule of the domain refused the change; nothing was written.

    Answers 400 with the message under ``field`` (or ``non_field_errors``).
    """

    http_status = 400
    field: str | None = None

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        if field is not None:
            self.field = field

    def api_body(self) -> dict[str, Any]:
        return {self.field or "non_field_errors": [self.message]}


class Conflict(DomainError):
    """The change collides with the current state: 409 ``{"detail": ...}``."""

    http_status = 409

    def api_body(self) -> dict[str, Any]:
        return {"detail": self.message}


class InvalidTransition(Conflict):
    """The object is not (or no longer) in a status that allows this move."""


class NotVisible(DomainError):
    """The object exists but not for this caller: answered as a plain 404."""

    http_status = 404

    def api_body(self) -> dict[str, Any]:
        from django.utils.translation import gettext

        return {"detail": gettext("Not found.")}


class RoleAlreadyHeld(DomainError):
    """The user already has the role they asked for."""
