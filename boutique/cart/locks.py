from .models import Cart


def cart_for_update():
    """Cart rows locked in pk order: every cart change holds its cart's lock."""
    return Cart.objects.select_for_update().order_by("pk")
