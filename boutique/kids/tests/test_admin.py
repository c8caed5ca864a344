import pytest
from django.urls import reverse

from boutique.accounts.tests.factories import StaffFactory
from boutique.audit.models import AuditLog
from boutique.kids.models import SizeBand

pytestmark = pytest.mark.django_db

ADD = reverse("admin:kids_sizeband_add")


@pytest.fixture
def staff_client(client):
    staff = StaffFactory(email="owner@example.com")
    client.force_login(staff)
    client.staff = staff
    return client


def _form(**fields):
    return {"kind": "clothing", "from_months": 180, "to_months": 204, "label": "15", **fields}


def test_staff_add_a_size_band_through_the_service(staff_client):
    response = staff_client.post(ADD, _form(position=30))
    assert response.status_code == 302
    band = SizeBand.objects.get(label="15")
    log = AuditLog.objects.get(action="size_band.created")
    assert (log.entity_id, log.actor_id) == (str(band.pk), staff_client.staff.pk)


def test_overlapping_band_is_refused_on_the_form(staff_client):
    response = staff_client.post(ADD, _form(from_months=20, to_months=30, label="Bad"))
    assert response.status_code == 200
    assert "overlap" in response.content.decode()
    assert not SizeBand.objects.filter(label="Bad").exists()


def test_band_ending_before_it_starts_is_refused_on_the_form(staff_client):
    response = staff_client.post(ADD, _form(from_months=204, to_months=180, label="Bad"))
    assert response.status_code == 200
    assert "Must be after the first month." in response.content.decode()
    assert not SizeBand.objects.filter(label="Bad").exists()


def test_staff_change_a_band_and_it_is_audited(staff_client):
    band = SizeBand.objects.get(kind="clothing", label="2T")
    url = reverse("admin:kids_sizeband_change", args=[band.pk])
    form = {"kind": "clothing", "from_months": 24, "to_months": 36, "label": "2Y", "position": 6}
    assert staff_client.post(url, form).status_code == 302
    assert SizeBand.objects.get(pk=band.pk).label == "2Y"
    assert AuditLog.objects.get(action="size_band.updated").new == {"label": "2Y"}


def test_staff_delete_a_band_and_it_is_audited(staff_client):
    band = SizeBand.objects.get(kind="clothing", label="2T")
    url = reverse("admin:kids_sizeband_delete", args=[band.pk])
    assert staff_client.post(url, {"post": "yes"}).status_code == 302
    assert not SizeBand.objects.filter(pk=band.pk).exists()
    assert AuditLog.objects.filter(action="size_band.deleted").count() == 1


def test_the_changelist_lists_the_chart(staff_client):
    body = staff_client.get(reverse("admin:kids_sizeband_changelist")).content.decode()
    assert "18-24M" in body and "EU 22-23" in body
