"""Sending text messages. Production plugs a provider in through SMS_BACKEND."""

import logging
from abc import ABC, abstractmethod
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SmsSender(ABC):
    """Interface every SMS backend implements."""

    @abstractmethod
    def send(self, *, phone: str, message: str) -> None:
        """Deliver `message` to `phone` (E.164) or raise."""


class ConsoleSmsSender(SmsSender):
    """Development backend: prints the message where `make run` shows it."""

    def send(self, *, phone: str, message: str) -> None:
        print(f"[sms to {phone}] {message}", flush=True)


class MemorySmsSender(SmsSender):
    """Test backend: keeps messages in `outbox`, like Django's locmem email."""

    outbox: list[dict] = []

    def send(self, *, phone: str, message: str) -> None:
        MemorySmsSender.outbox.append({"phone": phone, "message": message})


@cache
def _sender_class(path: str) -> type[SmsSender]:
    return import_string(path)


def get_sms_sender() -> SmsSender:
    return _sender_class(settings.SMS_BACKEND)()
