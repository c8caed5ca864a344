"""Address book and children services (boutique.accounts.services.addressbook)."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from boutique.accounts.models import Address, Child
from boutique.accounts.services import (
    address_create,
    address_delete,
    address_update,
    child_create,
    child_delete,
    child_update,
)
from boutique.audit.models import AuditLog
from boutique.core.errors import NotFound, ValidationFailed

from .factories import AddressFactory, ChildFactory, UserFactory

pytestmark = pytest.mark.django_db


def _address(user, **fields):
    data = {
        "type": "shipping",
        "full_name": "Ann Smith",
        "line1": "Hamra Street 12",
        "city": "Beirut",
        "country": "LB",
        **fields,
    }
    return address_create(user=user, **data)


def _defaults(user):
    return sorted(
        Address.objects.filter(user=user, is_default=True).values_list("type", "pk"),
    )


def test_first_address_of_a_type_becomes_default():
    user = UserFactory()
    first = _address(user)
    second = _address(user)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_default, second.is_default) == (True, False)


def test_first_address_of_each_type_is_default_for_that_type():
    user = UserFactory()
    shipping = _address(user, type="shipping")
    billing = _address(user, type="billing")
    assert _defaults(user) == [("billing", billing.pk), ("shipping", shipping.pk)]


def test_address_create_normalises_phone_and_country_and_audits():
    user = UserFactory()
    address = _address(user, phone="03 123 456", country="lb", postal_code=" 1107 ")
    address.refresh_from_db()
    assert (address.phone, address.country, address.postal_code) == ("+9613123456", "LB", "1107")
    log = AuditLog.objects.get(action="address.created")
    assert (log.entity_type, log.entity_id, log.actor) == (
        "accounts.address",
        str(address.pk),
        user,
    )
    assert log.new["city"] == "Beirut"


def test_address_phone_is_read_in_the_address_country():
    address = _address(UserFactory(), phone="098765 43210", country="IN", postal_code="560001")
    assert address.phone == "+919876543210"


def test_address_with_invalid_phone_is_refused():
    user = UserFactory()
    with pytest.raises(ValidationFailed) as exc:
        _address(user, phone="12")
    assert list(exc.value.field_errors) == ["phone"]
    assert not Address.objects.exists()


def test_address_with_invalid_country_is_refused():
    with pytest.raises(ValidationFailed) as exc:
        _address(UserFactory(), country="L1")
    assert "country" in exc.value.field_errors
    assert not Address.objects.exists()


def test_address_with_unknown_field_is_refused():
    with pytest.raises(ValidationFailed):
        _address(UserFactory(), user_id=1)


def test_new_default_address_replaces_the_old_default():
    user = UserFactory()
    old = _address(user)
    new = _address(user, is_default=True)
    old.refresh_from_db()
    assert old.is_default is False
    assert _defaults(user) == [("shipping", new.pk)]


def test_switching_default_with_update_keeps_one_default():
    user = UserFactory()
    first = _address(user)
    second = _address(user)
    address_update(user=user, address_id=second.pk, is_default=True)
    assert _defaults(user) == [("shipping", second.pk)]
    first.refresh_from_db()
    assert first.is_default is False


def test_default_cannot_be_cleared_without_choosing_another():
    user = UserFactory()
    only = _address(user)
    address_update(user=user, address_id=only.pk, is_default=False)
    assert _defaults(user) == [("shipping", only.pk)]


def test_changing_type_of_default_address_promotes_another_in_the_old_type():
    user = UserFactory()
    older = _address(user)
    moved = _address(user, is_default=True)
    address_update(user=user, address_id=moved.pk, type="billing")
    assert _defaults(user) == [("billing", moved.pk), ("shipping", older.pk)]


def test_address_update_audits_only_changed_fields():
    user = UserFactory()
    address = _address(user, city="Beirut")
    address_update(user=user, address_id=address.pk, city="Jounieh", full_name="Ann Smith")
    log = AuditLog.objects.get(action="address.updated")
    assert (log.old, log.new) == ({"city": "Beirut"}, {"city": "Jounieh"})


def test_database_allows_one_default_per_type():
    user = UserFactory()
    AddressFactory(user=user, is_default=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        AddressFactory(user=user, is_default=True)


def test_deleting_the_default_promotes_the_newest_other_address():
    user = UserFactory()
    oldest = _address(user)
    newest = _address(user)
    _address(user, type="billing")
    address_delete(user=user, address_id=oldest.pk)
    assert not Address.objects.filter(pk=oldest.pk).exists()
    newest.refresh_from_db()
    assert newest.is_default is True
    log = AuditLog.objects.get(action="address.deleted")
    assert (log.entity_id, log.old["is_default"]) == (str(oldest.pk), True)


def test_deleting_the_last_address_leaves_no_default():
    user = UserFactory()
    only = _address(user)
    address_delete(user=user, address_id=only.pk)
    assert not Address.objects.filter(user=user).exists()


def test_another_users_address_is_not_found_and_unchanged():
    owner = UserFactory()
    intruder = UserFactory()
    address = _address(owner, city="Beirut")
    with pytest.raises(NotFound):
        address_update(user=intruder, address_id=address.pk, city="Tripoli")
    with pytest.raises(NotFound):
        address_delete(user=intruder, address_id=address.pk)
    address.refresh_from_db()
    assert (address.city, address.user) == ("Beirut", owner)
    assert not Address.objects.filter(user=intruder).exists()
    assert list(AuditLog.objects.values_list("action", flat=True)) == ["address.created"]


def test_child_create_audits():
    user = UserFactory()
    child = child_create(user=user, name=" Lea ", birth_date=date(2024, 3, 1), gender="girl")
    child.refresh_from_db()
    assert (child.name, child.gender, child.user) == ("Lea", "girl", user)
    log = AuditLog.objects.get(action="child.created")
    assert log.new["birth_date"] == "2024-03-01"


def test_child_with_future_birth_date_is_refused():
    user = UserFactory()
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationFailed) as exc:
        child_create(user=user, name="Lea", birth_date=tomorrow)
    assert list(exc.value.field_errors) == ["birth_date"]
    assert not Child.objects.exists()


def test_child_update_to_future_birth_date_is_refused():
    child = ChildFactory(birth_date=date(2024, 3, 1))
    with pytest.raises(ValidationFailed):
        child_update(
            user=child.user,
            child_id=child.pk,
            birth_date=timezone.localdate() + timedelta(days=30),
        )
    child.refresh_from_db()
    assert child.birth_date == date(2024, 3, 1)


def test_child_with_unknown_gender_is_refused():
    with pytest.raises(ValidationFailed) as exc:
        child_create(user=UserFactory(), name="Lea", birth_date=date(2024, 3, 1), gender="x")
    assert "gender" in exc.value.field_errors


def test_child_update_and_delete_are_audited():
    child = ChildFactory(name="Lea")
    child_update(user=child.user, child_id=child.pk, shoe_size="22")
    pk = child.pk
    child_delete(user=child.user, child_id=child.pk)
    assert not Child.objects.filter(pk=pk).exists()
    updated = AuditLog.objects.get(action="child.updated")
    assert (updated.old, updated.new) == ({"shoe_size": ""}, {"shoe_size": "22"})
    deleted = AuditLog.objects.get(action="child.deleted")
    assert (deleted.entity_type, deleted.entity_id) == ("accounts.child", str(pk))


def test_another_users_child_is_not_found_and_unchanged():
    child = ChildFactory(name="Lea")
    intruder = UserFactory()
    with pytest.raises(NotFound):
        child_update(user=intruder, child_id=child.pk, name="Mia")
    with pytest.raises(NotFound):
        child_delete(user=intruder, child_id=child.pk)
    child.refresh_from_db()
    assert child.name == "Lea"
    assert not AuditLog.objects.exists()


def test_child_age_in_months_counts_whole_months():
    today = timezone.localdate()
    child = ChildFactory(birth_date=date(today.year - 1, today.month, 1))
    assert child.age_months == 12
