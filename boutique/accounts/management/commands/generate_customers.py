"""Bulk synthetic customers for benchmarks (`manage.py generate_customers`).

Benchmark data only: users and their default shipping address are written with
bulk inserts, bypassing the account services (no verification emails, no audit
per row). Every customer shares one password hash (made once: Argon2 per row
would take hours), so they can all sign in with BENCH_PASSWORD. Emails are
`gen-customer-<n>@example.com`; a rerun appends, --up-to tops up.
"""

import random
import time
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from boutique.accounts.models import Address, AddressType, User

EMAIL_PREFIX = "gen-customer-"
BENCH_PASSWORD = "bench-password-1"  # synthetic benchmark accounts only
FIRST = ["Rania", "Omar", "Lea", "Karim", "Maya", "Nadim", "Sara", "Ziad", "Yara", "Hadi",
         "Lina", "Jad", "Nour", "Rami", "Dana", "Fadi", "Celine", "Marc", "Tala"]  # fmt: skip
LAST = ["Haddad", "Khoury", "Saad", "Nassar", "Aoun", "Frem", "Chami", "Mansour", "Daher",
        "Karam", "Azar", "Rizk", "Sfeir", "Gemayel", "Tohme", "Bou Khalil"]  # fmt: skip
CITIES = [("Beirut", "LB"), ("Jounieh", "LB"), ("Byblos", "LB"), ("Tripoli", "LB"),
          ("Saida", "LB"), ("Zahle", "LB"), ("Paris", "FR"), ("Dubai", "AE")]  # fmt: skip
STREETS = ["Hamra St", "Bliss St", "Gouraud St", "Armenia St", "Main Rd", "Corniche"]


def generated_customer_count() -> int:
    return User.objects.filter(email__startswith=EMAIL_PREFIX).count()


def customers_generate(*, customers: int, batch_size: int = 5000, seed: int = 0) -> int:
    """Append `customers` customers, each with a default shipping address,
    joined over the last two years. Returns the first new number."""
    first = generated_customer_count() + 1
    rng = random.Random(f"{seed}:{first}")
    password = make_password(BENCH_PASSWORD)
    now = timezone.now()
    for start in range(0, customers, batch_size):
        numbers = range(first + start, first + min(customers, start + batch_size))
        with transaction.atomic():
            users = []
            for n in numbers:
                joined = now - timedelta(seconds=rng.randint(0, 2 * 365 * 86400))
                users.append(
                    User(
                        email=f"{EMAIL_PREFIX}{n}@example.com",
                        first_name=rng.choice(FIRST),
                        last_name=rng.choice(LAST),
                        password=password,
                        date_joined=joined,
                        is_verified=rng.random() < 0.8,
                        email_verified_at=joined,
                    )
                )
            User.objects.bulk_create(users)
            addresses = []
            for user in users:
                city, country = rng.choice(CITIES)
                addresses.append(
                    Address(
                        user=user,
                        type=AddressType.SHIPPING,
                        full_name=f"{user.first_name} {user.last_name}",
                        phone=f"+9613{rng.randint(100000, 999999)}",
                        line1=f"{rng.choice(STREETS)} {rng.randint(1, 200)}",
                        city=city,
                        country=country,
                        is_default=True,
                    )
                )
            Address.objects.bulk_create(addresses)
    return first


class Command(BaseCommand):
    help = "Append synthetic customers for benchmarks (bulk inserts; not for real shop data)."

    def add_arguments(self, parser):
        how_many = parser.add_mutually_exclusive_group(required=True)
        how_many.add_argument("--customers", type=int, help="How many to add.")
        how_many.add_argument("--up-to", type=int, help="Add what is missing to reach this many.")
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *args, **options):
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        count = options["customers"]
        if options["up_to"] is not None:
            count = options["up_to"] - generated_customer_count()
            if count <= 0:
                self.stdout.write(f"Already {generated_customer_count()} generated customers.")
                return
        if count < 1:
            raise CommandError("--customers must be at least 1.")
        started = time.monotonic()
        first = customers_generate(
            customers=count, batch_size=options["batch_size"], seed=options["seed"]
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {count} customers from {EMAIL_PREFIX}{first} "
                f"in {time.monotonic() - started:.1f} s."
            )
        )
