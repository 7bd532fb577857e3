"""The kinds of notification, and how each one reads.

A notification row stores a kind and parameters, never rendered text: it is
rendered when shown, in the reader's language (the web page's, or the
recipient's preferred language for email). Apps register their kinds here.
Parameters are plain data (names, numbers), never text that needs translating.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NotificationKind:
    key: str
    title: str | Promise
    body: str | Promise = ""

    def render_title(self, params: dict) -> str:
        return _format(self.title, params)

    def render_body(self, params: dict) -> str:
        return _format(self.body, params)


def _format(template: str | Promise, params: dict) -> str:
    """``template`` with ``params``; a plural text (``ngettext_lazy`` with
    a named number) picks its form from ``params`` in the active language."""
    try:
        return str(template % params)
    except (KeyError, TypeError, ValueError):
        # A row written before its kind's text changed still shows something
        # (a plural text without its number has no form to show).
        return str(template) or str(UNKNOWN.title)


KINDS: dict[str, NotificationKind] = {}
UNKNOWN = NotificationKind(key="unknown", title=_("You have a new notification"))


def register(kind: NotificationKind) -> NotificationKind:
    if kind.key in KINDS and KINDS[kind.key] != kind:
        raise ValueError(f"Notification kind {kind.key!r} is registered twice.")
    KINDS[kind.key] = kind
    return kind


def kind_for(key: str) -> NotificationKind:
    return KINDS.get(key, UNKNOWN)


WELCOME_ACTOR = register(
    NotificationKind(
        key="account.welcome_actor",
        title=_("Welcome to ConsentCast, %(name)s"),
        body=_(
            "Your actor profile exists, but nobody can find you yet. You appear on the roster only "
            "after you opt in and a moderator verifies your identity, and you can opt out at any time."
        ),
    )
)
WELCOME_CREATOR = register(
    NotificationKind(
        key="account.welcome_creator",
        title=_("Welcome to ConsentCast, %(name)s"),
        body=_(
            "Your creator profile is ready. Every actor on the roster chose to be there; each shot you "
            "want to use needs the actor's approval and a signed contract."
        ),
    )
)
MODERATOR_GRANTED = register(
    NotificationKind(
        key="account.moderator_granted",
        title=_("You are now a ConsentCast moderator"),
        body=_("Set up two-factor authentication before you open the moderation workplace."),
    )
)
