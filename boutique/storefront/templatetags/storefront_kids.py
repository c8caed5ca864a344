"""{% child_fit product as fit %}: how a product fits the signed-in customer's
children (one query per request whatever the number of cards; none for guests)."""

from django import template

from ..kids import fit_marker

register = template.Library()


@register.simple_tag(takes_context=True)
def child_fit(context, product):
    return fit_marker(context.get("request"), product)
