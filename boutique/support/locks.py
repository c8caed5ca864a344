from .models import Conversation


def conversation_qs_for_update():
    """Conversation rows locked in pk order."""
    return Conversation.objects.select_for_update().order_by("pk")
