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

Models whose every save or delete must bump a version inherit `VersionedModel` and use a
`VersionedQuerySet` (bulk writes too).
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from typing import Any, TypeVar

from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import models, transaction

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
_MISSING = object()
_down_until = 0.0

# Per request: versions and values already read (see `_start_scope`).
_scope: ContextVar[dict | None] = ContextVar("versions_scope", default=None)


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


def current(names: Iterable[str]) -> dict[str, str] | None:
    """The current version of each name (created if the cache has none); None if the cache is down."""
    names = list(dict.fromkeys(names))
    scope = _scope.get()
    known = {n: scope["versions"][n] for n in names if n in scope["versions"]} if scope is not None else {}
    wanted = [n for n in names if n not in known]
    if not wanted:
        return known
    if not _cache_usable():
        return None
    try:
        found = cache.get_many([_version_key(n) for n in wanted])
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


def bump(*names: str) -> None:
    """Give each name a new version now and, inside a transaction, again after it commits."""
    if not names:
        return
    _set_new_versions(names)
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        transaction.on_commit(lambda: _set_new_versions(names), robust=True)


def _key(key: str, versions: Mapping[str, str]) -> str:
    digest = hashlib.blake2b("|".join(f"{n}={v}" for n, v in sorted(versions.items())).encode(), digest_size=12)
    return f"v{FORMAT}:{key}:{digest.hexdigest()}"


def cached(
    key: str,
    *,
    depends_on: Iterable[str],
    compute: Callable[[], T],
    timeout: int = DEFAULT_TIMEOUT,
    keep: Callable[[T], bool] | None = None,
) -> T:
    """The value stored under `key` and the current versions of `depends_on`, computed if absent
    (and stored, unless `keep` says this value must not be)."""
    versions = current(depends_on)
    if versions is None:
        return compute()
    full_key = _key(key, versions)
    scope = _scope.get()
    if scope is not None and full_key in scope["values"]:
        return scope["values"][full_key]
    value = _MISSING
    try:
        value = cache.get(full_key, _MISSING)
    except Exception as error:
        _cache_failed(error)
    if value is _MISSING:
        value = compute()
        if keep is None or keep(value):
            _store({full_key: value}, timeout)
    if scope is not None:
        scope["values"][full_key] = value
    return value


def cached_many(
    keys: Mapping[Any, tuple[str, Iterable[str]]],
    compute: Callable[[list[Any]], Mapping[Any, Any]],
    *,
    timeout: int = DEFAULT_TIMEOUT,
) -> dict[Any, Any]:
    """Many values at once: `keys` maps an item to (its key, the names it depends on); `compute`
    gets the items that were not cached and returns {item: value} for them (one load for all)."""
    versions = current(name for _, names in keys.values() for name in names)
    if versions is None:
        return dict(compute(list(keys)))
    full_keys = {item: _key(key, {n: versions[n] for n in names}) for item, (key, names) in keys.items()}
    try:
        found = cache.get_many(list(full_keys.values()))
    except Exception as error:
        _cache_failed(error)
        found = {}
    result = {item: found[k] for item, k in full_keys.items() if k in found}
    missing = [item for item in keys if item not in result]
    if missing:
        computed = compute(missing)
        result.update(computed)
        _store({full_keys[item]: computed[item] for item in missing}, timeout)
    return result


def _store(values: Mapping[str, Any], timeout: int) -> None:
    if not values or not _cache_usable():
        return
    try:
        cache.set_many(dict(values), timeout=timeout)
    except Exception as error:
        _cache_failed(error)


def _start_scope(**kwargs) -> None:
    _scope.set({"versions": {}, "values": {}})


def _end_scope(**kwargs) -> None:
    _scope.set(None)


request_started.connect(_start_scope, dispatch_uid="clinic.core.versions.start")
request_finished.connect(_end_scope, dispatch_uid="clinic.core.versions.end")


# --- models whose writes bump a version -------------------------------------------------------


class VersionedQuerySet(models.QuerySet):
    """Bulk writes bump the model's versions too (after the write, like a save)."""

    def _bumped(self, result):
        bump(*self.model.bumps_versions)
        return result

    def update(self, **kwargs):
        return self._bumped(super().update(**kwargs))

    def delete(self):
        return self._bumped(super().delete())

    def bulk_create(self, objs, *args, **kwargs):
        return self._bumped(super().bulk_create(objs, *args, **kwargs))

    def bulk_update(self, objs, *args, **kwargs):
        return self._bumped(super().bulk_update(objs, *args, **kwargs))


class VersionedModel(models.Model):
    """A model that cached values are computed from: every save or delete bumps `bumps_versions`."""

    bumps_versions: tuple[str, ...] = (SETUP,)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        bump(*self.bumps_versions)

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        bump(*self.bumps_versions)
        return result


def bump_on_m2m_change(relation, *names: str) -> None:
    """Many-to-many changes (`therapist.lengths.set(...)`) save no model: bump on them too.

    A cache-keeping hook on the relation's own signal, not a domain flow."""
    from django.db.models.signals import m2m_changed

    def changed(action, **kwargs):
        if action in ("post_add", "post_remove", "post_clear"):
            bump(*names)

    m2m_changed.connect(changed, sender=relation.through, weak=False, dispatch_uid=f"versions:{relation.through}")
