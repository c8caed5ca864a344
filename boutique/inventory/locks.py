from .models import Stock


def stock_for_update():
    """Stock rows locked in pk order (several variants: always lock in this order)."""
    return Stock.objects.select_for_update().order_by("pk")
