"""A Redis cache that a Redis outage cannot turn into errors.

Everything Kompetence keeps in the cache can be worked out again from the database:
sessions (`cached_db`: the database holds every session), dashboard sums, import
progress. So when Redis is down, restarting or hanging, a read is a miss and a write is
skipped, and the request goes on against the database. Short socket timeouts (see
`CACHES` in the settings) keep a hanging Redis from holding a request for long.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

OUTAGE = (RedisConnectionError, RedisTimeoutError, OSError)


def _tolerant(fallback: Callable[..., Any]) -> Callable:
    """Runs the cache operation; on a Redis outage logs once and returns `fallback(...)`."""

    def decorate(method: Callable) -> Callable:
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except OUTAGE as error:
                logger.warning("Cache unavailable (%s): %s", method.__name__, error)
                return fallback(*args, **kwargs)

        return wrapper

    return decorate


def _default(key, default=None, *args, **kwargs):
    return default


def _nothing(*args, **kwargs):
    return None


def _false(*args, **kwargs):
    return False


def _empty_dict(*args, **kwargs):
    return {}


class TolerantRedisCache(RedisCache):
    """Django's Redis cache, with every operation surviving a Redis outage."""

    get = _tolerant(_default)(RedisCache.get)
    get_many = _tolerant(_empty_dict)(RedisCache.get_many)
    has_key = _tolerant(_false)(RedisCache.has_key)
    set = _tolerant(_nothing)(RedisCache.set)
    add = _tolerant(_false)(RedisCache.add)
    touch = _tolerant(_false)(RedisCache.touch)
    set_many = _tolerant(lambda data, *a, **k: list(data))(RedisCache.set_many)
    delete = _tolerant(_false)(RedisCache.delete)
    delete_many = _tolerant(_nothing)(RedisCache.delete_many)
    clear = _tolerant(_false)(RedisCache.clear)
