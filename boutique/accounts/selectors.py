"""Every read of the accounts domain. `*_get_for` helpers check ownership and
answer NotFound for someone else's object."""

from django.conf import settings
from django.db.models.functions import Lower

from boutique.core.errors import NotFound

from .domain import classify_login
from .models import Address, Child, User


def user_find_by_login(login: str) -> User | None:
    """The user an email, phone or username identifies, or None."""
    ident = classify_login(login, region=settings.PHONE_DEFAULT_REGION)
    if not ident.value:
        return None
    if ident.field == "username":
        return User.objects.annotate(u=Lower("username")).filter(u=ident.value.lower()).first()
    return User.objects.filter(**{ident.field: ident.value}).first()


def user_find_by_phone(phone: str) -> User | None:
    return User.objects.filter(phone=phone).first()


def address_list_for(*, user: User):
    return Address.objects.filter(user=user)


def address_get_for(*, user: User, address_id) -> Address:
    address = Address.objects.filter(user=user, pk=address_id).first()
    if address is None:
        raise NotFound("Address not found.")
    return address


def address_default_for(*, user: User, type: str) -> Address | None:
    return Address.objects.filter(user=user, type=type, is_default=True).first()


def child_list_for(*, user: User):
    return Child.objects.filter(user=user)


def child_get_for(*, user: User, child_id) -> Child:
    child = Child.objects.filter(user=user, pk=child_id).first()
    if child is None:
        raise NotFound("Child not found.")
    return child
