"""Fixtures shared by the catalog tests: a small visible-and-hidden catalogue
and real image files in a throwaway MEDIA_ROOT."""

import io
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from boutique.marketplace.models import SellerStatus

from .factories import BrandFactory, CategoryFactory, SellerFactory, TagFactory, make_product


def png_file(name: str = "photo.png", size=(64, 48), color="teal", fmt="PNG", mode="RGB"):
    """An in-memory image upload built with Pillow."""
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, format=fmt)
    content_type = f"image/{fmt.lower()}"
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@dataclass
class Catalog:
    """Four visible products and four hidden ones that match every filter."""

    clothing: object
    bodysuits: object
    gear: object
    strollers: object
    cosy: object
    tiny: object
    organic: object
    gift: object
    seller: object
    striped: object
    plain: object
    hat: object
    stroller: object


def _v(size, color, price, stock, compare=None):
    variant = {"size": size, "color": color, "price": Decimal(price), "stock": stock}
    if compare is not None:
        variant["compare_at_price"] = Decimal(compare)
    return variant


@pytest.fixture
def catalog(db) -> Catalog:
    clothing = CategoryFactory(name="Clothing", slug="clothing", position=1)
    bodysuits = CategoryFactory(name="Bodysuits", slug="bodysuits", parent=clothing)
    gear = CategoryFactory(name="Gear", slug="gear", position=2)
    strollers = CategoryFactory(name="Strollers", slug="strollers", parent=gear)
    cosy = BrandFactory(name="Cosy", slug="cosy")
    tiny = BrandFactory(name="Tiny", slug="tiny")
    organic = TagFactory(name="Organic", slug="organic")
    gift = TagFactory(name="Gift idea", slug="gift")
    seller = SellerFactory(store_name="Little Wheels", slug="little-wheels")

    striped = make_product(
        "Striped bodysuit",
        category=bodysuits,
        brand=cosy,
        tags=[organic],
        age_min_months=0,
        age_max_months=6,
        variants=[_v("0-3M", "Blue", "12.00", 2), _v("3-6M", "Red", "12.00", 0)],
    )
    plain = make_product(
        "Plain bodysuit",
        category=bodysuits,
        brand=tiny,
        tags=[organic, gift],
        age_min_months=0,
        age_max_months=3,
        variants=[_v("0-3M", "Red", "8.00", 5, compare="10.00")],
    )
    hat = make_product(
        "Wool hat",
        category=clothing,
        brand=cosy,
        age_min_months=12,
        variants=[_v("", "Grey", "15.00", 0)],
    )
    stroller = make_product(
        "City stroller",
        category=strollers,
        brand=tiny,
        seller=seller,
        age_max_months=48,
        variants=[_v("", "Black", "300.00", 1)],
    )

    # Hidden: each would match almost any filter if it leaked into the listing.
    hidden = {
        "category": bodysuits,
        "brand": cosy,
        "tags": [organic, gift],
        "variants": [_v("0-3M", "Blue", "5.00", 9, compare="9.00")],
    }
    make_product("Draft bodysuit", status="draft", **hidden)
    make_product("Archived bodysuit", status="archived", **hidden)
    for status in (SellerStatus.PENDING, SellerStatus.SUSPENDED):
        make_product(
            f"Bodysuit from a {status} seller",
            seller=SellerFactory(status=status),
            **hidden,
        )
    return Catalog(
        clothing,
        bodysuits,
        gear,
        strollers,
        cosy,
        tiny,
        organic,
        gift,
        seller,
        striped,
        plain,
        hat,
        stroller,
    )
