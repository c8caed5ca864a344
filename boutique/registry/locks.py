"""Row locks for registry writes, always in pk order: the registry row first
(owner edits), then its items. Checkout takes the items only, after the stock
rows, so placing and cancelling orders never wait on each other in a cycle."""

from .models import Registry, RegistryItem, RegistryPurchase


def registry_qs_for_update():
    return Registry.objects.select_for_update().order_by("pk")


def registry_item_qs_for_update():
    return RegistryItem.objects.select_for_update().order_by("pk")


def registry_purchase_qs_for_update():
    return RegistryPurchase.objects.select_for_update().order_by("pk")
