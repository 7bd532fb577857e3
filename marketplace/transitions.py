"""The one way a status changes: compare-and-set against the legal moves.

Every status in the project is a ``TextChoices`` with a ``TRANSITIONS`` dict
beside it (STYLE.md "State"). ``transition()`` checks the move against that
dict and then writes it with one conditional UPDATE (``WHERE status = old``),
so of two racing moves exactly one wins and the other learns it lost. The
caller runs it inside its ``transaction.atomic()`` and writes its event row
in the same transaction.
"""

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from django.db.models import Model

from marketplace.exceptions import InvalidTransition

M = TypeVar("M", bound=Model)


def transition(
    obj: M,
    *,
    new: str,
    transitions: Mapping[str, Iterable[str]],
    field: str = "status",
    old: Iterable[str] | str | None = None,
    illegal: Callable[[M], str] | str,
    lost: Callable[[str | None], str] | str,
    **fields: Any,
) -> M:
    """Move ``obj`` from its status (or any of ``old``) to ``new``.

    Raises ``InvalidTransition`` with ``illegal`` (the move is not in
    ``transitions``) or ``lost`` (another transaction changed the row first;
    a callable receives the status the row has now). On success ``obj``
    carries the new status and ``fields``, which were written in the same
    UPDATE.
    """
    current = getattr(obj, field)
    olds = [current] if old is None else [old] if isinstance(old, str) else list(old)
    if any(new not in transitions.get(status, ()) for status in olds):
        raise InvalidTransition(illegal(obj) if callable(illegal) else illegal)
    manager = type(obj)._default_manager
    changed = manager.filter(pk=obj.pk, **{f"{field}__in": olds}).update(**{field: new}, **fields)
    if changed != 1:
        if callable(lost):
            now = manager.filter(pk=obj.pk).values_list(field, flat=True).first()
            raise InvalidTransition(lost(now))
        raise InvalidTransition(lost)
    setattr(obj, field, new)
    for name, value in fields.items():
        setattr(obj, name, value)
    return obj
