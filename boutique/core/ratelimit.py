"""Per-client rate limits for endpoints that send email or text messages or
create accounts. Built on django-ninja's cache-backed throttle, so limits are
shared between processes when the cache is Redis."""

import math

from django.conf import settings
from ninja.throttling import SimpleRateThrottle

from .errors import Throttled
from .net import client_ip


class _ScopedClientThrottle(SimpleRateThrottle):
    def __init__(self, scope: str, rate: str, key: str):
        self.scope = scope
        self.key = key
        super().__init__(rate)

    def get_cache_key(self, request) -> str:
        return f"ratelimit:{self.scope}:{self.key}"


def rate_limit(request, *, scope: str, rate: str | None = None, key: str | None = None) -> None:
    """Count one request for (scope, key or the client's address); raise
    Throttled (429) with Retry-After once `rate` (e.g. "5/h", by default
    settings.RATE_LIMITS[scope]) is exceeded."""
    rate = rate or settings.RATE_LIMITS[scope]
    throttle = _ScopedClientThrottle(scope, rate, key or client_ip(request))
    if not throttle.allow_request(request):
        wait = throttle.wait()
        seconds = max(1, math.ceil(wait)) if wait else None
        raise Throttled(
            "Too many requests from here. Please wait a little and try again.",
            retry_after=seconds,
        )
