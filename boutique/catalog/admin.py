"""Catalog back office: every write goes through boutique.catalog.services.

Django wraps the add/change views in a transaction; the catalog services nest
inside it (they are not durable), so a product, its variants and its images
are saved together or not at all. A service refusal that the forms could not
foresee rolls the whole save back and is shown as an error message.

Deleting: products are never deleted (orders, carts and reviews refer to them);
archive them instead. Categories, brands and tags can be deleted only while
nothing uses them; age bands always.
"""

from django.contrib import admin, messages
from django.contrib.admin.views.main import ORDER_VAR, ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, IntegerField, Prefetch, Value, When
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from modeltranslation.admin import TranslationAdmin

from boutique.core.errors import DomainError

from . import services
from .forms_admin import (
    CatalogImportForm,
    CategoryAdminForm,
    ProductImageForm,
    VariantInlineFormSet,
)
from .importing import ImportRejected, catalog_export, catalog_import, export_variants
from .models import AgeBand, Brand, Category, Product, ProductImage, ProductStatus, Tag, Variant
from .selectors import category_tree

NO_DELETE = (
    "Products are not deleted: orders, carts and reviews refer to them. "
    "Archive a product to take it off the shop."
)


def _error_text(exc: DomainError) -> str:
    fields = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in exc.field_errors.items())
    return f"{exc.detail} {fields}".strip()


class ServiceAdmin(admin.ModelAdmin):
    """Shows a service's refusal as a message instead of a server error."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            self.message_user(request, f"Nothing was saved: {_error_text(exc)}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def get_deleted_objects(self, objs, request):
        # Entries still in use are listed as protected: Django then refuses the
        # delete on its confirmation page, for one row and for the bulk action.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        refusals = [services.catalog_entry_delete_refusal(obj) for obj in objs]
        return deleted, counts, perms_needed, [*protected, *filter(None, refusals)]

    def delete_model(self, request, obj):
        services.catalog_entry_delete(entry=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset.order_by("pk"):
            services.catalog_entry_delete(entry=obj, actor=request.user)

    def _changed(self, form, allowed) -> dict:
        return {k: form.cleaned_data[k] for k in form.changed_data if k in allowed}


# --- Products ---------------------------------------------------------------------
class VariantInline(admin.TabularInline):
    model = Variant
    formset = VariantInlineFormSet
    fields = (
        "sku",
        "size",
        "color",
        "price",
        "compare_at_price",
        "currency",
        "weight_grams",
        "position",
        "is_active",
        "on_hand",
    )
    readonly_fields = ("on_hand",)
    extra = 1
    can_delete = False
    verbose_name_plural = "Variants (not deleted: untick Active to stop selling one)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("stock")

    @admin.display(description="On hand")
    def on_hand(self, obj):
        stock = getattr(obj, "stock", None) if obj.pk else None
        return stock.on_hand if stock is not None else "—"


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    form = ProductImageForm
    fields = ("preview", "image", "alt_text", "is_primary", "position")
    readonly_fields = ("preview",)
    extra = 0

    @admin.display(description="")
    def preview(self, obj):
        if not obj.pk:
            return ""
        return format_html('<img src="{}" width="80" height="80" alt="">', obj.thumb_small.url)


@admin.register(Product)
class ProductAdmin(TranslationAdmin, ServiceAdmin):
    list_display = (
        "name",
        "thumbnail",
        "category",
        "brand",
        "seller",
        "status",
        "min_price",
        "is_on_sale",
        "updated_at",
    )
    list_filter = ("status", "category", "brand", "seller", "is_featured")
    search_fields = ("name", "slug", "variants__sku")
    autocomplete_fields = ("category", "brand", "seller", "tags", "materials", "certifications")
    list_select_related = ("category", "brand", "seller")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = (
        "recalled_at",
        "min_price",
        "is_on_sale",
        "published_at",
        "created_by",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("name", "slug", "status", "description"), "description": NO_DELETE}),
        ("Placement", {"fields": ("category", "brand", "seller", "tags")}),
        ("For ages (months)", {"fields": ("age_min_months", "age_max_months")}),
        (
            "Safety",
            {
                "fields": (
                    "min_safe_age_months",
                    "safety_warning",
                    "materials",
                    "certifications",
                    "recalled_at",
                )
            },
        ),
        ("Flags", {"fields": ("is_featured", "is_one_of_a_kind")}),
        (
            "From the variants",
            {"fields": ("min_price", "is_on_sale", "published_at", "created_by")},
        ),
        ("Dates", {"fields": ("created_at", "updated_at")}),
    )
    inlines = (VariantInline, ProductImageInline)
    actions = ("activate", "archive", "back_to_draft", "export_csv")
    change_list_template = "admin/catalog/product/change_list.html"

    def get_queryset(self, request):
        primary = ProductImage.objects.filter(is_primary=True)
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("images", queryset=primary, to_attr="primary_images"))
        )

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="")
    def thumbnail(self, obj):
        images = getattr(obj, "primary_images", None)
        if not images:
            return ""
        return format_html(
            '<img src="{}" width="40" height="40" alt="">', images[0].thumb_small.url
        )

    # Saving: the product in save_model (edits) or save_related (adds, which
    # need the variants); inline rows through their services.
    def save_model(self, request, obj, form, change):
        if not change:
            return
        fields = self._changed(form, services.PRODUCT_FIELDS)
        tags = form.cleaned_data["tags"] if "tags" in form.changed_data else None
        relations = {
            name: form.cleaned_data[name]
            for name in ("materials", "certifications")
            if name in form.changed_data
        }
        if fields or tags is not None or relations:
            saved = services.product_update(
                product=obj, actor=request.user, tags=tags, **relations, **fields
            )
            obj.__dict__.update(saved.__dict__)

    def save_related(self, request, form, formsets, change):
        variants = next(fs for fs in formsets if fs.model is Variant)
        images = next(fs for fs in formsets if fs.model is ProductImage)
        if not change:
            self._create(request, form, variants)
        else:
            self._save_variants(request, form.instance, variants)
        self._save_images(request, form.instance, images)

    def _create(self, request, form, formset):
        data = form.cleaned_data
        # The form has name_en, name_ar … (TranslationAdmin), not name itself.
        fields = {k: data[k] for k in services.PRODUCT_FIELDS if k in data}
        fields.pop("slug", None)
        name = fields.pop("name", None) or data["name_en"]
        rows = [f for f in formset.forms if f.has_changed() and not f.cleaned_data.get("DELETE")]
        product = services.product_create(
            name=name,
            slug=data["slug"],
            category=fields.pop("category"),
            tags=data["tags"],
            materials=data.get("materials", ()),
            certifications=data.get("certifications", ()),
            variants=[self._variant_data(f, services.VARIANT_FIELDS) for f in rows],
            actor=request.user,
            **fields,
        )
        form.instance.__dict__.update(product.__dict__)
        formset.new_objects = list(product.variants.all())
        formset.changed_objects, formset.deleted_objects = [], []

    def _variant_data(self, form, fields) -> dict:
        return {k: form.cleaned_data[k] for k in fields if k in form.cleaned_data}

    def _save_variants(self, request, product, formset):
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        position = product.variants.count()
        for form in formset.forms:
            if not form.has_changed():
                continue
            if form.instance.pk is None:
                data = {"position": position, **self._variant_data(form, form.changed_data)}
                data.setdefault("sku", form.cleaned_data["sku"])
                data.setdefault("price", form.cleaned_data["price"])
                variant = services.variant_create(product=product, actor=request.user, **data)
                formset.new_objects.append(variant)
                position += 1
            else:
                fields = self._variant_data(form, form.changed_data)
                variant = services.variant_update(
                    variant=form.instance, actor=request.user, **fields
                )
                formset.changed_objects.append((variant, list(fields)))

    def _save_images(self, request, product, formset):
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for form in formset.forms:
            data = form.cleaned_data
            if not data or (form.instance.pk is None and not form.has_changed()):
                continue
            if form.instance.pk is None:
                if data.get("DELETE"):
                    continue
                image = services.image_add(
                    product=product,
                    file=data["image"],
                    alt_text=data.get("alt_text", ""),
                    is_primary=data.get("is_primary", False),
                    position=data.get("position"),
                    actor=request.user,
                )
                formset.new_objects.append(image)
            elif data.get("DELETE"):
                services.image_delete(image=form.instance, actor=request.user)
                formset.deleted_objects.append(form.instance)
            elif form.has_changed():
                fields = self._changed(form, services.IMAGE_FIELDS)
                image = services.image_update(image=form.instance, actor=request.user, **fields)
                formset.changed_objects.append((image, list(fields)))

    # Bulk actions ----------------------------------------------------------------
    def _set_status(self, request, queryset, status, label):
        total = queryset.count()
        changed = services.product_set_status(products=queryset, status=status, actor=request.user)
        unchanged = f" ({total - changed} already were)" if total > changed else ""
        self.message_user(request, f"{label} {changed} product(s){unchanged}.", messages.SUCCESS)

    @admin.action(description="Activate selected products (show them in the shop)")
    def activate(self, request, queryset):
        self._set_status(request, queryset, ProductStatus.ACTIVE, "Activated")

    @admin.action(description="Archive selected products (take them off the shop)")
    def archive(self, request, queryset):
        self._set_status(request, queryset, ProductStatus.ARCHIVED, "Archived")

    @admin.action(description="Put selected products back to draft")
    def back_to_draft(self, request, queryset):
        self._set_status(request, queryset, ProductStatus.DRAFT, "Back to draft:")

    @admin.action(description="Export selected products as CSV")
    def export_csv(self, request, queryset):
        return self._csv_response(export_variants().filter(product__in=queryset))

    # Import and export pages -------------------------------------------------------
    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="catalog_product_import"),
            path("export/", view(self.export_view), name="catalog_product_export"),
            *super().get_urls(),
        ]

    def _csv_response(self, variants):
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="catalog-{stamp}.csv"'
        catalog_export(response, variants=variants)
        return response

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return self._csv_response(export_variants())

    def import_view(self, request):
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        form = CatalogImportForm(request.POST or None, request.FILES or None)
        errors, result = [], None
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data["file"].read()
            try:
                result = catalog_import(
                    data=data, actor=request.user, dry_run=form.cleaned_data["dry_run"]
                )
            except ImportRejected as exc:
                errors = exc.errors
            else:
                if not result.dry_run:
                    self.message_user(request, result.summary(), messages.SUCCESS)
                    return HttpResponseRedirect(reverse("admin:catalog_product_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import products from CSV",
            "form": form,
            "errors": errors,
            "result": result,
        }
        return TemplateResponse(request, "admin/catalog/product/import.html", context)


# --- Categories, brands, tags, age bands ----------------------------------------------
class CategoryTreeChangeList(ChangeList):
    """Depth-first tree order unless a column header was clicked."""

    def get_ordering(self, request, queryset):
        if ORDER_VAR in self.params:
            return super().get_ordering(request, queryset)
        return ["tree_order", "pk"]


@admin.register(Category)
class CategoryAdmin(TranslationAdmin, ServiceAdmin):
    form = CategoryAdminForm
    list_display = ("indented_name", "slug", "position", "product_count", "is_featured")
    list_filter = ("parent",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        order = []

        def walk(nodes):
            for node in nodes:
                order.append((node.category.pk, node.depth))
                walk(node.children)

        walk(category_tree().roots)
        return (
            super()
            .get_queryset(request)
            .annotate(
                product_count=Count("products", distinct=True),
                tree_order=self._case({pk: i for i, (pk, _) in enumerate(order)}),
                tree_depth=self._case(dict(order)),
            )
        )

    @staticmethod
    def _case(values: dict):
        whens = [When(pk=pk, then=Value(v)) for pk, v in values.items()]
        return Case(*whens, default=Value(0), output_field=IntegerField())

    def get_changelist(self, request, **kwargs):
        return CategoryTreeChangeList

    @admin.display(description="Name", ordering="tree_order")
    def indented_name(self, obj):
        return f"{'— ' * obj.tree_depth}{obj.name}"

    @admin.display(description="Products", ordering="product_count")
    def product_count(self, obj):
        return obj.product_count

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            fields = {k: data[k] for k in services.CATEGORY_FIELDS if data.get(k)}
            name = fields.pop("name", None) or data["name_en"]
            saved = services.category_create(
                name=name, parent=data["parent"], actor=request.user, **fields
            )
        else:
            saved = obj
            fields = self._changed(form, services.CATEGORY_FIELDS)
            if fields:
                saved = services.category_update(category=obj, actor=request.user, **fields)
            if "parent" in form.changed_data:
                saved = services.category_move(
                    category=saved, parent=data["parent"], actor=request.user
                )
        obj.__dict__.update(saved.__dict__)


class SimpleEntryAdmin(ServiceAdmin):
    """Brand, tag and age band: create and update through their services."""

    create = update = None
    entry_arg = ""
    allowed: tuple = ()

    def save_model(self, request, obj, form, change):
        if change:
            fields = self._changed(form, self.allowed)
            saved = type(self).update(**{self.entry_arg: obj}, actor=request.user, **fields)
        else:
            fields = {k: v for k, v in form.cleaned_data.items() if k in self.allowed}
            fields = {k: v for k, v in fields.items() if v not in (None, "")}
            if "name_en" in fields:  # a translated entry: the English name is its name
                fields.setdefault("name", fields["name_en"])
            saved = type(self).create(actor=request.user, **fields)
        obj.__dict__.update(saved.__dict__)


@admin.register(Brand)
class BrandAdmin(TranslationAdmin, SimpleEntryAdmin):
    list_display = ("name", "slug", "product_count")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    create, update = services.brand_create, services.brand_update
    entry_arg, allowed = "brand", services.BRAND_FIELDS

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(product_count=Count("products"))

    @admin.display(description="Products", ordering="product_count")
    def product_count(self, obj):
        return obj.product_count


@admin.register(Tag)
class TagAdmin(BrandAdmin):
    create, update = services.tag_create, services.tag_update
    entry_arg, allowed = "tag", services.TAG_FIELDS


@admin.register(AgeBand)
class AgeBandAdmin(SimpleEntryAdmin):
    list_display = ("label", "slug", "min_months", "max_months", "position")
    prepopulated_fields = {"slug": ("label",)}
    create, update = services.age_band_create, services.age_band_update
    entry_arg, allowed = "band", services.AGE_BAND_FIELDS


# Issue 13: materials, certifications and recalls (boutique/catalog/admin_safety.py).
from . import admin_safety  # noqa: E402,F401
