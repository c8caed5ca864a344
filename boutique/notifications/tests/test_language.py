"""Emails are written in the recipient's language: a customer's preferred
language, else the language the order was placed in; amounts follow it."""

import pytest
from django.core import mail
from django.utils import translation

from boutique.accounts.tests.factories import UserFactory
from boutique.checkout.tests.test_services import _cart, _place, _variant, courier  # noqa: F401
from boutique.notifications.models import Notification
from boutique.orders.services import order_cancel, order_mark_paid
from boutique.orders.tests.factories import order_factory

pytestmark = pytest.mark.django_db


def test_a_french_customer_gets_the_email_in_french(django_capture_on_commit_callbacks):
    maya = UserFactory(email="maya@example.com", preferred_language="fr")
    order = order_factory(user=maya, email=maya.email, language="en")
    with django_capture_on_commit_callbacks(execute=True):
        order_cancel(order=order, reason="")
    email = mail.outbox[-1]
    assert email.subject == f"Votre commande {order.number} a été annulée"
    assert f"La commande {order.number} a été annulée." in email.body
    html = email.alternatives[0][0]
    assert '<html lang="fr" dir="ltr">' in html and "Continuer vos achats" in html
    assert Notification.objects.get(template="order_cancelled").language == "fr"


def test_a_guest_gets_the_language_the_order_was_placed_in(django_capture_on_commit_callbacks):
    order = order_factory(user=None, email="guest@example.com", language="ar", currency="LBP")
    with django_capture_on_commit_callbacks(execute=True):
        order_mark_paid(order=order)
    email = mail.outbox[-1]
    assert email.subject == f"تم استلام الدفعة للطلب {order.number}"
    html = email.alternatives[0][0]
    assert '<html lang="ar" dir="rtl">' in html
    assert "ل.ل." in email.body  # the amount in the Arabic form, without decimals
    assert ".00" not in email.body


def test_without_a_language_the_email_is_in_english(django_capture_on_commit_callbacks):
    order = order_factory(user=None, email="guest@example.com", language="")
    with translation.override("fr"), django_capture_on_commit_callbacks(execute=True):
        # Staff working in French do not change the customer's language.
        order_cancel(order=order, reason="")
    assert mail.outbox[-1].subject == f"Your order {order.number} has been cancelled"


def test_the_order_remembers_the_language_it_was_placed_in(courier):  # noqa: F811
    with translation.override("fr"):
        order, _ = _place(_cart((_variant(), 1)), courier)
    assert order.language == "fr"
    row = Notification.objects.get(template="order_confirmation", reference_id=order.number)
    assert row.language == "fr"
