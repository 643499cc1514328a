"""Rendered page blocks, keyed by the revision they were rendered at.

Reading a cached page costs one indexed query for its revision stamp
(:mod:`hemifacial.db.revisions`); only a changed case is rendered again. Each process keeps
at most ``max_bytes`` of text in memory, dropping the least recently used pages first.

With a ``directory``, pages put with ``shared=True`` are also written there (compressed,
one file per key, replaced atomically), so the other worker processes read a page instead
of rendering it again. The directory is emptied when the app starts: revision numbers are
only meaningful for the database they were read from, and a database restored from a
backup may hand out the same numbers again.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CachedPage:
    revision: int
    blocks: dict[str, str]

    @property
    def size(self) -> int:
        return sum(len(v) for v in self.blocks.values())


class PageCache:
    """A thread-safe LRU of :class:`CachedPage` bounded by total text size."""

    def __init__(self, max_bytes: int, directory: Path | None = None) -> None:
        self.max_bytes = max_bytes
        self.directory = directory
        self._pages: OrderedDict[str, CachedPage] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.shared_hits = self.misses = 0

    def clear_shared(self) -> None:
        """Empty the shared directory (on start: see the module docstring)."""
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory.mkdir(parents=True, exist_ok=True)

    def get(self, key: str, revision: int, *, shared: bool = False) -> CachedPage | None:
        """The page for ``key`` if it was rendered at exactly ``revision`` (looked for in
        the shared directory too when the page is ``shared``)."""
        with self._lock:
            page = self._pages.get(key)
            if page is not None and page.revision == revision:
                self._pages.move_to_end(key)
                self.hits += 1
                return page
        page = self._read(key) if shared else None
        with self._lock:
            if page is not None and page.revision == revision:
                self.shared_hits += 1
                self._remember(key, page)
                return page
            self.misses += 1
            return None

    def fetch(
        self, key: str, revision: int, build: Callable[[], dict[str, str]], *, shared: bool = False
    ) -> CachedPage:
        """The page for ``key`` at ``revision``; ``build`` makes its blocks when none is kept."""
        page = self.get(key, revision, shared=shared)
        if page is None:
            page = CachedPage(revision, build())
            self.put(key, page, shared=shared)
        return page

    def put(self, key: str, page: CachedPage, *, shared: bool = False) -> None:
        with self._lock:
            self._remember(key, page)
        if shared:
            self._write(key, page)

    def _remember(self, key: str, page: CachedPage) -> None:
        if page.size > self.max_bytes:
            return
        old = self._pages.pop(key, None)
        if old is not None:
            self._bytes -= old.size
        self._pages[key] = page
        self._bytes += page.size
        while self._bytes > self.max_bytes:
            _, dropped = self._pages.popitem(last=False)
            self._bytes -= dropped.size

    def _path(self, key: str) -> Path | None:
        if self.directory is None:
            return None
        return self.directory / (hashlib.sha256(key.encode()).hexdigest()[:40] + ".z")

    def _read(self, key: str) -> CachedPage | None:
        path = self._path(key)
        if path is None:
            return None
        try:
            data = json.loads(zlib.decompress(path.read_bytes()))
            return CachedPage(int(data["revision"]), dict(data["blocks"]))
        except (OSError, ValueError, KeyError, zlib.error):
            return None  # absent, half-written by a crash, or from an older version: render

    def _write(self, key: str, page: CachedPage) -> None:
        path = self._path(key)
        if path is None:
            return
        data = zlib.compress(
            json.dumps({"revision": page.revision, "blocks": page.blocks}).encode(), 1
        )
        try:
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except OSError:
            pass  # a full or read-only disk costs speed, never a page

    def __len__(self) -> int:
        return len(self._pages)

    @property
    def bytes(self) -> int:
        return self._bytes
