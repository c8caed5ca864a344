"""Spam limits on support conversations (boutique.core.ratelimit underneath):
each new conversation and each customer message counts once per client address
and once per customer (the signed-in user, or the guest's email), so changing
address or changing account does not lift the limit. Over the limit the page or
API answers 429 with Retry-After. Rates come from settings.RATE_LIMITS
("support_start", "support_message") when set."""

import hashlib

from django.conf import settings

from boutique.core.ratelimit import rate_limit

DEFAULT_RATES = {
    "support_start": "5/h",  # new conversations
    "support_message": "20/10m",  # messages in conversations
}


def _who(user=None, email: str = "") -> str:
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    email = (email or "").strip().lower()
    if email:
        # Hashed: cache keys stay short and free of odd characters.
        return "email:" + hashlib.sha256(email.encode()).hexdigest()[:32]
    return ""


def support_rate_limit(request, *, action: str, user=None, email: str = "") -> None:
    """Count one `action` ("start" or "message"); raise Throttled (429) past the rate."""
    scope = f"support_{action}"
    rate = settings.RATE_LIMITS.get(scope, DEFAULT_RATES[scope])
    rate_limit(request, scope=scope, rate=rate)
    who = _who(user, email)
    if who:
        rate_limit(request, scope=scope, rate=rate, key=who)
