import pytest

from boutique.accounts.errors import DuplicateAccount
from boutique.accounts.models import Address, User
from boutique.accounts.services import address_create, user_register
from boutique.accounts.tests.factories import UserFactory

from .helpers import run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_sign_ups_with_one_email_create_one_account():
    def sign_up(i):
        return user_register(
            email="Twin@Example.com",
            password="Tulip-Garden-42",
            first_name=f"Twin {i}",
            send_verification=False,
        )

    results = run_concurrently(sign_up, workers=8)

    created = [r for r in results if isinstance(r, User)]
    refused = [r for r in results if isinstance(r, DuplicateAccount)]
    assert len(created) == 1, results
    assert len(refused) == 7, results
    assert User.objects.filter(email="twin@example.com").count() == 1


def test_concurrent_default_addresses_leave_exactly_one_default():
    user = UserFactory()

    def add(i):
        return address_create(
            user=user,
            type="shipping",
            full_name=f"Home {i}",
            line1="Street 1",
            city="Beirut",
            country="LB",
            is_default=True,
        )

    results = run_concurrently(add, workers=6)

    assert all(isinstance(r, Address) for r in results), results
    assert Address.objects.filter(user=user).count() == 6
    assert Address.objects.filter(user=user, type="shipping", is_default=True).count() == 1
