from boutique.core.errors import Conflict, NotFound


class ConversationNotFound(NotFound):
    code = "conversation_not_found"


class ConversationClosed(Conflict):
    code = "conversation_closed"
    title = "This conversation is closed"


class ConversationStatusConflict(Conflict):
    """Closing a closed conversation, reopening an open one."""

    code = "conversation_status_conflict"
