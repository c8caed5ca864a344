import pytest

from boutique.notifications.senders import MemoryMessageSender


@pytest.fixture(autouse=True)
def message_outbox():
    MemoryMessageSender.outbox.clear()
    yield MemoryMessageSender.outbox
    MemoryMessageSender.outbox.clear()
