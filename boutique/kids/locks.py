from .models import SizeBand


def size_bands_qs_for_update(*, kind: str):
    """The size chart rows of one kind, locked in pk order."""
    return SizeBand.objects.select_for_update().filter(kind=kind).order_by("pk")
