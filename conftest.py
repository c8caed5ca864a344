import pytest

from boutique.accounts.sms import MemorySmsSender


@pytest.fixture(autouse=True)
def _sms_outbox():
    MemorySmsSender.outbox.clear()
    yield MemorySmsSender.outbox
    MemorySmsSender.outbox.clear()


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _english_by_default():
    """Every test starts in English: a request in Arabic or a translation.override
    left active must not change the next test's output."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture
def sms_outbox():
    return MemorySmsSender.outbox


@pytest.fixture
def password():
    return "Tulip-Garden-42"
