"""Every write of the catalog: products, variants, images, categories.

Each service validates with full_clean, keeps the product's denormalised
listing fields (min_price, is_on_sale) and its search entry in step, and
audits the change, all in one transaction.
"""

from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Min
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.text import slugify

from boutique.audit.services import audit_record, changed, snapshot
from boutique.core.errors import ValidationFailed, validation_errors_from_django
from boutique.core.images import reencode_image
from boutique.inventory.models import Stock
from boutique.inventory.services import stock_receive

from .cache import catalog_changed
from .errors import DuplicateSku
from .models import (
    AgeBand,
    Brand,
    Category,
    Product,
    ProductImage,
    ProductStatus,
    Tag,
    Variant,
)
from .search import search_index_product

# Per-language copies of name and description (catalog/translation.py), which
# the back office edits beside the fields themselves: name_en, name_ar, …
TRANSLATED_FIELDS = tuple(
    f"{field}_{code}" for field in ("name", "description") for code, _ in settings.LANGUAGES
)
PRODUCT_FIELDS = (
    *TRANSLATED_FIELDS,
    "name",
    "slug",
    "description",
    "status",
    "category",
    "brand",
    "seller",
    "age_min_months",
    "age_max_months",
    "min_safe_age_months",
    "safety_warning",
    "is_featured",
    "is_one_of_a_kind",
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
    catalog_changed()
    product.min_price, product.is_on_sale = min_price, on_sale


def product_set_rating_summary(*, product_id: int, average: Decimal | None, count: int) -> None:
    """Store the approved reviews' average and count on the product (listing,
    sorting and filtering read them without touching reviews). Called by the
    reviews services inside their transaction, holding the product's row lock,
    with figures aggregated after taking it; nothing else writes these fields."""
    Product.objects.filter(pk=product_id).update(rating_average=average, review_count=count)
    catalog_changed()


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
    materials: Iterable = (),
    certifications: Iterable = (),
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
            catalog_changed()
            product.save()
            product.tags.set(list(tags))
            product.materials.set(list(materials))
            product.certifications.set(list(certifications))
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
    *,
    product: Product,
    actor=None,
    tags: Iterable[Tag] | None = None,
    materials: Iterable | None = None,
    certifications: Iterable | None = None,
    **fields,
) -> Product:
    """Edit a product's fields; tags, materials and certifications are replaced
    when given (None leaves them). Takes the product's row lock; audited."""
    unknown = set(fields) - set(PRODUCT_FIELDS)
    if unknown:
        raise ValidationFailed(f"Unknown product fields: {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        catalog_changed()
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
        after = snapshot(locked, PRODUCT_FIELDS)
        for relation, values in (("materials", materials), ("certifications", certifications)):
            if values is not None:
                before[relation] = sorted(str(v) for v in getattr(locked, relation).all())
                getattr(locked, relation).set(list(values))
                after[relation] = sorted(str(v) for v in values)
        search_index_product(locked)
        old, new = changed(before, after)
        if new or tags is not None:
            audit_record(entity=locked, action="product.updated", actor=actor, old=old, new=new)
    return locked


def product_set_status(*, products: Iterable[Product], status: str, actor=None) -> int:
    """Activate, archive or draft several products; returns how many changed."""
    if status not in ProductStatus.values:
        raise ValidationFailed(f"Unknown status {status!r}.")
    count = 0
    with transaction.atomic():
        catalog_changed()
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
        catalog_changed()
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
        catalog_changed()
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
    # Stored re-encoded: pixels only, no EXIF/GPS or other metadata.
    image.image = reencode_image(file)
    with transaction.atomic():
        catalog_changed()
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
        catalog_changed()
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
        catalog_changed()
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
        catalog_changed()
        brand.save()
        audit_record(entity=brand, action="brand.created", actor=actor, new={"name": name})
    return brand


def tag_create(*, name: str, actor=None, **fields) -> Tag:
    tag = Tag(name=name, slug=fields.pop("slug", None) or unique_slug(Tag, name), **fields)
    _clean(tag)
    with transaction.atomic():
        catalog_changed()
        tag.save()
        audit_record(entity=tag, action="tag.created", actor=actor, new={"name": name})
    return tag


# --- Back-office edits: images, categories, brands, tags, age bands -------------
IMAGE_FIELDS = ("alt_text", "is_primary", "position")
CATEGORY_FIELDS = (
    *TRANSLATED_FIELDS,
    *("name", "slug", "description", "position", "image", "is_featured"),
)
BRAND_FIELDS = (*TRANSLATED_FIELDS, "name", "slug", "description")
TAG_FIELDS = (*TRANSLATED_FIELDS, "name", "slug", "description", "image")
AGE_BAND_FIELDS = ("label", "slug", "min_months", "max_months", "position")


def _plain(values: dict) -> dict:
    """A snapshot the audit log can store: files become their names."""
    return {k: v.name if isinstance(v, FieldFile) else v for k, v in values.items()}


def image_update(*, image: ProductImage, actor=None, **fields) -> ProductImage:
    """Change an image's alt text or position, or make it the primary image
    (which clears the flag on the product's other images). A product with
    images always keeps one primary: choose another instead of unsetting it."""
    unknown = set(fields) - set(IMAGE_FIELDS)
    if unknown:
        raise ValidationFailed(f"Unknown image fields: {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        catalog_changed()
        locked = ProductImage.objects.select_for_update().get(pk=image.pk)
        before = snapshot(locked, IMAGE_FIELDS)
        if fields.get("is_primary") is False and locked.is_primary:
            raise ValidationFailed(
                "Make another image primary instead.",
                field_errors={"is_primary": ["Choose another primary image."]},
            )
        if fields.get("is_primary") and not locked.is_primary:
            others = ProductImage.objects.filter(product_id=locked.product_id, is_primary=True)
            others.update(is_primary=False)
        for key, value in fields.items():
            setattr(locked, key, value)
        _clean(locked, exclude=["product", "variant", "image"])
        locked.save(update_fields=[*fields, "updated_at"])
        old, new = changed(before, snapshot(locked, IMAGE_FIELDS))
        if new:
            audit_record(
                entity=locked.product_id,
                entity_type="catalog.product",
                action="product.image_updated",
                actor=actor,
                old={"image": locked.image.name, **old},
                new=new,
            )
    return locked


def image_delete(*, image: ProductImage, actor=None) -> None:
    """Remove an image; the next one becomes primary if it was. The file is
    deleted after commit unless another image row still points at it."""
    with transaction.atomic():
        catalog_changed()
        locked = ProductImage.objects.select_for_update().get(pk=image.pk)
        name, storage, product_id = locked.image.name, locked.image.storage, locked.product_id
        was_primary = locked.is_primary
        locked.delete()
        if was_primary:
            images = ProductImage.objects.filter(product_id=product_id)
            successor = images.order_by("position", "id").values_list("pk", flat=True).first()
            if successor is not None:
                images.filter(pk=successor).update(is_primary=True)
        audit_record(
            entity=product_id,
            entity_type="catalog.product",
            action="product.image_deleted",
            actor=actor,
            old={"image": name, "is_primary": was_primary},
        )
        if not ProductImage.objects.filter(image=name).exists():
            transaction.on_commit(lambda: storage.delete(name))


def _fields_update(instance, fields: dict, *, allowed, action: str, actor, check=None):
    """Shared by the simple back-office edits: lock, set, validate, save, audit
    what changed. Returns (saved instance, old values, new values)."""
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValidationFailed(f"Unknown fields: {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        catalog_changed()
        locked = type(instance).objects.select_for_update().get(pk=instance.pk)
        before = _plain(snapshot(locked, allowed))
        for key, value in fields.items():
            setattr(locked, key, value)
        if check is not None:
            check(locked)
        _clean(locked)
        upload = fields.get("image")
        if upload and not isinstance(upload, FieldFile):
            # A new picture is stored re-encoded, without EXIF/GPS or other metadata.
            locked.image = reencode_image(upload)
        locked.save()
        old, new = changed(before, _plain(snapshot(locked, allowed)))
        if new:
            audit_record(entity=locked, action=action, actor=actor, old=old, new=new)
    return locked, old, new


def _reindex(products) -> None:
    """Refresh the search entries of products whose keywords (category, brand or
    tag names) changed."""
    rows = products.select_related("brand", "category").prefetch_related("tags")
    for product in rows.order_by("pk").iterator(chunk_size=500):
        search_index_product(product)


def _keyword_update(instance, fields: dict, *, allowed, action: str, actor, products):
    """A category, brand or tag edit: its name is a search keyword of its
    products, so a new name refreshes their search entries."""
    with transaction.atomic():
        catalog_changed()
        saved, _, new = _fields_update(
            instance, fields, allowed=allowed, action=action, actor=actor
        )
        if any(key == "name" or key.startswith("name_") for key in new):
            _reindex(products)
    return saved


def category_update(*, category: Category, actor=None, **fields) -> Category:
    """Edit a category's own fields (move it with category_move)."""
    products = Product.objects.filter(category=category)
    return _keyword_update(
        category,
        fields,
        allowed=CATEGORY_FIELDS,
        action="category.updated",
        actor=actor,
        products=products,
    )


def brand_update(*, brand: Brand, actor=None, **fields) -> Brand:
    products = Product.objects.filter(brand=brand)
    return _keyword_update(
        brand, fields, allowed=BRAND_FIELDS, action="brand.updated", actor=actor, products=products
    )


def tag_update(*, tag: Tag, actor=None, **fields) -> Tag:
    products = Product.objects.filter(tags=tag)
    return _keyword_update(
        tag, fields, allowed=TAG_FIELDS, action="tag.updated", actor=actor, products=products
    )


def _age_band_check(band: AgeBand) -> None:
    if band.max_months is not None and band.max_months < band.min_months:
        raise ValidationFailed(
            "The band ends before it starts.",
            field_errors={"max_months": ["Must be at least the minimum age."]},
        )


def age_band_create(
    *, label: str, min_months: int, max_months: int | None = None, actor=None, **fields
) -> AgeBand:
    """A 'shop by age' entry (max_months empty = and older)."""
    band = AgeBand(label=label, min_months=min_months, max_months=max_months, **fields)
    band.slug = band.slug or unique_slug(AgeBand, label)
    _age_band_check(band)
    _clean(band)
    with transaction.atomic():
        catalog_changed()
        band.save()
        audit_record(
            entity=band,
            action="age_band.created",
            actor=actor,
            new=snapshot(band, AGE_BAND_FIELDS),
        )
    return band


def age_band_update(*, band: AgeBand, actor=None, **fields) -> AgeBand:
    saved, _, _ = _fields_update(
        band,
        fields,
        allowed=AGE_BAND_FIELDS,
        action="age_band.updated",
        actor=actor,
        check=_age_band_check,
    )
    return saved


# --- Import and admin helpers ----------------------------------------------------
def catalog_entry_delete_refusal(entry) -> str | None:
    """Why a category, brand, tag or age band may not be deleted (None if it
    may): anything products or subcategories still use stays, so no product
    loses its place or its search keywords by surprise."""
    if isinstance(entry, Category):
        products = Product.objects.filter(category=entry).count()
        children = Category.objects.filter(parent=entry).count()
        if products or children:
            return (
                f"Category “{entry}” still has {products} product(s) and "
                f"{children} subcategory(ies): move them first."
            )
    elif isinstance(entry, Brand | Tag):
        products = entry.products.count()
        if products:
            kind = type(entry).__name__.lower()
            return f"The {kind} “{entry}” is used by {products} product(s): change them first."
    elif not isinstance(entry, AgeBand):
        raise ValidationFailed(f"{type(entry).__name__} rows are not deleted this way.")
    return None


def catalog_entry_delete(*, entry, actor=None) -> None:
    """Delete an unused category, brand, tag or age band (audited); refuses
    with Conflict while it is in use."""
    from boutique.core.errors import Conflict  # local: this section is append-only

    with transaction.atomic():
        catalog_changed()
        locked = type(entry).objects.select_for_update().get(pk=entry.pk)
        reason = catalog_entry_delete_refusal(locked)
        if reason:
            raise Conflict(reason)
        label = locked._meta.model_name.replace("ageband", "age_band")
        audit_record(
            entity=locked,
            action=f"{label}.deleted",
            actor=actor,
            old={"name": str(locked), "slug": locked.slug},
        )
        locked.delete()
