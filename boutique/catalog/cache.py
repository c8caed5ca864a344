"""The catalogue version: one counter in the shared cache that every cached
read of the catalogue (facet counts, anonymous pages) puts in its key.

Every service that changes what a shopper sees of the catalogue — products,
variants, prices and sale prices, categories, brands, tags, images, stock and
reservations, review ratings, sellers' stores, the footer's links, exchange
rates — calls `catalog_changed()` inside its transaction. The counter moves
again once the transaction commits, so a reader can never keep the old rows
under the newest version: it reads the version before it reads the database,
and the last bump only comes after the new rows are visible. Entries of older versions
are never read again and expire on their own (`CATALOG_CACHE_SECONDS`, or
sooner: no entry outlives the next stock hold's expiry, see fresh_seconds).

With `CATALOG_CACHE = False` nothing is cached (and with the DummyCache backend
nothing is ever found), so every read goes to the database."""

import hashlib
import logging
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

VERSION_KEY = "catalog:version"


def catalog_cache_enabled() -> bool:
    return getattr(settings, "CATALOG_CACHE", True)


def catalog_cache_seconds() -> int:
    return getattr(settings, "CATALOG_CACHE_SECONDS", 300)


def catalog_version() -> int:
    """The current version. A missing counter (a new or flushed cache, an
    evicted key) starts from the clock in microseconds, never from a small
    number an older entry could still carry."""
    try:
        version = cache.get(VERSION_KEY)
        if version is None:
            cache.add(VERSION_KEY, time.time_ns() // 1000, timeout=None)
            version = cache.get(VERSION_KEY)
    except Exception:  # the cache being down must not take the shop down
        logger.warning("catalog cache unavailable", exc_info=True)
        return 0
    return int(version or 0)


def _bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no counter yet: start one past anything cached before
        cache.add(VERSION_KEY, time.time_ns() // 1000 + 1, timeout=None)
    except Exception:
        logger.error("catalog cache version not bumped", exc_info=True)


def catalog_changed() -> None:
    """Mark the cached catalogue stale, now and again when the current
    transaction commits (once, at once, outside a transaction). The bump after
    the commit is the one that matters: a reader between the two may have
    cached the old rows under the first bump's version. The first makes the
    change visible at once to code that runs before the commit (a test's
    transaction, which never commits); a rolled-back change costs one miss."""
    _bump()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(_bump)


def fresh_seconds(version: int) -> int:
    """How long an entry made now at `version` may live: CATALOG_CACHE_SECONDS,
    or less when a stock hold expires sooner. An expiring hold changes what is
    available without any write (so without a bump); the entry must be gone by
    then. The next expiry is looked up once per version (and again once it has
    passed), not per entry."""
    from boutique.inventory.selectors import next_hold_expiry  # inventory imports us

    limit = catalog_cache_seconds()
    key = f"catalog:next-expiry:{version}"
    now = time.time()
    at = cache.get(key)
    if at is None or 0 < at <= now:
        expiry = next_hold_expiry()
        at = expiry.timestamp() if expiry is not None else 0
        cache.set(key, at, limit)
    if not at:
        return limit
    return max(1, min(limit, math.ceil(at - now)))


def cache_key(*parts) -> str:
    """A short key from any parts (filters, paths): hashed, so user input
    never reaches the cache backend's key rules."""
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()
    return digest[:40]


def cached(name: str, parts: tuple, compute):
    """`compute()`'s result for these parts at the current catalogue version,
    from the cache when there (CATALOG_CACHE on), else computed and stored."""
    if not catalog_cache_enabled():
        return compute()
    version = catalog_version()
    key = f"catalog:{name}:{version}:{cache_key(*parts)}"
    try:
        value = cache.get(key)
    except Exception:
        logger.warning("catalog cache unavailable", exc_info=True)
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, fresh_seconds(version))
        except Exception:
            logger.warning("catalog cache unavailable", exc_info=True)
    return value
