"""Caches that are correct by construction: values are stored under the versions of their inputs.

Each input has a *version*: a random token kept in the shared cache (Redis in production, so every
web host agrees) under a name such as `setup` (what the manager edits: clinic settings, therapists
and the lengths they offer, hours, absences, closures, treatments), `clinic` (the clinic settings
alone) or `diary:<therapist id>` (that therapist's appointments). A cached value's key includes
the current version of every input it was computed from, so a write never has to find and delete
what it made stale: it gives its inputs new versions (`bump`) and the old entries are simply never
read again (they expire).

`bump` sets the new versions at once *and* again after the transaction commits. The first makes
the writer's own transaction (and a test, which never commits) read fresh values; the second
closes the gap in which another request could read the old committed rows and store them under
the version the first bump made.

The cache is an optimisation, never a dependency: if it fails, values are computed (and the cache
is left alone for a few seconds so a dead Redis does not cost a timeout on every read). Within one
request, versions and values are read once (a request sees one consistent state).

Round trips to the shared cache are what a cached page costs (a cached day/time panel is four
otherwise: two versions, two values), so two things keep them to one per request:

- Values are also kept in this process (`_local` and `_local_many`, `clinic.core.local_values`:
  bounded LRUs, pickled so every reader gets its own copy, as from Redis), under the same
  versioned key. That is safe by construction: a key names the versions of all its inputs, so
  the value under it never changes; what must be shared and fresh are the versions, and they
  are always read from the shared cache.
- The first version a request asks for brings with it every version this process asked for
  recently (`_recent`, bounded), in the same round trip, so the rest of the request (the
  therapists' diary versions of a panel, the clinic settings' version) reads none.

Models whose every save or delete must bump a version inherit `VersionedModel` and use a
`VersionedQuerySet` (bulk writes too): `clinic.core.versioned`.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import Any, TypeVar

from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import transaction

from .local_values import MISSING as _MISSING
from .local_values import LocalValues

logger = logging.getLogger(__name__)

SETUP = "setup"
CLINIC = "clinic"  # the clinic settings row alone (its saves bump SETUP too)
# Part of every key: raise it when the shape of what is cached changes, so a deploy never reads
# values pickled by the previous code.
FORMAT = "1"
# After the cache fails, how long to compute everything without trying it again.
OUTAGE_BACKOFF_SECONDS = 5.0
DEFAULT_TIMEOUT = 60 * 60

T = TypeVar("T")


_down_until = 0.0

# Per request: versions and values already read (see `_start_scope`).
_scope: ContextVar[dict | None] = ContextVar("versions_scope", default=None)

# This process's copies of values, by versioned key (safe: the value under a key never changes).
# Two stores, bounded by count: `cached` values (pages, panels: tens of kilobytes each, so few
# of them), and `cached_many` items (a therapist-day's free starts: small, and asked for in
# hundreds at once: a "no preference" fortnight in a 40-therapist clinic is 560 of them, which
# in the first store would push each other out and be fetched from Redis again every time).
LOCAL_ENTRIES = 512
LOCAL_MANY_ENTRIES = 4096
_local = LocalValues(LOCAL_ENTRIES)
_local_many = LocalValues(LOCAL_MANY_ENTRIES)
# Version names this process asked for lately, read together at a request's first version read.
RECENT_NAMES = 256
_recent: OrderedDict[str, None] = OrderedDict()
_lock = threading.Lock()


def _version_key(name: str) -> str:
    return f"v{FORMAT}:version:{name}"


def _cache_usable() -> bool:
    return time.monotonic() >= _down_until


def _cache_failed(error: Exception) -> None:
    global _down_until
    _down_until = time.monotonic() + OUTAGE_BACKOFF_SECONDS
    logger.warning("cache unavailable, computing instead for %ss: %r", OUTAGE_BACKOFF_SECONDS, error)


def forget_outage() -> None:
    """Try the cache again at once (tests, after pointing it back at a live server)."""
    global _down_until
    _down_until = 0.0


def _remember_names(names: list[str]) -> list[str]:
    """Note `names` as recently asked for; return the others recently asked for."""
    with _lock:
        for name in names:
            _recent[name] = None
            _recent.move_to_end(name)
        while len(_recent) > RECENT_NAMES:
            _recent.popitem(last=False)
        return [n for n in _recent if n not in names]


def current(names: Iterable[str], *, alone: bool = False) -> dict[str, str] | None:
    """The current version of each name (created if the cache has none); None if the cache is down.

    `alone=True`: the caller knows these are all the versions its request needs, so the first
    read does not bring the others this process asked for lately (a "no preference" page in a
    40-therapist clinic would otherwise read 40 diaries' versions it does not need)."""
    names = list(dict.fromkeys(names))
    connection = transaction.get_connection()
    if connection.in_atomic_block and (pending := _pending(connection, create=False)) is not None:
        pending.unread.difference_update(names)  # a value may be cached under these now
    scope = _scope.get()
    known = {n: scope["versions"][n] for n in names if n in scope["versions"]} if scope is not None else {}
    wanted = [n for n in names if n not in known]
    others = _remember_names(names)
    if not wanted:
        return known
    if not _cache_usable():
        return None
    # A request's first read brings the versions it will most likely ask for next.
    also = (
        [n for n in others if n not in scope["versions"]]
        if scope is not None and not scope["read"] and not alone
        else []
    )
    try:
        found = cache.get_many([_version_key(n) for n in wanted + also])
        if scope is not None:
            scope["read"] = True
            # Those that exist only: a missing one is created when someone asks for it.
            scope["versions"].update({n: found[_version_key(n)] for n in also if _version_key(n) in found})
        for name in wanted:
            value = found.get(_version_key(name))
            if value is None:
                # First use, or the cache lost it (restart, eviction): any new token will do, as
                # long as every host agrees on it, which `add` (set if absent) ensures.
                value = uuid.uuid4().hex
                if not cache.add(_version_key(name), value, timeout=None):
                    value = cache.get(_version_key(name)) or value
            known[name] = value
    except Exception as error:  # any backend error: the cache is an optimisation
        _cache_failed(error)
        return None
    if scope is not None:
        scope["versions"].update(known)
    return known


def _set_new_versions(names: tuple[str, ...]) -> None:
    scope = _scope.get()
    if scope is not None:
        for name in names:
            scope["versions"].pop(name, None)
        scope["values"].clear()
    try:
        cache.set_many({_version_key(n): uuid.uuid4().hex for n in names}, timeout=None)
    except Exception as error:
        # Entries keep their timeout, so staleness is bounded even if this bump is lost.
        _cache_failed(error)


class _Pending:
    """One transaction's bumps, on its connection: the names to bump again after it commits (all
    at once: a booking writes a patient, an appointment and two texts, each bumping), and the
    names bumped since this connection last read them, whose version need not move again at once
    (nothing this transaction could cache was stored under the one they have)."""

    __slots__ = ("names", "unread")

    def __init__(self):
        self.names: set[str] = set()
        self.unread: set[str] = set()

    def __call__(self) -> None:  # on commit
        names, self.names = self.names, set()
        self.unread.clear()
        if names:
            _set_new_versions(tuple(sorted(names)))


def _pending(connection, *, create: bool) -> _Pending | None:
    """This transaction's `_Pending`. Its commit callback is registered with the first bump; once
    that callback is gone from the connection (the transaction or its savepoint ended), the next
    bump starts afresh, so a name is never taken as bumped by a transaction that did not commit."""
    pending = getattr(connection, "_versions_pending", None)
    if pending is not None and any(entry[1] is pending for entry in connection.run_on_commit):
        return pending
    if not create:
        return None
    pending = _Pending()
    connection._versions_pending = pending
    transaction.on_commit(pending, robust=True)
    return pending


def bump(*names: str) -> None:
    """Give each name a new version now and, inside a transaction, again after it commits."""
    if not names:
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _set_new_versions(names)
        return
    pending = _pending(connection, create=True)
    moving = tuple(n for n in names if n not in pending.unread)
    if moving:
        _set_new_versions(moving)
        pending.unread.update(moving)
    pending.names.update(names)


_release: str | None = None


def release() -> str:
    """A digest of what cached HTML is made with: the project's templates and the static files'
    manifest (the hashed file names pages link to). It is part of every value's key, so after a
    deploy no host serves a panel or a page rendered by the previous release, even while the
    two run side by side (versions, the shared part, stay the same across releases)."""
    global _release
    if _release is None:
        from django.conf import settings
        from django.contrib.staticfiles.storage import staticfiles_storage

        digest = hashlib.blake2b(FORMAT.encode(), digest_size=6)
        digest.update(str(getattr(staticfiles_storage, "manifest_hash", "") or "").encode())
        for folder in (d for engine in settings.TEMPLATES for d in engine.get("DIRS", ())):
            for path in sorted(Path(folder).rglob("*")):
                if path.is_file():
                    digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
        _release = digest.hexdigest()
    return _release


def _digest(versions: Mapping[str, str]) -> str:
    joined = "|".join(f"{n}={v}" for n, v in sorted(versions.items()))
    return hashlib.blake2b(joined.encode(), digest_size=12).hexdigest()


def _key(key: str, versions: Mapping[str, str], digest: str | None = None) -> str:
    return f"v{FORMAT}:{release()}:{key}:{digest or _digest(versions)}"


def cached(
    key: str,
    *,
    depends_on: Iterable[str],
    compute: Callable[[], T],
    timeout: int = DEFAULT_TIMEOUT,
    keep: Callable[[T], bool] | None = None,
    shared: bool = False,
    local: bool = True,
) -> T:
    """The value stored under `key` and the current versions of `depends_on`, computed if absent
    (and stored, unless `keep` says this value must not be).

    `shared=True` is the caller's promise that nobody changes the value it gets (the booking
    catalogue, a rendered panel): this process then keeps the object itself and hands the same
    one to every request, instead of unpickling a copy each time (a dozen model instances for
    the catalogue, on every step of the booking flow).

    `local=False` keeps no copy in this process, only in the shared cache: for values too big for
    an LRU bounded by count (a 40-therapist diary page is a megabyte, and each write makes a new
    one)."""
    versions = current(depends_on)
    if versions is None:
        return compute()
    full_key = _key(key, versions)
    scope = _scope.get()
    if scope is not None and full_key in scope["values"]:
        return scope["values"][full_key]
    value = _local.get(full_key) if local else _MISSING
    if value is _MISSING:
        try:
            value = cache.get(full_key, _MISSING)
        except Exception as error:
            _cache_failed(error)
        if value is not _MISSING and local:
            _local.set_many({full_key: value}, timeout, shared=shared)
    if value is _MISSING:
        value = compute()
        if keep is None or keep(value):
            _store({full_key: value}, timeout, shared=shared, local=_local if local else None)
    if scope is not None:
        scope["values"][full_key] = value
    return value


def cached_many(
    keys: Mapping[Any, tuple[str, Iterable[str]]],
    compute: Callable[[list[Any]], Mapping[Any, Any]],
    *,
    timeout: int = DEFAULT_TIMEOUT,
    shared: bool = False,
) -> dict[Any, Any]:
    """Many values at once: `keys` maps an item to (its key, the names it depends on); `compute`
    gets the items that were not cached and returns {item: value} for them (one load for all).
    `shared=True`: as for `cached` (the caller never changes what it gets)."""
    versions = current(name for _, names in keys.values() for name in names)
    if versions is None:
        return dict(compute(list(keys)))
    # Items mostly share their names (a therapist's fortnight: `setup` and their diary): each
    # set of names is digested once, not once per item.
    digests: dict[tuple[str, ...], str] = {}
    full_keys = {}
    for item, (key, names) in keys.items():
        names = tuple(names)
        if names not in digests:
            digests[names] = _digest({n: versions[n] for n in names})
        full_keys[item] = _key(key, versions, digests[names])
    found = _local_many.get_many(full_keys.values())
    elsewhere = [k for k in full_keys.values() if k not in found]
    if elsewhere:
        try:
            from_cache = cache.get_many(elsewhere)
        except Exception as error:
            _cache_failed(error)
            from_cache = {}
        _local_many.set_many(from_cache, timeout, shared=shared)
        found.update(from_cache)
    result = {item: found[k] for item, k in full_keys.items() if k in found}
    missing = [item for item in keys if item not in result]
    if missing:
        computed = compute(missing)
        result.update(computed)
        _store({full_keys[item]: computed[item] for item in missing}, timeout, shared=shared, local=_local_many)
    return result


def _store(values: Mapping[str, Any], timeout: int, *, shared: bool = False, local: LocalValues | None = _local):
    if not values or not _cache_usable():
        return
    if local is not None:
        local.set_many(values, timeout, shared=shared)
    try:
        cache.set_many(dict(values), timeout=timeout)
    except Exception as error:
        _cache_failed(error)


def forget_local() -> None:
    """Drop this process's copies (a test that must see the shared cache alone)."""
    _local.clear()
    _local_many.clear()
    with _lock:
        _recent.clear()


def _start_scope(**kwargs) -> None:
    _scope.set({"versions": {}, "values": {}, "read": False})


def _end_scope(**kwargs) -> None:
    _scope.set(None)


request_started.connect(_start_scope, dispatch_uid="clinic.core.versions.start")
request_finished.connect(_end_scope, dispatch_uid="clinic.core.versions.end")
