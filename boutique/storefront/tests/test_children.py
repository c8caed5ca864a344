import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from boutique.accounts.models import Child
from boutique.accounts.tests.factories import ChildFactory

from .conftest import HTMX

LIST = reverse("storefront:children")
CREATE = reverse("storefront:child_create")


def edit_url(child):
    return reverse("storefront:child_update", args=[child.pk])


def delete_url(child):
    return reverse("storefront:child_delete", args=[child.pk])


def months_ago(months: int) -> datetime.date:
    today = timezone.localdate()
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    return today.replace(year=year, month=month + 1, day=1)


@pytest.mark.django_db
def test_child_create_adds_the_child(signed_in, user):
    response = signed_in.post(
        CREATE, {"name": "Yara", "birth_date": "2024-03-01", "gender": "girl", "shoe_size": "21"}
    )
    child = Child.objects.get(user=user)
    assert response.status_code == 302
    assert response.url == LIST
    assert (child.name, child.birth_date.isoformat(), child.shoe_size) == (
        "Yara",
        "2024-03-01",
        "21",
    )


@pytest.mark.django_db
def test_child_with_a_future_birthday_is_refused(signed_in, user):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = signed_in.post(CREATE, {"name": "Yara", "birth_date": tomorrow.isoformat()})
    assert response.status_code == 422
    assert "The birth date cannot be in the future." in response.content.decode()
    assert not Child.objects.exists()


@pytest.mark.django_db
def test_children_list_shows_age_in_months(signed_in, user):
    ChildFactory(user=user, name="Yara", birth_date=months_ago(14))
    body = signed_in.get(LIST).content.decode()
    assert "Yara" in body
    assert "14 months old" in body


@pytest.mark.django_db
def test_children_list_shows_the_customers_children_only(signed_in, user):
    ChildFactory(user=user, name="Yara")
    ChildFactory(name="Someone-Else")
    body = signed_in.get(LIST).content.decode()
    assert "Yara" in body
    assert "Someone-Else" not in body


@pytest.mark.django_db
def test_child_update_changes_the_fields(signed_in, user):
    child = ChildFactory(user=user, name="Yara")
    response = signed_in.post(
        edit_url(child), {"name": "Yara", "birth_date": "2023-05-02", "clothing_size": "2T"}
    )
    child.refresh_from_db()
    assert response.status_code == 302
    assert (child.birth_date.isoformat(), child.clothing_size) == ("2023-05-02", "2T")


@pytest.mark.django_db
def test_child_delete_removes_the_child(signed_in, user):
    child = ChildFactory(user=user)
    response = signed_in.post(delete_url(child))
    assert response.status_code == 302
    assert response.url == LIST
    assert not Child.objects.filter(pk=child.pk).exists()


@pytest.mark.django_db
def test_child_delete_over_htmx_returns_an_empty_row_and_the_message(signed_in, user):
    child = ChildFactory(user=user)
    response = signed_in.post(delete_url(child), headers=HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.startswith('<div id="messages"')
    assert 'hx-swap-oob="true"' in body
    assert f"child-{child.pk}" not in body
    assert not Child.objects.filter(pk=child.pk).exists()


@pytest.mark.django_db
def test_another_users_child_is_404_on_edit_and_delete(signed_in):
    theirs = ChildFactory(name="Karim")
    assert signed_in.get(edit_url(theirs)).status_code == 404
    response = signed_in.post(edit_url(theirs), {"name": "Changed", "birth_date": "2024-01-01"})
    assert response.status_code == 404
    assert signed_in.post(delete_url(theirs)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "Karim"
