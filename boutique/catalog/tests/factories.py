"""Catalog factories. `make_product` goes through the real service so the
denormalised fields, stock rows and search index are what production has."""

import itertools
from decimal import Decimal

import factory

from boutique.catalog import services
from boutique.catalog.models import Brand, Category, Tag
from boutique.marketplace.models import Seller, SellerStatus

_sku = itertools.count(1)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand

    name = factory.Sequence(lambda n: f"Brand {n}")
    slug = factory.Sequence(lambda n: f"brand-{n}")


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    name = factory.Sequence(lambda n: f"Tag {n}")
    slug = factory.Sequence(lambda n: f"tag-{n}")


class SellerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Seller

    owner = factory.SubFactory("boutique.accounts.tests.factories.UserFactory", role="seller")
    store_name = factory.Sequence(lambda n: f"Store {n}")
    slug = factory.Sequence(lambda n: f"store-{n}")
    status = SellerStatus.ACTIVE


def make_product(
    name="Organic cotton bodysuit",
    *,
    category=None,
    variants=None,
    price="10.00",
    stock=5,
    status="active",
    tags=(),
    **fields,
):
    """An active product with one variant (or the given variant dicts)."""
    if variants is None:
        variants = [{"sku": f"SKU-{next(_sku)}", "price": Decimal(price), "stock": stock}]
    else:
        variants = [{"sku": f"SKU-{next(_sku)}", **v} for v in variants]
    return services.product_create(
        name=name,
        category=category or CategoryFactory(),
        variants=variants,
        status=status,
        tags=tags,
        **fields,
    )
