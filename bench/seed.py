"""What the scenarios need from the bench database, run as its own process
with the bench's environment (DATABASE_URL, settings):

    python -m bench.seed prepare   # prints JSON: paths to read, SKUs to buy
    python -m bench.seed hot       # a new 10-unit product for the hot sale
    python -m bench.seed check-hot SKU   # after the sale: sold, on hand, oversold

Products to buy (BENCH-STOCK-*) are made once through the catalog service with
a million units each, so checkouts never run out; the hot product is new for
each run. Read paths are sampled from the generated catalogue."""

import json
import os
import random
import sys
from decimal import Decimal

STOCK_PRODUCTS = 20
STOCK_UNITS = 1_000_000
HOT_UNITS = 10
SAMPLE = 2000


def _category():
    from boutique.catalog import services
    from boutique.catalog.models import Category

    found = Category.objects.filter(slug="bench").first()
    return found or services.category_create(name="Bench", slug="bench")


def _buyable(prefix: str, count: int, units: int) -> list[str]:
    from boutique.catalog.models import Variant
    from boutique.catalog.tests.factories import make_product

    skus = [f"{prefix}-{n:02d}" for n in range(1, count + 1)]
    have = set(Variant.objects.filter(sku__in=skus).values_list("sku", flat=True))
    for n, sku in enumerate(skus, 1):
        if sku not in have:
            make_product(
                f"Bench bodysuit {prefix.lower()} {n}",
                category=_category(),
                variants=[{"sku": sku, "price": Decimal("12.50"), "stock": units}],
            )
    return skus


def _shipping_method() -> int:
    from boutique.orders.models import ShippingMethod

    method = ShippingMethod.objects.filter(is_active=True).order_by("position", "id").first()
    if method is None:
        method = ShippingMethod.objects.create(name="Courier", price=Decimal("4.00"))
    return method.pk


def _read_paths(rng: random.Random) -> dict[str, list[str]]:
    from boutique.catalog.models import Category, Product

    products = list(
        Product.objects.filter(status="active", variants__sku__startswith="GEN-")
        .order_by("?")
        .values_list("slug", flat=True)
        .distinct()[:SAMPLE]
    )
    if not products:
        sys.exit("No generated products: run generate_catalog first.")
    leaves = list(
        Category.objects.filter(slug__startswith="gen-", children__isnull=True).values_list(
            "slug", flat=True
        )
    )
    words = sorted(
        {
            w.lower()
            for slug in products[:300]
            for w in slug.split("-")
            if len(w) > 3 and w.isalpha()
        }
    )
    return {
        "home": ["/"],
        "listing": [
            f"/shop/c/{slug}/?in_stock=true&price_max={rng.choice([20, 40, 60])}" for slug in leaves
        ],
        "search": [f"/search/?q={w}" for w in words[:200]],
        "product": [f"/p/{slug}/" for slug in products],
        "api_list": [
            f"/api/v1/products?page={rng.randint(1, 5)}&page_size=24&sort={s}"
            for s in ("newest", "price_asc", "price_desc")
            for _ in range(10)
        ],
        "api_detail": [f"/api/v1/products/{slug}" for slug in products],
    }


def prepare() -> dict:
    return {
        "paths": _read_paths(random.Random(11)),
        "skus": _buyable("BENCH-STOCK", STOCK_PRODUCTS, STOCK_UNITS),
        "shipping_method": _shipping_method(),
    }


def hot() -> dict:
    from boutique.catalog.tests.factories import make_product

    sku = f"BENCH-HOT-{os.urandom(4).hex()}"
    variant = {"sku": sku, "price": Decimal("199.00"), "stock": HOT_UNITS}
    make_product("Bench hot sale pram", category=_category(), variants=[variant])
    return {"sku": sku, "units": HOT_UNITS, "shipping_method": _shipping_method()}


def check_hot(sku: str) -> dict:
    from django.db.models import Sum

    from boutique.inventory.models import Stock
    from boutique.orders.models import OrderItem

    items = OrderItem.objects.filter(sku=sku).exclude(order__status="cancelled")
    sold = items.aggregate(n=Sum("quantity"))["n"] or 0
    stock = Stock.objects.get(variant__sku=sku)
    return {
        "sku": sku,
        "units": HOT_UNITS,
        "orders": items.values("order").distinct().count(),
        "paid_orders": items.filter(order__payment_status="paid")
        .values("order")
        .distinct()
        .count(),
        "units_sold": sold,
        "on_hand_after": stock.on_hand,
        "oversold": max(0, sold - HOT_UNITS),
    }


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    command = sys.argv[1]
    if command == "prepare":
        out = prepare()
    elif command == "hot":
        out = hot()
    elif command == "check-hot":
        out = check_hot(sys.argv[2])
    else:
        sys.exit(f"unknown command {command}")
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
