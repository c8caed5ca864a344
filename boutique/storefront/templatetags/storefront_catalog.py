"""Template helpers of the browsing pages."""

import json
from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from ..listing import age_text

register = template.Library()

# The characters that could end the script element or open a comment inside it,
# written as JSON escapes (what django's json_script does for application/json).
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag(takes_context=True)
def json_ld(context, data: dict):
    """{% json_ld data %} → <script type="application/ld+json">…</script>, safe
    whatever the product's name or description contains, carrying the request's
    Content Security Policy nonce (django-csp) so the policy needs no inline
    allowance."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_SCRIPT_ESCAPES)
    request = context.get("request")
    # A lazy object that is falsy until read: str() makes the middleware add it.
    nonce = getattr(request, "csp_nonce", None) if request is not None else None
    if nonce is not None:
        nonce = str(nonce)
        return format_html(
            '<script type="application/ld+json" nonce="{}">{}</script>',
            nonce,
            mark_safe(text),  # noqa: S308
        )
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308


@register.filter
def age_range(product) -> str:
    """{{ product|age_range }} → '0–12 months', '2–5 years', '3 months and up'."""
    return age_text(product.age_min_months, product.age_max_months)


@register.filter
def percent_off(price, compare_at) -> int | str:
    """{{ variant.price|percent_off:variant.compare_at_price }} → 25 (whole percent)."""
    if price is None or not compare_at:
        return ""
    saved = (Decimal(compare_at) - Decimal(price)) / Decimal(compare_at) * 100
    return int(saved.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@register.filter
def in_set(value, collection) -> bool:
    """`{{ product.pk|in_set:wishlisted }}`: membership, safe when the set is missing."""
    try:
        return value in collection
    except TypeError:
        return False
