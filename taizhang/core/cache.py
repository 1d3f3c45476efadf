"""The shared cache on Redis, as the settings name it when TAIZHANG_REDIS_URL is set: Django's
own Redis backend, except that a Redis that is down or slow makes the cache miss instead of the
page fail (everything cached can be computed again; the held configuration then falls back to
what each process holds, as without Redis)."""

import logging
import time
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)
DOWN = (RedisConnectionError, RedisTimeoutError, OSError)
_warned_at = 0.0


def _down(exc: Exception) -> None:
    global _warned_at
    if time.monotonic() - _warned_at > 60:  # once a minute, not once a request
        _warned_at = time.monotonic()
        log.warning("共享缓存 Redis 不可用,暂按本进程缓存运行 (Redis unreachable: %s)", exc)


class ResilientRedisClient(RedisCacheClient):
    def get(self, key: Any, default: Any) -> Any:
        try:
            return super().get(key, default)
        except DOWN as exc:
            _down(exc)
            return default

    def get_many(self, keys: Any) -> Any:
        try:
            return super().get_many(keys)
        except DOWN as exc:
            _down(exc)
            return {}

    def has_key(self, key: Any) -> Any:
        try:
            return super().has_key(key)
        except DOWN as exc:
            _down(exc)
            return False

    def add(self, key: Any, value: Any, timeout: Any) -> Any:
        try:
            return super().add(key, value, timeout)
        except DOWN as exc:
            _down(exc)
            return False

    def set(self, key: Any, value: Any, timeout: Any) -> None:
        try:
            super().set(key, value, timeout)
        except DOWN as exc:
            _down(exc)

    def set_many(self, data: Any, timeout: Any) -> None:
        try:
            super().set_many(data, timeout)
        except DOWN as exc:
            _down(exc)

    def touch(self, key: Any, timeout: Any) -> Any:
        try:
            return super().touch(key, timeout)
        except DOWN as exc:
            _down(exc)
            return False

    def delete(self, key: Any) -> Any:
        try:
            return super().delete(key)
        except DOWN as exc:
            _down(exc)
            return False

    def delete_many(self, keys: Any) -> None:
        try:
            super().delete_many(keys)
        except DOWN as exc:
            _down(exc)

    def incr(self, key: Any, delta: int) -> Any:
        try:
            return super().incr(key, delta)
        except DOWN as exc:
            _down(exc)
            raise ValueError("cache unavailable") from exc

    def clear(self) -> Any:
        try:
            return super().clear()
        except DOWN as exc:
            _down(exc)
            return False


class ResilientRedisCache(RedisCache):
    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = ResilientRedisClient
