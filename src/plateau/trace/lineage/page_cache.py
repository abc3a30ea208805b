"""A short-lived cache of what the public consumer page reads (micro-caching).

A lot of a product is printed on thousands of labels, and its consumer page is what most of
the platform's traffic asks for. What the page shows of a lot changes when an event about
it is captured, and otherwise rarely (a product's name, a certificate). So a page's data is
kept for ``public_page_cache_s`` seconds under a key that holds the newest event's number:
a capture shows at once, a registry edit within those seconds. Per web process, bounded in
size, thread-safe (plain ``def`` routes run in a thread pool). 0 seconds turns it off.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plateau.trace.epcis.models import EpcisEvent


class TtlCache:
    """Values by key for ``seconds``, the least recently used dropped past ``size``."""

    def __init__(self, seconds: float, size: int = 2048) -> None:
        self.seconds = seconds
        self.size = size
        self._items: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_build(self, key: Hashable, build: Callable[[], Any]) -> Any:
        if self.seconds <= 0:
            return build()
        now = time.monotonic()
        with self._lock:
            found = self._items.get(key)
            if found is not None and found[0] > now:
                self._items.move_to_end(key)
                return found[1]
        value = build()  # outside the lock: two threads may build the same page once each
        with self._lock:
            self._items[key] = (now + self.seconds, value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value


def newest_event(session: Session) -> int:
    """The number of the newest stored event (0 when none): part of every page's key."""
    return int(session.scalar(select(func.max(EpcisEvent.id))) or 0)
