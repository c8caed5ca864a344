import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from boutique.accounts.models import ApiToken, Role, Status, User
from boutique.accounts.services import token_issue
from boutique.audit.models import AuditLog

from .factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    staff = StaffFactory(email="owner@example.com")
    client.force_login(staff)
    client.staff = staff
    return client


def _action(client, action, users):
    return client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": action, "_selected_action": [u.pk for u in users]},
        follow=True,
    )


def test_user_changelist_searches_by_phone_and_filters_by_role(staff_client):
    UserFactory(email="ann@example.com", phone="+96170111222")
    UserFactory(email="seller@example.com", role=Role.SELLER)
    url = reverse("admin:accounts_user_changelist")

    found = staff_client.get(url, {"q": "70111222"})
    assert found.status_code == 200
    assert [u.email for u in found.context["cl"].result_list] == ["ann@example.com"]

    sellers = staff_client.get(url, {"role__exact": "seller"})
    assert [u.email for u in sellers.context["cl"].result_list] == ["seller@example.com"]


def test_ban_action_goes_through_service_and_is_audited(staff_client):
    target = UserFactory()
    token_issue(user=target)

    response = _action(staff_client, "ban_users", [target])

    assert response.status_code == 200
    target.refresh_from_db()
    assert target.status == Status.BANNED
    assert target.is_active is False
    assert not ApiToken.objects.filter(user=target, revoked_at__isnull=True).exists()
    log = AuditLog.objects.get(entity_id=str(target.pk), action="user.status_changed")
    assert log.actor == staff_client.staff
    assert log.old == {"status": "active"}
    assert log.new["status"] == "banned"


def test_activate_action_restores_a_banned_user(staff_client):
    target = UserFactory(status=Status.BANNED)
    _action(staff_client, "activate_users", [target])
    target.refresh_from_db()
    assert (target.status, target.is_active) == (Status.ACTIVE, True)


def test_staff_cannot_ban_themselves_from_the_list(staff_client):
    response = _action(staff_client, "ban_users", [staff_client.staff])
    staff_client.staff.refresh_from_db()
    assert staff_client.staff.status == Status.ACTIVE
    assert "cannot change your own account" in response.content.decode()


def test_make_admins_action_grants_staff_and_is_audited(staff_client):
    target = UserFactory()
    _action(staff_client, "make_admins", [target])
    target.refresh_from_db()
    assert target.role == Role.ADMIN and target.is_staff
    log = AuditLog.objects.get(entity_id=str(target.pk), action="user.role_changed")
    assert log.old["role"] == "customer" and log.new["role"] == "admin"


def test_add_user_form_registers_through_service(staff_client):
    response = staff_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "New.Staff@Example.com",
            "phone": "",
            "username": "",
            "first_name": "Nour",
            "last_name": "Saad",
            "role": "seller",
            "password1": "Cedar-Forest-88",
            "password2": "Cedar-Forest-88",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(email="new.staff@example.com")
    assert user.role == Role.SELLER
    assert user.check_password("Cedar-Forest-88")
    assert AuditLog.objects.filter(entity_id=str(user.pk), action="user.registered").exists()


def test_add_user_form_reports_duplicate_email_without_creating(staff_client):
    UserFactory(email="taken@example.com")
    before = User.objects.count()
    response = staff_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "TAKEN@example.com",
            "role": "customer",
            "password1": "Cedar-Forest-88",
            "password2": "Cedar-Forest-88",
        },
    )
    assert response.status_code == 200
    assert "already exists" in str(response.context["adminform"].form.errors)
    assert User.objects.count() == before


def test_change_form_updates_profile_and_groups_with_audit(staff_client):
    target = UserFactory(email="old@example.com", first_name="Old")
    group = Group.objects.create(name="Packers")
    url = reverse("admin:accounts_user_change", args=[target.pk])
    page = staff_client.get(url)
    assert page.status_code == 200

    response = staff_client.post(
        url,
        {
            "email": "new@example.com",
            "phone": "",
            "username": "",
            "first_name": "New",
            "last_name": target.last_name,
            "groups": [group.pk],
            **_empty_inlines(),
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    target.refresh_from_db()
    assert (target.email, target.first_name) == ("new@example.com", "New")
    assert list(target.groups.all()) == [group]
    updated = AuditLog.objects.get(entity_id=str(target.pk), action="user.updated")
    assert updated.old["email"] == "old@example.com" and updated.new["email"] == "new@example.com"
    assert updated.actor == staff_client.staff
    assert AuditLog.objects.filter(entity_id=str(target.pk), action="user.groups_changed").exists()


def _empty_inlines() -> dict:
    data = {}
    for prefix in ("addresses", "children", "api_tokens"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    return data


def test_admin_password_change_is_audited_with_staff_actor(staff_client):
    target = UserFactory()
    url = reverse("admin:auth_user_password_change", args=[target.pk])
    response = staff_client.post(
        url,
        {"password1": "Cedar-Forest-88", "password2": "Cedar-Forest-88", "usable_password": "true"},
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.check_password("Cedar-Forest-88")
    log = AuditLog.objects.get(entity_id=str(target.pk), action="user.password_changed")
    assert log.actor == staff_client.staff
    assert "Cedar" not in str(log.new)


def test_customer_cannot_open_the_back_office(client):
    client.force_login(UserFactory())
    response = client.get(reverse("admin:accounts_user_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_demo_load_is_idempotent_and_prints_sign_ins(capsys):
    # The demo catalogue has its own tests (catalog/tests/test_demo.py).
    call_command("demo_load", "--no-catalog")
    call_command("demo_load", "--no-catalog")
    out = capsys.readouterr().out
    assert out.count("admin@boutique.test") == 2
    assert "password:" in out
    admin = User.objects.get(email="admin@boutique.test")
    assert admin.is_superuser and admin.is_staff and admin.is_verified
    customer = User.objects.get(email="maya.parent@boutique.test")
    assert customer.addresses.filter(is_default=True).count() == 2
    assert customer.children.count() == 1
    assert User.objects.get(email="seller@boutique.test").role == "seller"
    assert User.objects.count() == 3


def test_admin_can_disable_password_sign_in_with_audit(staff_client):
    target = UserFactory()
    url = reverse("admin:auth_user_password_change", args=[target.pk])
    response = staff_client.post(url, {"usable_password": "false", "unset-password": "1"})
    assert response.status_code == 302
    target.refresh_from_db()
    assert not target.has_usable_password()
    log = AuditLog.objects.get(entity_id=str(target.pk), action="user.password_disabled")
    assert log.actor == staff_client.staff


def test_createsuperuser_goes_through_the_audited_service(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Cedar-Forest-88")
    call_command("createsuperuser", "--noinput", "--email", "Boss@Example.com")
    boss = User.objects.get(email="boss@example.com")
    assert boss.is_superuser and boss.is_staff and boss.role == Role.ADMIN
    assert boss.check_password("Cedar-Forest-88")
    assert AuditLog.objects.filter(entity_id=str(boss.pk), action="user.registered").exists()
