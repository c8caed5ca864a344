from django.core.management.base import BaseCommand

from boutique.accounts.demo import demo_accounts_load
from boutique.cart.demo import demo_cart_load
from boutique.catalog.demo import demo_catalog_load
from boutique.orders.demo import demo_checkout_load


class Command(BaseCommand):
    help = "Load the demo shop if it is missing, then print the demo sign-ins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-catalog", action="store_true", help="Only the demo accounts, no catalogue."
        )

    def handle(self, *args, **options):
        results = demo_accounts_load()
        created = sum(1 for _, _, was_created in results if was_created)
        self.stdout.write(
            self.style.SUCCESS(f"Demo shop ready ({created} account(s) created now).")
        )
        if not options["no_catalog"]:
            admin = next((user for spec, user, _ in results if user.is_superuser), None)
            summary = demo_catalog_load(actor=admin)
            when = "created now" if summary.created_now else "already there"
            self.stdout.write(
                f"Demo catalogue: {summary.products} products in {summary.categories} "
                f"categories ({when})."
            )
            checkout = demo_checkout_load(actor=admin)
            coupons = "" if checkout.coupons is None else ", coupons"
            self.stdout.write(
                f"Demo checkout: tax, LBP rate, shipping methods{coupons} "
                f"({checkout.created_now} created now)."
            )
            customer = next(
                (user for spec, user, _ in results if spec["label"] == "Customer"), None
            )
            if customer is not None and demo_cart_load(customer=customer):
                self.stdout.write("Demo customer: a wishlist and a cart to look at.")
        self.stdout.write("Demo sign-ins (demo data only; change or remove in production):")
        for spec, user, _ in results:
            login = user.email or user.phone
            self.stdout.write(f"  {spec['label']:<22} {login:<32} password: {spec['password']}")
