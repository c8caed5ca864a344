import pytest

from boutique.accounts.services import token_issue

from .factories import UserFactory


@pytest.fixture
def user(db):
    return UserFactory(email="ann@example.com", username="AnnS", phone="+9613123456")


@pytest.fixture
def bearer(user):
    """Authorization header for `user`, as Django test client keyword arguments."""
    secret, _ = token_issue(user=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
