"""A crude per-address brake for public forms, counted in this process's memory.

With several app processes each counts on its own and a restart forgets: it slows a script
down, it guarantees nothing. Where a real limit matters (complaints), count rows in the
database instead (charity/complaints/services.py).
"""
from __future__ import annotations

import threading
import time
from collections import deque

from flask import current_app


class AddressLimiter:
    """At most `limit` events per remote address per `window` seconds. The limit is read from
    the app's config key (e.g. CHARITY_DROPOFF_RATE_LIMIT) with `default` as a fallback."""

    def __init__(self, name: str, config_key: str, default: int, window: float = 3600):
        self.name, self.config_key, self.default, self.window = name, config_key, default, window
        self._lock = threading.Lock()

    def _hits(self) -> dict[str, deque]:
        return current_app.extensions.setdefault(self.name, {})

    def over(self, address: str) -> bool:
        """Forget hits older than the window; is the address at its limit already?"""
        limit = current_app.config.get(self.config_key, self.default)
        cutoff = time.monotonic() - self.window
        with self._lock:
            hits = self._hits()
            for key in [k for k, q in hits.items() if not q or q[-1] < cutoff]:
                del hits[key]  # keep the dict small: addresses idle for a whole window go
            queue = hits.get(address)
            if queue is None:
                return False
            while queue and queue[0] < cutoff:
                queue.popleft()
            return len(queue) >= limit

    def hit(self, address: str) -> None:
        with self._lock:
            self._hits().setdefault(address, deque()).append(time.monotonic())
