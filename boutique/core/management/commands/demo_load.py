from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from boutique.accounts.demo import demo_accounts_load
from boutique.cart.demo import demo_cart_load
from boutique.catalog.demo import demo_catalog_load
from boutique.catalog.demo_safety import demo_safety_load
from boutique.marketplace.demo import demo_marketplace_load
from boutique.orders.demo import demo_checkout_load
from boutique.reviews.demo import demo_reviews_load


class Command(BaseCommand):
    help = "Load the demo shop if it is missing, then print the demo sign-ins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-catalog", action="store_true", help="Only the demo accounts, no catalogue."
        )

    def handle(self, *args, **options):
        # The demo's customers are made up: the messages their demo orders,
        # reviews and applications trigger go to memory, not to the console
        # that `make run` shows (the outbox still records them as sent).
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            self._load(options)

    def _load(self, options):
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
            if demo_safety_load(actor=admin):
                self.stdout.write("Demo safety data: age grading, materials, certifications.")
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
            market = demo_marketplace_load(actor=admin)
            if market.applicant_created or market.payouts_created:
                self.stdout.write(
                    "Demo marketplace: an application to review, a delivered order "
                    "from two sellers and last week's payout."
                )
            if demo_reviews_load(actor=admin).reviews_created:
                self.stdout.write("Demo reviews: rated products and one review to moderate.")
        self.stdout.write("Demo sign-ins (demo data only; change or remove in production):")
        for spec, user, _ in results:
            login = user.email or user.phone
            self.stdout.write(f"  {spec['label']:<22} {login:<32} password: {spec['password']}")
