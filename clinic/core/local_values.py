"""This process's copies of cached values: a bounded LRU with expiry (`clinic.core.versions`).

Each copy is pickled, so every reader gets its own, as from Redis, unless its callers promised
never to change it (`shared=True`): then the object itself is kept and handed to everyone (no
unpickling on every request).
"""

from __future__ import annotations

import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

MISSING = object()


class _Shared:
    """A value kept as the object itself, not as a pickled copy."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


def _unpack(stored):
    return stored.value if isinstance(stored, _Shared) else pickle.loads(stored)


class LocalValues:
    """Up to `limit` values by key, the least recently read dropped first, each until its timeout."""

    def __init__(self, limit: int):
        self.limit = limit
        self._entries: OrderedDict[str, tuple[float, bytes | _Shared]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str):
        """The value under `key`, or `MISSING`."""
        found = self.get_many([key])
        return found[key] if found else MISSING

    def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        """Those of `keys` held here, under one hold of the lock (a "no preference" fortnight in a
        40-therapist clinic asks for 560 at once)."""
        now = time.monotonic()
        stored = {}
        with self._lock:
            for key in keys:
                entry = self._entries.get(key)
                if entry is None:
                    continue
                if entry[0] < now:
                    del self._entries[key]
                    continue
                self._entries.move_to_end(key)
                stored[key] = entry[1]
        return {key: _unpack(value) for key, value in stored.items()}

    def set_many(self, values: Mapping[str, Any], timeout: int, *, shared: bool = False) -> None:
        expires = time.monotonic() + timeout
        entries = {}
        for key, value in values.items():
            if shared:
                entries[key] = (expires, _Shared(value))
                continue
            try:
                entries[key] = (expires, pickle.dumps(value, pickle.HIGHEST_PROTOCOL))
            except Exception:  # not picklable here: the shared cache would refuse it too
                continue
        with self._lock:
            for key, entry in entries.items():
                self._entries[key] = entry
                self._entries.move_to_end(key)
            while len(self._entries) > self.limit:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __iter__(self) -> Iterator[str]:
        with self._lock:
            return iter(list(self._entries))
