import re

import pytest
from django.core import mail

from boutique.accounts.tests.factories import UserFactory

# The catalog's fixtures, for the browsing pages' tests.
from boutique.catalog.tests.conftest import catalog, media_root  # noqa: F401
from boutique.storefront.helpers import LOGIN_BACKEND

HTMX = {"HX-Request": "true"}


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def signed_in(client, user):
    client.force_login(user, backend=LOGIN_BACKEND)
    return client


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def code_from(sms_outbox) -> str:
    return re.search(r"\b(\d{6})\b", sms_outbox[-1]["message"]).group(1)


def path_from_last_email(pattern: str) -> str:
    """The path of the first link in the last email whose path matches `pattern`."""
    match = re.search(r"https?://[^/\s]+(" + pattern + r"[^\s]*)", mail.outbox[-1].body)
    return match.group(1)
