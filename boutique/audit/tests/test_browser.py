"""The audit browser in the back office: filters, search, the old/new table."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from boutique.accounts.tests.factories import StaffFactory, UserFactory
from boutique.audit.diff import audit_diff, changed_fields
from boutique.audit.models import AuditLog
from boutique.audit.services import audit_record

LIST = "admin:audit_auditlog_changelist"


# --- the diff, without a database -----------------------------------------------------------
def test_diff_marks_only_changed_fields():
    rows = audit_diff(
        {"status": "pending", "total": "20.00", "note": "gift"},
        {"status": "paid", "total": "20.00", "paid_at": "2026-11-24T10:00:00"},
    )
    assert [(r.field, r.is_changed) for r in rows] == [
        ("status", True),
        ("total", False),
        ("paid_at", True),
        ("note", True),
    ]
    status, _, paid_at, note = rows
    assert (status.old, status.new) == ('"pending"', '"paid"')
    assert (paid_at.has_old, paid_at.has_new) == (False, True)
    assert (note.has_old, note.has_new, note.new) == (True, False, "")


def test_diff_pretty_prints_nested_values():
    rows = audit_diff({}, {"lines": [{"sku": "A", "qty": 2}], "price": None, "ok": True})
    assert rows[0].new == '[\n  {\n    "qty": 2,\n    "sku": "A"\n  }\n]'
    assert (rows[1].new, rows[2].new) == ("null", "true")
    assert changed_fields({"a": 1, "b": 2}, {"a": 1, "b": 3}) == ["b"]


def test_diff_of_a_value_that_is_not_an_object():
    assert [(r.field, r.old, r.new) for r in audit_diff("x", None)] == [("value", '"x"', "")]


# --- the admin ------------------------------------------------------------------------------
@pytest.fixture
def staff(db):
    return StaffFactory(email="boss@example.com")


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def entries(staff):
    customer = UserFactory(email="rima@example.com")
    target = UserFactory()
    return {
        "by_staff": audit_record(
            entity=target,
            action="user.status_changed",
            actor=staff,
            old={"status": "active", "role": "customer"},
            new={"status": "banned", "role": "customer"},
        ),
        "by_customer": audit_record(
            entity=customer, action="user.profile_changed", actor=customer, new={"phone": "+961"}
        ),
        "by_system": audit_record(
            entity=42, entity_type="orders.order", action="order.expired", new={"status": "x"}
        ),
        "other_id": audit_record(
            entity=420, entity_type="orders.order", action="order.paid", actor=staff
        ),
    }


def _listed(client, **params) -> set[int]:
    response = client.get(reverse(LIST), params)
    assert response.status_code == 200
    assert "?e=1" not in response.get("Location", "")
    return {entry.pk for entry in response.context["cl"].result_list}


@pytest.mark.django_db
def test_filters_by_entity_type_action_and_actor(staff_client, staff, entries):
    e = {name: log.pk for name, log in entries.items()}
    assert _listed(staff_client, entity_type__exact="orders.order") == {
        e["by_system"],
        e["other_id"],
    }
    assert _listed(staff_client, action__exact="order.paid") == {e["other_id"]}
    assert _listed(staff_client, actor="system") == {e["by_system"]}
    assert _listed(staff_client, actor="staff") == {e["by_staff"], e["other_id"]}
    assert _listed(staff_client, actor="customers") == {e["by_customer"]}
    assert _listed(staff_client, actor=str(staff.pk)) == {e["by_staff"], e["other_id"]}


@pytest.mark.django_db
def test_filters_by_date(staff_client, entries):
    old = entries["by_system"]
    AuditLog.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=40))
    since = (timezone.now() - timedelta(days=6)).isoformat()  # as the date filter links it
    assert old.pk not in _listed(staff_client, at__gte=since)
    year, month = old.at.year, (timezone.now() - timedelta(days=40)).month
    assert old.pk in _listed(staff_client, at__year=str(year), at__month=str(month))


@pytest.mark.django_db
def test_search_by_entity_id_is_exact(staff_client, entries):
    assert _listed(staff_client, q="42") == {entries["by_system"].pk}
    assert _listed(staff_client, q="rima@example.com") == {entries["by_customer"].pk}


@pytest.mark.django_db
def test_change_page_shows_a_diff_table(staff_client, entries):
    url = reverse("admin:audit_auditlog_change", args=[entries["by_staff"].pk])
    page = staff_client.get(url).content.decode()
    table = page.split('class="audit-diff"', 1)[1].split("</table>", 1)[0]
    assert '<tr class="audit-changed"><th scope="row">status</th>' in table
    assert "&quot;active&quot;" in table and "&quot;banned&quot;" in table
    assert '<tr class="audit-same"><th scope="row">role</th>' in table
    # A link to the entity and to every entry for it.
    target = entries["by_staff"].entity_id
    assert reverse("admin:accounts_user_change", args=[target]) in page
    assert f"entity_id={target}" in page


@pytest.mark.django_db
def test_diff_values_are_escaped(staff_client):
    log = audit_record(entity=1, entity_type="x.y", action="a", new={"<b>": "<script>x</script>"})
    page = staff_client.get(reverse("admin:audit_auditlog_change", args=[log.pk]))
    text = page.content.decode()
    assert "<script>x</script>" not in text and "&lt;script&gt;" in text


@pytest.mark.django_db
def test_list_runs_a_fixed_number_of_queries(staff_client, staff, django_assert_max_num_queries):
    def add(n):
        for i in range(n):
            actor = UserFactory() if i % 2 else staff
            audit_record(entity=i, entity_type="orders.order", action="order.paid", actor=actor)

    add(3)
    staff_client.get(reverse(LIST))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        staff_client.get(reverse(LIST))
    add(40)
    with django_assert_max_num_queries(len(few)):
        response = staff_client.get(reverse(LIST))
    assert len(response.context["cl"].result_list) == 43
