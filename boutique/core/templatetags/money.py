from django import template

from boutique.core.money import format_money, format_number

register = template.Library()


@register.filter
def money(amount, currency="USD"):
    """{{ variant.price|money:variant.currency }} in the active language's way."""
    if amount in (None, ""):
        return ""
    return format_money(amount, currency)


@register.filter
def number(value):
    """{{ product.review_count|number }}: a count or rating, written per language."""
    return format_number(value)
