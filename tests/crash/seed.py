"""Seed the crash test's own database: a few products with little stock, a
coupon with a use limit and a shipping method. Run as a script with
DATABASE_URL pointing at that database; prints what it made as JSON.

    DATABASE_URL=postgres://… python -m tests.crash.seed
"""

import json
import os
import sys
from decimal import Decimal

# Products: (price, units received). Little stock, so checkouts compete for it.
CATALOGUE = [("12.50", 30), ("8.00", 25), ("19.99", 15), ("5.25", 40)]
COUPON_CODE = "CRASH10"
COUPON_MAX_USES = 4


def seed() -> dict:
    from boutique.catalog.tests.factories import make_product
    from boutique.orders.models import ShippingMethod
    from boutique.promotions.models import Coupon

    skus = []
    for index, (price, stock) in enumerate(CATALOGUE):
        product = make_product(f"Crash test item {index}", price=price, stock=stock)
        skus.append(product.variants.get().sku)
    method = ShippingMethod.objects.create(name="Courier", price=Decimal("4.00"))
    Coupon.objects.create(
        code=COUPON_CODE, kind="percentage", value=Decimal("10"), max_uses=COUPON_MAX_USES
    )
    return {
        "skus": skus,
        "shipping_method": method.pk,
        "coupon": COUPON_CODE,
        "coupon_max_uses": COUPON_MAX_USES,
    }


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    json.dump(seed(), sys.stdout)


if __name__ == "__main__":
    main()
