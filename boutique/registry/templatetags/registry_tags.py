"""Registry bits other pages include: the "Add to registry" control on the
product page and the registrant's short name."""

from django import template
from django.utils.translation import gettext as _

from ..selectors import registry_active_for_owner, registry_cart_lines, registry_owner_label

register = template.Library()


@register.simple_tag
def registry_owner_name(registry) -> str:
    return registry_owner_label(registry)


@register.inclusion_tag("storefront/registry/_add_control.html", takes_context=True)
def registry_add_control(context, variant):
    """For a signed-in customer with an active registry: a small form adding
    this variant to one of them (one query)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    registries = []
    if variant is not None and user is not None and user.is_authenticated:
        registries = registry_active_for_owner(user=user)
    return {"variant": variant, "registries": registries, "request": request}


@register.simple_tag
def registry_gift_labels(cart) -> dict:
    """{cart line id: "Gift for Maya H.'s registry"} for a cart's gift lines (one query)."""
    labels = {}
    for line_id, item in registry_cart_lines(cart=cart).items():
        labels[line_id] = _("Gift for %(name)s's registry") % {
            "name": registry_owner_label(item.registry)
        }
    return labels


@register.filter
def gift_label(labels: dict, line_id) -> str:
    return (labels or {}).get(line_id, "")
