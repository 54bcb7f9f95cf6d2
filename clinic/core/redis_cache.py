"""Django's Redis cache backend, minus the work it repeats on every call.

Django's `RedisCacheClient.get_client` builds a new `redis.Redis` object for every cache call
(about 170 response callbacks registered each time, a third of a cached page's cost in Redis
calls). A `redis.Redis` is thread-safe and only borrows connections from its pool, so one per
pool serves every call of the process.
"""

from __future__ import annotations

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients.setdefault(id(pool), self._client(connection_pool=pool))
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
