"""Issue 13's gift registries in the authorisation world: customers A and B
each have a registry (one item, S2's product) made through the services, so a
404 for B on A's registry means "not yours". A's share token opens A's public
page for anyone."""

from datetime import timedelta

from django.utils import timezone

from boutique.registry.services import registry_create, registry_item_add


def add_registry(world) -> None:
    variant = world.s2.product.variants.get()
    for key, customer in (("registry_a", world.a), ("registry_b", world.b)):
        registry = registry_create(
            user=customer.user,
            title=f"{customer.user.first_name}'s shower",
            event_date=timezone.localdate() + timedelta(days=30),
            address_id=customer.address.pk,
            visibility="public",
        )
        item = registry_item_add(
            registry=registry, actor=customer.user, variant_id=variant.pk, quantity=2
        )
        world.extra[key] = registry
        world.extra[f"{key}_item"] = item
