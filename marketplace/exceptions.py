"""Domain exceptions every app's services raise.

Views turn them into a message (or 409 in the API); their text is for the
user, so it is translatable.
"""


class DomainError(Exception):
    """A rule of the domain refused the change; nothing was written."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidTransition(DomainError):
    """The object is not (or no longer) in a status that allows this move."""


class RoleAlreadyHeld(DomainError):
    """The user already has the role they asked for."""
