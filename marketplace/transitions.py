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

# The legal moves: each status to the statuses it may become. The keys are a
# TextChoices (a str subclass); a Mapping's key type is invariant, so
# ``Mapping[str, ...]`` would refuse ``dict[Status, set[Status]]``.
Transitions = Mapping[Any, Iterable[str]]


def transition(
    obj: M,
    *,
    new: str,
    transitions: Transitions,
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
    olds = [getattr(obj, field)] if old is None else _as_list(old)
    if not _is_legal(olds, new, transitions):
        raise InvalidTransition(illegal(obj) if callable(illegal) else illegal)
    model = type(obj)
    if not _compare_and_set(model, obj.pk, field=field, olds=olds, new=new, fields=fields):
        if callable(lost):
            now = model._default_manager.filter(pk=obj.pk).values_list(field, flat=True).first()
            raise InvalidTransition(lost(now))
        raise InvalidTransition(lost)
    setattr(obj, field, new)
    for name, value in fields.items():
        setattr(obj, name, value)
    return obj


def transition_by_pk(
    model: type[Model],
    pk: Any,
    *,
    new: str,
    transitions: Transitions,
    old: Iterable[str] | str,
    illegal: str,
    field: str = "status",
    **fields: Any,
) -> bool:
    """``transition()`` for a row known only by its ``pk``, e.g. in a task or sweep.

    Raises ``InvalidTransition`` with ``illegal`` when a move from ``old`` to
    ``new`` is not in ``transitions``. Returns False, writing nothing, when
    the row is no longer in ``old`` (another run got there first, or it is
    gone); True when ``new`` and ``fields`` were written in one UPDATE.
    """
    olds = _as_list(old)
    if not _is_legal(olds, new, transitions):
        raise InvalidTransition(illegal)
    return _compare_and_set(model, pk, field=field, olds=olds, new=new, fields=fields)


def _as_list(old: Iterable[str] | str) -> list[str]:
    return [old] if isinstance(old, str) else list(old)


def _is_legal(olds: list[str], new: str, transitions: Transitions) -> bool:
    return all(new in transitions.get(status, ()) for status in olds)


def _compare_and_set(
    model: type[Model], pk: Any, *, field: str, olds: list[str], new: str, fields: dict[str, Any]
) -> bool:
    changed = model._default_manager.filter(pk=pk, **{f"{field}__in": olds}).update(**{field: new}, **fields)
    return changed == 1
