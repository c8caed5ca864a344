"""The client's address, trusting X-Forwarded-For only from our own proxies."""

from django.conf import settings


def client_ip(request) -> str:
    """With TRUSTED_PROXY_COUNT = n > 0, the address n hops from the right of
    X-Forwarded-For (the one our outermost proxy saw); otherwise REMOTE_ADDR."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    hops = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if hops <= 0 or not forwarded:
        return remote
    addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
    if not addresses:
        return remote
    return addresses[-min(hops, len(addresses))]


def axes_client_ip(request) -> str:
    return client_ip(request)
