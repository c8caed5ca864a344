"""Row locks for the accounts domain, always taken in pk order."""

from django.db import connection

from .models import OtpCode, User


def user_qs_for_update():
    return User.objects.select_for_update().order_by("pk")


def otp_qs_for_update():
    return OtpCode.objects.select_for_update().order_by("pk")


def phone_lock(phone: str) -> None:
    """Serialise work on one phone number until the transaction ends, even when
    no row exists yet to lock. PostgreSQL: a transaction-scoped advisory lock;
    SQLite: the IMMEDIATE write transaction already serialises writers."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"otp:{phone}"])
