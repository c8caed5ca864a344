"""Registry bits other pages include: the "Add to registry" control on the
product page and the registrant's short name."""

from django import template

from ..selectors import registry_active_for_owner, registry_owner_label

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
