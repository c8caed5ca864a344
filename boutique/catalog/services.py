"""Every write of the catalog: products, variants, images, categories.

Each service validates with full_clean, keeps the product's denormalised
listing fields (min_price, is_on_sale) and its search entry in step, and
audits the change, all in one transaction.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.text import slugify

from boutique.audit.services import audit_record, changed, snapshot
from boutique.core.errors import ValidationFailed, validation_errors_from_django
from boutique.inventory.models import Stock
from boutique.inventory.services import stock_receive

from .errors import DuplicateSku
from .models import Brand, Category, Product, ProductImage, ProductStatus, Tag, Variant
from .search import search_index_product

PRODUCT_FIELDS = (
    "name",
    "slug",
    "description",
    "status",
    "category",
    "brand",
    "seller",
    "age_min_months",
    "age_max_months",
    "is_featured",
)
VARIANT_FIELDS = (
    "sku",
    "size",
    "color",
    "price",
    "compare_at_price",
    "currency",
    "weight_grams",
    "position",
    "is_active",
)


def _clean(instance, *, exclude=()) -> None:
    try:
        instance.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        raise ValidationFailed(
            "Some fields are not valid.", field_errors=validation_errors_from_django(exc)
        ) from exc


def unique_slug(model, text: str, *, exclude_pk=None) -> str:
    base = slugify(text)[:200] or "item"
    slug, n = base, 2
    while model.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def product_refresh_summary(product: Product) -> None:
    """Recompute the listing fields from the active variants."""
    variants = Variant.objects.filter(product=product, is_active=True)
    min_price = variants.aggregate(m=Min("price"))["m"]
    on_sale = any(v.is_on_sale for v in variants.only("price", "compare_at_price"))
    Product.objects.filter(pk=product.pk).update(min_price=min_price, is_on_sale=on_sale)
    product.min_price, product.is_on_sale = min_price, on_sale


def _variant_build(product: Product, data: dict) -> Variant:
    unknown = set(data) - set(VARIANT_FIELDS) - {"stock"}
    if unknown:
        raise ValidationFailed(f"Unknown variant fields: {', '.join(sorted(unknown))}.")
    fields = {k: v for k, v in data.items() if k != "stock"}
    variant = Variant(product=product, **fields)
    _clean(variant, exclude=["product"])
    return variant


def product_create(
    *,
    name: str,
    category: Category,
    variants: list[dict],
    actor=None,
    slug: str | None = None,
    tags: Iterable[Tag] = (),
    **fields,
) -> Product:
    """Create a product with at least one variant (each variant may carry an
    initial `stock`, received as a ledger movement)."""
    if not variants:
        raise ValidationFailed(
            "A product needs at least one variant.",
            field_errors={"variants": ["Add at least one variant."]},
        )
    unknown = set(fields) - set(PRODUCT_FIELDS)
    if unknown:
        raise ValidationFailed(f"Unknown product fields: {', '.join(sorted(unknown))}.")
    product = Product(name=name, category=category, created_by=actor, **fields)
    product.slug = slug or unique_slug(Product, name)
    if product.status == ProductStatus.ACTIVE:
        product.published_at = timezone.now()
    _clean(product, exclude=["search_vector"])
    skus = [v.get("sku") for v in variants]
    if len(set(skus)) != len(skus) or Variant.objects.filter(sku__in=skus).exists():
        raise DuplicateSku("Every variant needs its own SKU, not used by another product.")
    try:
        with transaction.atomic():
            product.save()
            product.tags.set(list(tags))
            for position, data in enumerate(variants):
                data = {"position": position, **data}
                variant = _variant_build(product, data)
                variant.save()
                Stock.objects.create(variant=variant)
                if data.get("stock"):
                    stock_receive(
                        variant=variant,
                        quantity=int(data["stock"]),
                        actor=actor,
                        note="initial stock",
                    )
            product_refresh_summary(product)
            search_index_product(product)
            audit_record(
                entity=product,
                action="product.created",
                actor=actor,
                new={**snapshot(product, PRODUCT_FIELDS), "skus": skus},
            )
    except IntegrityError as exc:
        raise DuplicateSku("A SKU or slug is already used.") from exc
    return product


def product_update(
    *, product: Product, actor=None, tags: Iterable[Tag] | None = None, **fields
) -> Product:
    unknown = set(fields) - set(PRODUCT_FIELDS)
    if unknown:
        raise ValidationFailed(f"Unknown product fields: {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        locked = Product.objects.select_for_update().get(pk=product.pk)
        before = snapshot(locked, PRODUCT_FIELDS)
        for key, value in fields.items():
            setattr(locked, key, value)
        if locked.status == ProductStatus.ACTIVE and locked.published_at is None:
            locked.published_at = timezone.now()
        _clean(locked, exclude=["search_vector"])
        locked.save()
        if tags is not None:
            locked.tags.set(list(tags))
        search_index_product(locked)
        old, new = changed(before, snapshot(locked, PRODUCT_FIELDS))
        if new or tags is not None:
            audit_record(entity=locked, action="product.updated", actor=actor, old=old, new=new)
    return locked


def product_set_status(*, products: Iterable[Product], status: str, actor=None) -> int:
    """Activate, archive or draft several products; returns how many changed."""
    if status not in ProductStatus.values:
        raise ValidationFailed(f"Unknown status {status!r}.")
    count = 0
    with transaction.atomic():
        ids = sorted(p.pk for p in products)
        for locked in Product.objects.select_for_update().filter(pk__in=ids).order_by("pk"):
            if locked.status == status:
                continue
            old = locked.status
            locked.status = status
            update = ["status", "updated_at"]
            if status == ProductStatus.ACTIVE and locked.published_at is None:
                locked.published_at = timezone.now()
                update.append("published_at")
            locked.save(update_fields=update)
            audit_record(
                entity=locked,
                action="product.status_changed",
                actor=actor,
                old={"status": old},
                new={"status": status},
            )
            count += 1
    return count


def variant_create(*, product: Product, actor=None, **data) -> Variant:
    with transaction.atomic():
        variant = _variant_build(product, data)
        if Variant.objects.filter(sku=variant.sku).exists():
            raise DuplicateSku(f"SKU {variant.sku} is already used.")
        variant.save()
        Stock.objects.create(variant=variant)
        if data.get("stock"):
            stock_receive(
                variant=variant, quantity=int(data["stock"]), actor=actor, note="initial stock"
            )
        product_refresh_summary(product)
        audit_record(
            entity=variant,
            action="variant.created",
            actor=actor,
            new=snapshot(variant, VARIANT_FIELDS),
        )
    return variant


def variant_update(*, variant: Variant, actor=None, **data) -> Variant:
    unknown = set(data) - set(VARIANT_FIELDS)
    if unknown:
        raise ValidationFailed(f"Unknown variant fields: {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        locked = Variant.objects.select_for_update().get(pk=variant.pk)
        before = snapshot(locked, VARIANT_FIELDS)
        for key, value in data.items():
            setattr(locked, key, value)
        _clean(locked)
        try:
            with transaction.atomic():
                locked.save()
        except IntegrityError as exc:
            raise DuplicateSku(f"SKU {locked.sku} is already used.") from exc
        product_refresh_summary(locked.product)
        old, new = changed(before, snapshot(locked, VARIANT_FIELDS))
        if new:
            audit_record(entity=locked, action="variant.updated", actor=actor, old=old, new=new)
    return locked


def image_add(
    *,
    product: Product,
    file,
    alt_text: str = "",
    is_primary: bool = False,
    variant: Variant | None = None,
    position: int | None = None,
    actor=None,
) -> ProductImage:
    """Store a validated image and generate its fixed thumbnail sizes. The first
    image of a product becomes its primary image."""
    image = ProductImage(
        product=product,
        variant=variant,
        image=file,
        alt_text=alt_text or product.name,
        is_primary=is_primary,
    )
    _clean(image, exclude=["product"])
    with transaction.atomic():
        others = ProductImage.objects.filter(product=product)
        if not others.exists():
            image.is_primary = True
        elif image.is_primary:
            others.filter(is_primary=True).update(is_primary=False)
        image.position = position if position is not None else others.count()
        image.save()
        for name in ProductImage.THUMBNAILS:
            getattr(image, name).generate()
        audit_record(
            entity=product,
            action="product.image_added",
            actor=actor,
            new={"image": image.image.name, "is_primary": image.is_primary},
        )
    return image


def category_create(
    *, name: str, parent: Category | None = None, slug: str | None = None, actor=None, **fields
) -> Category:
    category = Category(
        name=name, parent=parent, slug=slug or unique_slug(Category, name), **fields
    )
    _clean(category)
    with transaction.atomic():
        category.save()
        audit_record(
            entity=category,
            action="category.created",
            actor=actor,
            new={"name": name, "slug": category.slug, "parent": parent},
        )
    return category


def category_move(*, category: Category, parent: Category | None, actor=None) -> Category:
    """Re-parent a category; refuses to make it its own ancestor."""
    node = parent
    while node is not None:
        if node.pk == category.pk:
            raise ValidationFailed(
                "A category cannot be placed inside itself.",
                field_errors={"parent": ["Choose another parent."]},
            )
        node = node.parent
    with transaction.atomic():
        old = category.parent_id
        category.parent = parent
        category.save(update_fields=["parent", "updated_at"])
        audit_record(
            entity=category,
            action="category.moved",
            actor=actor,
            old={"parent": old},
            new={"parent": parent},
        )
    return category


def brand_create(*, name: str, actor=None, **fields) -> Brand:
    brand = Brand(name=name, slug=fields.pop("slug", None) or unique_slug(Brand, name), **fields)
    _clean(brand)
    with transaction.atomic():
        brand.save()
        audit_record(entity=brand, action="brand.created", actor=actor, new={"name": name})
    return brand


def tag_create(*, name: str, actor=None, **fields) -> Tag:
    tag = Tag(name=name, slug=fields.pop("slug", None) or unique_slug(Tag, name), **fields)
    _clean(tag)
    with transaction.atomic():
        tag.save()
        audit_record(entity=tag, action="tag.created", actor=actor, new={"name": name})
    return tag
