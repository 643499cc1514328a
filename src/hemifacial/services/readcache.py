"""A bounded in-process cache of read models, keyed by the version of what they were read from.

Why: building a case view costs three queries and rebuilding the typed assessment (about
2 ms); checking the case's revision costs one indexed lookup (0.2 ms). A key always holds
the revision (or another stamp that every change raises), so an entry is never stale: a
change makes a new key, and the old entry simply ages out of the LRU. Read models are
frozen, so one object can be handed to every request. Each process has its own cache;
nothing here is shared between workers or survives a restart.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class ReadCache:
    """Least-recently-used map of ``key -> read model``; ``max_entries=0`` turns it off."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_or_build(self, key: Hashable, build: Callable[[], T]) -> T:
        """The cached value for ``key``, or ``build()`` stored under it.

        Two requests missing the same key at once both build it (no lock is held while
        building, so a slow read never blocks other keys); the later one wins, and both
        values are equal because the key pins the version."""
        if self.max_entries <= 0:
            return build()
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                value: T = self._items[key]
                return value
            self.misses += 1
        value = build()
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._items)
