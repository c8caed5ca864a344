from django import template

from boutique.core.money import format_money

register = template.Library()


@register.filter
def money(amount, currency="USD"):
    """{{ variant.price|money:variant.currency }}"""
    if amount in (None, ""):
        return ""
    return format_money(amount, currency)
