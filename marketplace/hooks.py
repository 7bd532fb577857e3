"""Hooks: how a lower floor asks something of a floor above it.

Imports point down the floors (DESIGN.md "Layout: floors"). When a lower app
needs an answer only a higher app has (the actor side asks "is there an active
licence for this original?", which the contracts of ``usage_requests`` know),
the lower app declares a ``Hook`` and the higher app registers its provider in
its ``AppConfig.ready()``. The lower app calls the hook and never imports the
higher one.

A hook with no provider raises ``HookNotProvided``: a missing provider is a
wiring mistake, and failing loudly beats silently answering "nothing" (which
would, say, drop an actor's contracts from their data export).
"""

from collections.abc import Callable
from typing import Generic, ParamSpec, TypeVar

from django.core.exceptions import ImproperlyConfigured

P = ParamSpec("P")
R = TypeVar("R")


class HookNotProvided(ImproperlyConfigured):
    """A hook was called before any app registered a provider for it."""


class Hook(Generic[P, R]):
    """One answer, from the one provider a higher app registers.

    ``Hook[[ArgTypes], ReturnType]("name")``; ``hook.register(fn)`` in the
    provider's ``ready()``; ``hook(...)`` to ask. Registering again replaces
    the provider (tests use ``hook.override``).
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self._provider: Callable[P, R] | None = None

    def register(self, provider: Callable[P, R]) -> Callable[P, R]:
        self._provider = provider
        return provider

    @property
    def provided(self) -> bool:
        return self._provider is not None

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        if self._provider is None:
            raise HookNotProvided(f"no app registered a provider for the hook {self.name!r}")
        return self._provider(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<Hook {self.name}>"


class HookList(Generic[P, R]):
    """Answers from every provider registered, in registration order.

    For contributions (each app adds its own part of an actor's data export).
    ``required`` names the providers that must be there: calling the hook
    before all of them registered raises ``HookNotProvided``.
    """

    def __init__(self, name: str, *, required: tuple[str, ...] = ()) -> None:
        self.name = name
        self.required = required
        self._providers: dict[str, Callable[P, R]] = {}

    def register(self, key: str, provider: Callable[P, R]) -> Callable[P, R]:
        self._providers[key] = provider
        return provider

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> dict[str, R]:
        missing = [key for key in self.required if key not in self._providers]
        if missing:
            raise HookNotProvided(f"hook {self.name!r} has no provider for {', '.join(missing)}")
        return {key: provider(*args, **kwargs) for key, provider in self._providers.items()}

    def get(self, key: str) -> Callable[P, R] | None:
        return self._providers.get(key)

    def __repr__(self) -> str:
        return f"<HookList {self.name}: {', '.join(self._providers)}>"
