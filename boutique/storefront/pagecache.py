"""The anonymous page cache: the hot catalogue pages (home, the listings,
search, the product page, the API's product list and detail) as a first-time
visitor sees them, kept in the shared cache at the current catalogue version
(boutique/catalog/cache.py: any catalogue change makes every entry stale).

Only a GET or HEAD by a visitor who carries no state is served or stored: no
cookie but the CSRF and language cookies (no session, so no cart, currency or
messages; no sign-in), no Authorization header, not an HTMX request. Only a
200 that sets no cookie, is not private and left the session untouched is
stored. The key is the scheme, host, language and full path.

What differs per visitor is stored as a placeholder and filled in for each
response: the CSRF token (the `csrf_token` context processor below gives the
placeholder while a page is being stored; serving calls get_token(), so the
visitor gets a token of their own CSRF cookie, which CsrfViewMiddleware then
sets) and the Content-Security-Policy nonce (the page's JSON-LD nonce is the
request's own, which CSPMiddleware then puts in the header). The middleware
must therefore sit after CsrfViewMiddleware and CSPMiddleware."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import cc_delim_re, patch_vary_headers
from django.utils.crypto import salted_hmac

from boutique.catalog.cache import (
    cache_key,
    catalog_cache_enabled,
    catalog_version,
    fresh_seconds,
)

logger = logging.getLogger(__name__)

CACHED_VIEWS = frozenset(
    {
        "storefront:home",
        "storefront:product_list",
        "storefront:category",
        "storefront:search",
        "storefront:product",
        "api:product_list",
        "api:product_detail",
    }
)
CAPTURE_ATTR = "page_cache_capture"
HEADER = "X-Page-Cache"


def _placeholder(name: str) -> str:
    # Derived from the secret key: a visitor cannot write it into a review or a
    # product name to have someone's token or nonce substituted there.
    return f"pc{salted_hmac('boutique.pagecache', name).hexdigest()[:32]}"


def csrf_placeholder() -> str:
    return _placeholder("csrf")


def nonce_placeholder() -> str:
    return _placeholder("nonce")


def csrf_token(request):
    """Context processor: while a page is being stored its CSRF token is the
    placeholder (listed after Django's own csrf processor, so it wins)."""
    if getattr(request, CAPTURE_ATTR, False):
        return {"csrf_token": csrf_placeholder()}
    return {}


def _allowed_cookies() -> set[str]:
    return {settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME}


def _view_name(request) -> str:
    try:
        return resolve(request.path_info).view_name
    except Resolver404:
        return ""


def cacheable_request(request) -> bool:
    return (
        catalog_cache_enabled()
        and request.method in ("GET", "HEAD")
        and set(request.COOKIES) <= _allowed_cookies()
        and "HTTP_AUTHORIZATION" not in request.META
        and "HTTP_HX_REQUEST" not in request.META
        and _view_name(request) in CACHED_VIEWS
    )


def _cacheable_response(request, response) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    cache_control = {
        part.split("=")[0].strip().lower()
        for part in cc_delim_re.split(response.get("Cache-Control", ""))
    }
    if cache_control & {"private", "no-store", "no-cache"}:
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    messages = getattr(request, "_messages", None)
    return not getattr(messages, "_queued_messages", None)


def _key(request, version: int) -> str:
    parts = (
        request.scheme,
        request.get_host(),
        translation.get_language(),
        request.get_full_path(),
    )
    return f"page:{version}:{cache_key(*parts)}"


def _fill(request, content: bytes) -> bytes:
    """The stored page with this visitor's CSRF token and CSP nonce."""
    csrf = csrf_placeholder().encode()
    if csrf in content:
        content = content.replace(csrf, get_token(request).encode())
    nonce = nonce_placeholder().encode()
    if nonce in content and hasattr(request, "csp_nonce"):
        content = content.replace(nonce, str(request.csp_nonce).encode())
    return content


def _stored(request, response) -> dict:
    content = response.content
    nonce = getattr(request, "_csp_nonce", None)
    if isinstance(nonce, str) and nonce:
        content = content.replace(nonce.encode(), nonce_placeholder().encode())
    headers = [(name, value) for name, value in response.headers.items()]
    # SessionMiddleware adds "Vary: Cookie" when the page looked at the session
    # (for the cart count); a cached copy never does, so it says so itself.
    session = getattr(request, "session", None)
    return {
        "content": content,
        "headers": headers,
        "vary_cookie": session is not None and session.accessed,
    }


def _response(request, entry: dict, state: str) -> HttpResponse:
    response = HttpResponse(_fill(request, entry["content"]))
    for name, value in entry["headers"]:
        response.headers[name] = value
    if entry.get("vary_cookie"):
        # Let SessionMiddleware add "Vary: Cookie" as it does for a fresh page:
        # after LocaleMiddleware's Accept-Language, so both have the same Vary.
        session = getattr(request, "session", None)
        if session is not None:
            session.accessed = True
        else:
            patch_vary_headers(response, ("Cookie",))
    response.headers[HEADER] = state
    return response


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not cacheable_request(request):
            return self.get_response(request)
        # The version is read before the page reads the database: a change
        # committed meanwhile moves it past this key (see catalog.cache).
        version = catalog_version()
        key = _key(request, version)
        try:
            entry = cache.get(key)
        except Exception:
            logger.warning("page cache unavailable", exc_info=True)
            return self.get_response(request)
        if entry is not None:
            return _response(request, entry, "hit")

        setattr(request, CAPTURE_ATTR, True)
        response = self.get_response(request)
        setattr(request, CAPTURE_ATTR, False)
        if not _cacheable_response(request, response):
            # Rendered with the placeholder token: fill it in before it leaves.
            if not response.streaming:
                response.content = _fill(request, response.content)
            return response
        entry = _stored(request, response)
        try:
            cache.set(key, entry, fresh_seconds(version))
        except Exception:
            logger.warning("page cache unavailable", exc_info=True)
        return _response(request, entry, "miss")
