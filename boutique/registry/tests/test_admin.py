"""The back office: staff browse registries read-only and close one through
the service."""

import pytest
from django.urls import reverse

from boutique.accounts.tests.factories import StaffFactory
from boutique.audit.models import AuditLog
from boutique.registry.models import Registry

from .factories import make_registry, make_variant

pytestmark = pytest.mark.django_db


def test_staff_browse_registries_without_changing_them(client):
    registry = make_registry(items=[(make_variant(), 2)])
    client.force_login(StaffFactory())
    listing = client.get(reverse("admin:registry_registry_changelist"))
    assert listing.status_code == 200 and "Maya&#x27;s baby shower" in listing.content.decode()
    page = client.get(reverse("admin:registry_registry_change", args=[registry.pk]))
    assert page.status_code == 200
    assert client.get(reverse("admin:registry_registry_add")).status_code == 403


def test_the_close_action_goes_through_the_service(client):
    registry = make_registry()
    staff = StaffFactory()
    client.force_login(staff)
    client.post(
        reverse("admin:registry_registry_changelist"),
        {"action": "close_selected", "_selected_action": [registry.pk]},
    )
    assert Registry.objects.get().status == "closed"
    assert AuditLog.objects.get(action="registry.closed").actor == staff
