from .models import Order, OrderNumberCounter


def order_for_update():
    return Order.objects.select_for_update().order_by("pk")


def order_counter_for_update():
    return OrderNumberCounter.objects.select_for_update().order_by("pk")
