from .models import CarrierEvent, Shipment


def shipment_for_update():
    return Shipment.objects.select_for_update().order_by("pk")


def carrier_event_for_update():
    return CarrierEvent.objects.select_for_update().order_by("pk")
