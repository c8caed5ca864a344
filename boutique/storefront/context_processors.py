from django.conf import settings
from django.utils.functional import SimpleLazyObject

from boutique.cart.selectors import cart_count, wishlist_product_ids
from boutique.orders.selectors import exchange_rates

from .currency import display_currency
from .helpers import CART_SESSION_KEY


def shop(request):
    return {"SHOP_NAME": settings.SHOP_NAME}


def cart_and_wishlist(request):
    """The header's cart count and the filled hearts, read only when a template
    uses them (one query each)."""
    user = getattr(request, "user", None)
    session = getattr(request, "session", None)
    token = session.get(CART_SESSION_KEY) if session is not None else None
    return {
        "cart_count": SimpleLazyObject(lambda: cart_count(user=user, token=token)),
        "wishlisted": SimpleLazyObject(lambda: wishlist_product_ids(user=user)),
    }


def currency(request):
    """The display currency, the rates (read only when a price needs converting)
    and the currencies a visitor may choose."""
    rates = SimpleLazyObject(exchange_rates)
    chosen = SimpleLazyObject(lambda: display_currency(request, rates))
    return {
        "display_currency": chosen,
        "display_rates": rates,
        "currency_choices": SimpleLazyObject(lambda: sorted(rates)),
    }
