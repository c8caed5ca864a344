from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import HttpResponse
from django.urls import reverse

from boutique.accounts.models import Role
from boutique.accounts.services import token_issue
from boutique.accounts.tests.factories import AddressFactory, StaffFactory, UserFactory
from boutique.audit.models import AuditLog
from boutique.audit.selectors import audit_log_for_entity
from boutique.audit.services import REDACTED, audit_record, changed, snapshot
from boutique.core.middleware import RequestIdMiddleware

pytestmark = pytest.mark.django_db


def test_audit_record_stores_entity_action_actor_and_values():
    actor = StaffFactory(email="boss@example.com")
    target = UserFactory()
    log = audit_record(
        entity=target,
        action="user.role_changed",
        actor=actor,
        old={"role": Role.CUSTOMER},
        new={"role": Role.SELLER},
    )
    log.refresh_from_db()
    assert (log.entity_type, log.entity_id, log.action) == (
        "accounts.user",
        str(target.pk),
        "user.role_changed",
    )
    assert (log.actor, log.actor_label) == (actor, "boss@example.com")
    assert (log.old, log.new) == ({"role": "customer"}, {"role": "seller"})
    assert log.request_id == ""
    assert log.at is not None


def test_audit_record_takes_an_explicit_type_and_id_for_deleted_rows():
    log = audit_record(entity_type="accounts.address", entity=42, action="address.deleted")
    assert (log.entity_type, log.entity_id) == ("accounts.address", "42")


def test_audit_record_without_actor_is_system():
    log = audit_record(entity=UserFactory(), action="user.registered")
    assert (log.actor, log.actor_label) == (None, "system")


def test_audit_record_makes_values_json_safe():
    address = AddressFactory()
    log = audit_record(
        entity=address,
        action="address.updated",
        new={
            "amount": Decimal("12.50"),
            "on": date(2026, 1, 2),
            "at": datetime(2026, 1, 2, 3, 4, tzinfo=UTC),
            "user": address.user,
            "tags": ("a", "b"),
        },
    )
    log.refresh_from_db()
    assert log.new == {
        "amount": "12.50",
        "on": "2026-01-02",
        "at": "2026-01-02T03:04:00+00:00",
        "user": address.user.pk,
        "tags": ["a", "b"],
    }


def test_audit_record_redacts_password_like_fields_at_any_depth():
    log = audit_record(
        entity=UserFactory(),
        action="user.password_changed",
        old={"password": "Old-Secret-1", "key_hash": "abc"},
        new={
            "password": "Tulip-Garden-42",
            "new_password": "Tulip-Garden-43",
            "Password1": "Tulip-Garden-44",
            "code_hash": "f00",
            "api_secret": "s3cr3t",
            "token": "btq_xyz",
            "nested": {"refresh_token": "btq_abc", "email": "ann@example.com"},
            "email": "ann@example.com",
        },
    )
    log.refresh_from_db()
    assert log.old == {"password": REDACTED, "key_hash": REDACTED}
    assert log.new == {
        "password": REDACTED,
        "new_password": REDACTED,
        "Password1": REDACTED,
        "code_hash": REDACTED,
        "api_secret": REDACTED,
        "token": REDACTED,
        "nested": {"refresh_token": REDACTED, "email": "ann@example.com"},
        "email": "ann@example.com",
    }
    stored = str(AuditLog.objects.filter(pk=log.pk).values("old", "new").get())
    for secret in ("Tulip-Garden", "Old-Secret", "s3cr3t", "btq_", "f00"):
        assert secret not in stored


def test_audit_record_rolls_back_with_the_change():
    user = UserFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(entity=user, action="user.updated", new={"first_name": "X"})
        raise RuntimeError("the change failed")
    assert not AuditLog.objects.exists()


def test_snapshot_and_changed_keep_only_differences():
    user = UserFactory(first_name="Ann", last_name="Smith")
    before = snapshot(user, ("first_name", "last_name"))
    user.first_name = "Anna"
    assert changed(before, snapshot(user, ("first_name", "last_name"))) == (
        {"first_name": "Ann"},
        {"first_name": "Anna"},
    )


def test_audit_log_for_entity_lists_only_that_entity():
    one, two = UserFactory(), UserFactory()
    audit_record(entity=one, action="user.updated")
    audit_record(entity=two, action="user.updated")
    assert [log.entity_id for log in audit_log_for_entity(entity=one)] == [str(one.pk)]


# --- through a real request ---------------------------------------------------


def _bearer(user):
    secret, _ = token_issue(user=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_request_id_header_is_recorded_with_the_signed_in_actor(client):
    user = UserFactory(first_name="Ann")
    response = client.patch(
        "/api/v1/me",
        {"first_name": "Anna"},
        content_type="application/json",
        HTTP_X_REQUEST_ID="req-42.abc",
        **_bearer(user),
    )
    assert response.status_code == 200, response.content
    assert response["X-Request-ID"] == "req-42.abc"
    log = AuditLog.objects.get(action="user.updated")
    assert (log.request_id, log.actor, log.entity_id) == ("req-42.abc", user, str(user.pk))
    assert (log.old, log.new) == ({"first_name": "Ann"}, {"first_name": "Anna"})


def test_unsafe_request_id_is_replaced_and_the_new_one_is_recorded(client):
    user = UserFactory()
    response = client.post(
        "/api/v1/me/addresses",
        {"full_name": "Ann", "line1": "Hamra 1", "city": "Beirut", "country": "LB"},
        content_type="application/json",
        HTTP_X_REQUEST_ID="bad id; drop table",
        **_bearer(user),
    )
    assert response.status_code == 201, response.content
    log = AuditLog.objects.get(action="address.created")
    assert log.request_id == response["X-Request-ID"]
    assert len(log.request_id) == 32
    assert log.actor == user


def test_audit_without_explicit_actor_names_the_current_requests_user(rf):
    user = UserFactory()
    request = rf.post("/anything", HTTP_X_REQUEST_ID="r-1")
    request.user = user
    logs = []

    def view(request):
        logs.append(audit_record(entity=user, action="user.updated"))
        return HttpResponse()

    RequestIdMiddleware(view)(request)
    assert (logs[0].actor, logs[0].request_id) == (user, "r-1")
    assert audit_record(entity=user, action="user.updated").request_id == ""


def test_anonymous_request_user_is_recorded_as_system(rf):
    request = rf.post("/anything")
    request.user = AnonymousUser()
    logs = []

    def view(request):
        logs.append(audit_record(entity=42, entity_type="accounts.user", action="x"))
        return HttpResponse()

    RequestIdMiddleware(view)(request)
    assert (logs[0].actor, logs[0].actor_label) == (None, "system")
    assert logs[0].request_id


# --- back office ----------------------------------------------------------------


@pytest.fixture
def staff_client(client):
    client.force_login(StaffFactory())
    return client


@pytest.fixture
def log():
    return audit_record(
        entity=UserFactory(),
        action="user.status_changed",
        old={"status": "active"},
        new={"status": "banned"},
    )


def test_admin_changelist_lists_and_searches_entries(staff_client, log):
    audit_record(entity=UserFactory(), action="user.role_changed")
    url = reverse("admin:audit_auditlog_changelist")
    response = staff_client.get(url, {"q": "status_changed"})
    assert response.status_code == 200
    assert [entry.pk for entry in response.context["cl"].result_list] == [log.pk]
    assert response.context["has_add_permission"] is False
    assert response.context["action_form"] is None


def test_admin_has_no_add_page(staff_client):
    assert staff_client.get(reverse("admin:audit_auditlog_add")).status_code == 403
    assert not AuditLog.objects.exists()


def test_admin_change_page_is_read_only(staff_client, log):
    url = reverse("admin:audit_auditlog_change", args=[log.pk])
    page = staff_client.get(url)
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert "&quot;banned&quot;" in page.content.decode()
    response = staff_client.post(url, {"action": "user.deleted", "entity_id": "1"})
    assert response.status_code == 403
    log.refresh_from_db()
    assert log.action == "user.status_changed"


def test_admin_cannot_delete_entries(staff_client, log):
    url = reverse("admin:audit_auditlog_delete", args=[log.pk])
    assert staff_client.get(url).status_code == 403
    assert staff_client.post(url, {"post": "yes"}).status_code == 403
    response = staff_client.post(
        reverse("admin:audit_auditlog_changelist"),
        {"action": "delete_selected", "_selected_action": [log.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302)
    assert AuditLog.objects.filter(pk=log.pk).exists()


def test_customer_cannot_open_the_audit_log(client, log):
    client.force_login(UserFactory())
    response = client.get(reverse("admin:audit_auditlog_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
