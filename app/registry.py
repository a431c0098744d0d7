"""Registry: the one kind of extension point a domain offers to the domains above it.

A lower domain (meetings, scheduling, agendas, cycles, feeds, the page sections and the
confidentiality sweep) declares a `Registry` and reads it; the higher domain's contribution is
added to it by `app.wiring.bootstrap()` and nowhere else, so no import has a side effect and
every entry point (the app, each command, the tests) sees the same wiring. `Registry.all()`
lists every registry, so a test can tell when one was left empty.
"""

from collections.abc import Callable, Iterator
from typing import ClassVar, Generic, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    _all: ClassVar[list["Registry"]] = []

    def __init__(self, name: str, *, sort_key: Callable[[T], object] | None = None,
                 key: Callable[[T], object] | None = None):
        """`sort_key` keeps the entries in that order; `key` says which entries are the same
        (adding one again changes nothing, so bootstrap() may run twice)."""
        self.name = name
        self._items: list[T] = []
        self._sort_key = sort_key
        self._key = key or (lambda item: item)
        Registry._all.append(self)

    def add(self, item: T) -> T:
        if any(self._key(i) == self._key(item) for i in self._items):
            return item
        self._items.append(item)
        if self._sort_key is not None:
            self._items.sort(key=self._sort_key)
        return item

    def remove(self, item: T) -> None:
        """For tests that add an entry of their own."""
        self._items.remove(item)

    def __iter__(self) -> Iterator[T]:
        return iter(list(self._items))

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Registry({self.name!r}, {len(self._items)} entries)"

    @classmethod
    def all(cls) -> list["Registry"]:
        return list(cls._all)
