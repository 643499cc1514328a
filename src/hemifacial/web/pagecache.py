"""Rendered page bodies kept per process, keyed by the revision they were rendered at.

Reading a case page costs one indexed query for the case's revision stamp
(:mod:`hemifacial.db.revisions`); only a changed case is rendered again. The cache holds at
most ``max_bytes`` of text, dropping the least recently used pages first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass


@dataclass(frozen=True)
class CachedPage:
    revision: int
    blocks: dict[str, str]

    @property
    def size(self) -> int:
        return sum(len(v) for v in self.blocks.values())


class PageCache:
    """A thread-safe LRU of :class:`CachedPage` bounded by total text size."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._pages: OrderedDict[str, CachedPage] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: str, revision: int) -> CachedPage | None:
        """The page for ``key`` if it was rendered at exactly ``revision``."""
        with self._lock:
            page = self._pages.get(key)
            if page is None or page.revision != revision:
                self.misses += 1
                return None
            self._pages.move_to_end(key)
            self.hits += 1
            return page

    def put(self, key: str, page: CachedPage) -> None:
        if page.size > self.max_bytes:
            return
        with self._lock:
            old = self._pages.pop(key, None)
            if old is not None:
                self._bytes -= old.size
            self._pages[key] = page
            self._bytes += page.size
            while self._bytes > self.max_bytes:
                _, dropped = self._pages.popitem(last=False)
                self._bytes -= dropped.size

    def __len__(self) -> int:
        return len(self._pages)

    @property
    def bytes(self) -> int:
        return self._bytes
