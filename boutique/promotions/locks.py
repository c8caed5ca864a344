from .models import Coupon


def coupon_for_update():
    """Coupon rows locked in pk order: every redemption and every returned use
    holds its coupon's lock, so the use counts cannot be overtaken."""
    return Coupon.objects.select_for_update().order_by("pk")
