"""Demo accounts for `make run`. Created through the services, once."""

from datetime import date

from django.utils import timezone

from .models import Role, User
from .selectors import user_find_by_login
from .services import address_create, child_create, email_verification_confirm, user_register
from .services.users import email_verification_token

DEMO_ACCOUNTS = [
    {
        "label": "Back office (admin)",
        "email": "admin@boutique.test",
        "password": "Calisto-Admin-2026",
        "first_name": "Rania",
        "last_name": "Haddad",
        "role": Role.ADMIN,
        "is_superuser": True,
    },
    {
        "label": "Customer",
        "email": "maya.parent@boutique.test",
        "phone": "+96170123456",
        "username": "mayasmom",
        "password": "Little-Steps-2026",
        "first_name": "Lina",
        "last_name": "Khoury",
        "role": Role.CUSTOMER,
    },
    {
        "label": "Seller (marketplace)",
        "email": "seller@boutique.test",
        "password": "Olive-Acorn-Maker-2026",
        "first_name": "Nour",
        "last_name": "Saade",
        "role": Role.SELLER,
    },
]
SELLER_EMAIL = "seller@boutique.test"


def demo_accounts_load() -> list[tuple[dict, User, bool]]:
    """Create the demo accounts that are missing. Returns (spec, user, created)."""
    results = []
    for spec in DEMO_ACCOUNTS:
        user = user_find_by_login(spec["email"])
        created = user is None
        if created:
            fields = {k: v for k, v in spec.items() if k != "label"}
            user = user_register(**fields, send_verification=False)
            user = email_verification_confirm(token=email_verification_token(user))
            if user.role == Role.CUSTOMER:
                _customer_extras(user)
        results.append((spec, user, created))
    return results


def _customer_extras(user: User) -> None:
    address_create(
        user=user,
        type="shipping",
        full_name="Lina Khoury",
        phone="+96170123456",
        line1="Rue Hamra, Building 12, 3rd floor",
        city="Beirut",
        state="Beirut",
        postal_code="1103",
        country="LB",
        is_default=True,
    )
    address_create(
        user=user,
        type="billing",
        full_name="Lina Khoury",
        line1="Rue Hamra, Building 12, 3rd floor",
        city="Beirut",
        country="LB",
        is_default=True,
    )
    # Maya is 18 months old whenever the demo is loaded, so the home page shows her
    # picks and the children page a suggested size from the chart; her birthday
    # reminder is on.
    today = timezone.localdate()
    months = today.year * 12 + today.month - 1 - 18
    born = date(months // 12, months % 12 + 1, min(today.day, 28))
    child_create(user=user, name="Maya", birth_date=born, gender="girl", birthday_reminders=True)
