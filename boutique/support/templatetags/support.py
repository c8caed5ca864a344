from django import template

from boutique.support.selectors import unread_count_for_user

register = template.Library()


@register.simple_tag(takes_context=True)
def support_unread_count(context) -> int:
    """Staff answers the signed-in customer has not read yet (one query)."""
    request = context.get("request")
    return unread_count_for_user(user=getattr(request, "user", None))
