from boutique.cart.models import Cart


def guest_cart() -> Cart:
    return Cart.objects.create()
