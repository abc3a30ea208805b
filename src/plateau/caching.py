"""One in-process cache for every domain: least recently used, optionally timed out.

Per web process and thread-safe (plain ``def`` routes run in a thread pool). A value is
built outside the lock, so a slow miss never holds up hits on other keys; two threads
missing the same key at once may each build it once. Values are shared by every caller
and must not be changed by them.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class LruCache(Generic[V]):
    """Values by key, the least recently used dropped past ``size``; with ``seconds``
    set, a value is also dropped that many seconds after it was built (0 turns the cache
    off: every call builds)."""

    def __init__(self, size: int, *, seconds: float | None = None) -> None:
        self.size = size
        self.seconds = seconds
        self._items: OrderedDict[Hashable, tuple[float, V]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_or_build(self, key: Hashable, build: Callable[[], V]) -> V:
        if self.seconds is not None and self.seconds <= 0:
            return build()
        now = time.monotonic()
        with self._lock:
            found = self._items.get(key)
            if found is not None and found[0] > now:
                self._items.move_to_end(key)
                self.hits += 1
                return found[1]
            self.misses += 1
        value = build()
        expires = now + self.seconds if self.seconds is not None else float("inf")
        with self._lock:
            self._items[key] = (expires, value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def get(self, key: Hashable) -> V | None:
        """The value under ``key`` if it has not timed out (None otherwise)."""
        if self.seconds is not None and self.seconds <= 0:
            return None
        with self._lock:
            found = self._items.get(key)
            if found is not None and found[0] > time.monotonic():
                self._items.move_to_end(key)
                self.hits += 1
                return found[1]
            self.misses += 1
            return None

    def put(self, key: Hashable, value: V, *, keep_expiry: bool = False) -> None:
        """Keep ``value`` under ``key``; with ``keep_expiry``, until the time the value it
        replaces was due to go (a value revalidated, not rebuilt, must not live longer than
        what it was built from)."""
        if self.seconds is not None and self.seconds <= 0:
            return
        now = time.monotonic()
        expires = now + self.seconds if self.seconds is not None else float("inf")
        with self._lock:
            old = self._items.get(key)
            if keep_expiry and old is not None:
                expires = min(expires, old[0])
            self._items[key] = (expires, value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
