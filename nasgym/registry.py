"""``Registry``: a name -> object table (evaluator kinds, reward kinds, cost model kinds, heads, tasks, algorithms,
black-box agents, surrogate models) with the one
error message for an unknown name: ``<what>=<name!r> is invalid: expected one of a, b, c``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    """Objects by name, in registration order.

    Args:
        what: What a name is, as the error message starts (``"task"`` -> ``task='x' is invalid: ...``).
        sep: Between ``what`` and the name (``" "`` gives ``reward kind 'x' is invalid: ...``).
        problem: What is wrong with an unknown name (``"is invalid"``, or ``"is unknown"``).

    Supports ``name in registry``, iteration over the names, ``len``, ``registry[name]`` (``KeyError`` if absent),
    ``registry[name] = obj``, ``del registry[name]`` and ``pop``, so a test can add an entry and remove it again.
    """

    def __init__(self, what: str, *, sep: str = "=", problem: str = "is invalid") -> None:
        self.what, self.sep, self.problem = what, sep, problem
        self._items: dict[str, T] = {}

    def register(self, name: str, obj: T) -> T:
        """Add (or replace) ``obj`` under ``name``; returns ``obj``."""
        self._items[name] = obj
        return obj

    def names(self) -> tuple[str, ...]:
        """The registered names, in registration order."""
        return tuple(self._items)

    def items(self) -> Iterator[tuple[str, T]]:
        """(name, object) pairs, in registration order."""
        return iter(self._items.items())

    def error(self, name: object, hint: str = "") -> ValueError:
        """The error for an unknown ``name``, listing the valid ones (``hint`` is appended to the list)."""
        return ValueError(f"{self.what}{self.sep}{name!r} {self.problem}: expected one of "
                          f"{', '.join(self._items)}{hint}")

    def get(self, name: object, hint: str = "") -> T:
        """The object registered as ``name``. Unlike ``dict.get`` there is no default.

        Raises:
            ValueError: If ``name`` is not a registered name (the valid ones are listed).
        """
        if name not in self:
            raise self.error(name, hint)
        return self._items[name]  # type: ignore[index]

    def __contains__(self, name: object) -> bool:
        try:
            return name in self._items
        except TypeError:  # an unhashable name (a list from a config file) is simply not registered
            return False

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, name: str) -> T:
        return self._items[name]

    def __setitem__(self, name: str, obj: T) -> None:
        self._items[name] = obj

    def __delitem__(self, name: str) -> None:
        del self._items[name]

    def pop(self, name: str, *default: T | None) -> T | None:
        """Remove ``name`` and return its object (``default`` if given and absent, else ``KeyError``)."""
        return self._items.pop(name, *default)

    def __repr__(self) -> str:
        return f"Registry({self.what!r}: {', '.join(self._items)})"
