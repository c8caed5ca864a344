"""Prices in the visitor's currency: `{% shown amount currency %}`,
`{% shown_line unit quantity currency %}` and `{% shown_subtotal cart_view %}`.
Without a display currency in the context they show the amount as stored."""

from decimal import Decimal

from django import template

from boutique.core.money import format_money

from ..currency import shown as convert_shown
from ..currency import shown_line as convert_line

register = template.Library()


def _target(context, currency: str) -> tuple[str, dict | None]:
    target = str(context.get("display_currency") or currency)
    rates = context.get("display_rates")
    # Read the (lazy) rates only when an amount has to be converted.
    return target, (dict(rates) if rates is not None and target != currency else None)


@register.simple_tag(takes_context=True)
def shown(context, amount, currency="USD"):
    if amount in (None, ""):
        return ""
    target, rates = _target(context, currency)
    return format_money(convert_shown(amount, currency, target, rates), target)


@register.simple_tag(takes_context=True)
def shown_line(context, unit, quantity, currency="USD"):
    target, rates = _target(context, currency)
    return format_money(convert_line(unit, int(quantity), currency, target, rates), target)


@register.simple_tag(takes_context=True)
def shown_subtotal(context, view):
    """The cart's subtotal (lines that can be bought now) in the display currency."""
    target, rates = _target(context, view.currency)
    total = sum(
        (
            convert_line(line.price, line.quantity, line.item.currency, target, rates)
            for line in view.lines
            if line.ok
        ),
        Decimal(0),
    )
    return format_money(total, target)
