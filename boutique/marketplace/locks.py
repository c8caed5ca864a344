from .models import Payout, Seller


def seller_qs_for_update():
    """Seller rows locked in pk order."""
    return Seller.objects.select_for_update().order_by("pk")


def payout_qs_for_update():
    return Payout.objects.select_for_update().order_by("pk")
