"""Issue 13 in the authorisation world: a sold-out product that customer A and
customer B each wait for (back-in-stock alerts), a guest's unsubscribe link in
world.extra["stock_alert_token"], and a recalled product with a material and a
certification (so the admin's change pages have real rows)."""

from boutique.catalog.safety import certification_create, material_create, recall_issue
from boutique.catalog.tests.factories import make_product
from boutique.inventory.alerts import stock_alert_subscribe, stock_alert_unsubscribe_token


def add_safety(world) -> None:
    beech = material_create(name="Beech wood")
    en71 = certification_create(code="EN71", name="EN 71 Safety of toys")
    blocks = make_product(
        "Wooden blocks",
        category=world.category,
        stock=5,
        min_safe_age_months=36,
        safety_warning="small_parts",
        materials=[beech],
        certifications=[en71],
    )
    world.extra["recall"] = recall_issue(
        product=blocks,
        title="Loose paint",
        description="Paint can flake off.",
        remedy="Return it for a refund.",
        actor=world.staff,
    )
    variant = make_product("Linen sleep sack", category=world.category, stock=0).variants.get()
    for key, user in (("stock_alert_a", world.a.user), ("stock_alert_b", world.b.user)):
        world.extra[key] = stock_alert_subscribe(variant=variant, user=user)
    stock_alert_subscribe(variant=variant, email="guest-waiting@example.com")
    world.extra["stock_alert_token"] = stock_alert_unsubscribe_token("guest-waiting@example.com")
