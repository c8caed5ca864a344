import pytest
from django.core import mail
from django.urls import reverse

from boutique.accounts.tests.factories import UserFactory
from boutique.storefront.forms.account import ProfileForm

from .conftest import signed_in_user_id

PROFILE = reverse("storefront:profile")
PASSWORD = reverse("storefront:password_change")


def profile_data(user, **changes):
    return {**ProfileForm.initial_for(user), **changes}


@pytest.mark.django_db
def test_profile_shows_the_customers_details(signed_in, user):
    body = signed_in.get(PROFILE).content.decode()
    assert user.email in body
    assert "not verified yet" in body


@pytest.mark.django_db
def test_profile_update_saves_the_changed_fields(signed_in, user):
    response = signed_in.post(PROFILE, profile_data(user, first_name="Rima", username="rima"))
    user.refresh_from_db()
    assert response.status_code == 302
    assert (user.first_name, user.username) == ("Rima", "rima")


@pytest.mark.django_db
def test_profile_update_with_a_taken_email_shows_the_error(signed_in, user):
    UserFactory(email="taken@example.com")
    response = signed_in.post(PROFILE, profile_data(user, email="taken@example.com"))
    user.refresh_from_db()
    assert response.status_code == 409
    assert "An account with this email already exists." in response.content.decode()
    assert user.email != "taken@example.com"


@pytest.mark.django_db
def test_profile_email_change_sends_a_verification_link(signed_in, user):
    signed_in.post(PROFILE, profile_data(user, email="new@example.com"))
    assert mail.outbox[-1].to == ["new@example.com"]


@pytest.mark.django_db
def test_profile_without_changes_saves_nothing(signed_in, user):
    before = user.updated_at
    response = signed_in.post(PROFILE, profile_data(user), follow=True)
    user.refresh_from_db()
    assert user.updated_at == before
    assert "your details are unchanged" in response.content.decode()


@pytest.mark.django_db
def test_password_change_sets_the_new_password_and_keeps_the_session(signed_in, user, password):
    response = signed_in.post(
        PASSWORD,
        {
            "old_password": password,
            "new_password1": "Warm-Mittens-2024",
            "new_password2": "Warm-Mittens-2024",
        },
    )
    user.refresh_from_db()
    assert response.status_code == 302
    assert user.check_password("Warm-Mittens-2024")
    assert signed_in.get(PROFILE).status_code == 200
    assert signed_in_user_id(signed_in) == str(user.pk)


@pytest.mark.django_db
def test_password_change_with_a_wrong_old_password_changes_nothing(signed_in, user, password):
    response = signed_in.post(
        PASSWORD,
        {
            "old_password": "Not-The-Password-1",
            "new_password1": "Warm-Mittens-2024",
            "new_password2": "Warm-Mittens-2024",
        },
    )
    user.refresh_from_db()
    assert response.status_code == 422
    assert "Your old password was entered incorrectly." in response.content.decode()
    assert user.check_password(password)


@pytest.mark.django_db
def test_account_without_a_password_can_set_one(client):
    user = UserFactory(email=None, phone="+9613123456")
    user.set_unusable_password()
    user.save()
    client.force_login(user, backend="boutique.accounts.backends.LoginBackend")
    response = client.post(
        PASSWORD, {"new_password1": "Warm-Mittens-2024", "new_password2": "Warm-Mittens-2024"}
    )
    user.refresh_from_db()
    assert response.status_code == 302
    assert user.check_password("Warm-Mittens-2024")


def test_customers_opt_in_to_the_cart_reminder_on_their_profile(signed_in, user):
    assert not user.cart_reminders
    data = {"first_name": user.first_name, "email": user.email, "cart_reminders": "on"}
    assert signed_in.post(PROFILE, data).status_code == 302
    user.refresh_from_db()
    assert user.cart_reminders
    signed_in.post(PROFILE, {"first_name": user.first_name, "email": user.email})
    user.refresh_from_db()
    assert not user.cart_reminders
