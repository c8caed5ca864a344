"""The seller's products: list, create, edit, variants, stock and pictures.
Every write is a marketplace workspace service; a refusal (store suspended,
duplicate SKU, bad value) is shown on the form with the service's status."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from boutique.core.errors import DomainError
from boutique.inventory.selectors import available_map
from boutique.marketplace import selectors
from boutique.marketplace.services import workspace

from ...forms.seller_workspace import (
    ImageForm,
    NewVariantForm,
    ProductCreateForm,
    ProductForm,
    StockForm,
    VariantForm,
)
from ...helpers import FORM_INVALID, add_domain_error, redirect_to
from . import PER_PAGE, seller_view

VARIANT_FIELDS = ("sku", "size", "color", "price", "compare_at_price", "is_active")
PRODUCT_FIELDS = (
    "name",
    "category",
    "brand",
    "description",
    "age_min_months",
    "age_max_months",
    "status",
)


@seller_view
def product_list(request, seller):
    page = Paginator(selectors.seller_products(seller), PER_PAGE).get_page(request.GET.get("page"))
    products = list(page.object_list)
    variant_ids = [v.pk for p in products for v in p.variants.all()]
    available = available_map(variant_ids)
    for product in products:
        product.available_units = sum(available[v.pk] for v in product.variants.all())
    page.object_list = products
    return render(request, "storefront/seller/products.html", {"seller": seller, "page": page})


@seller_view
def product_create(request, seller):
    form = ProductCreateForm(request.POST or None)
    status = 200
    if form.is_bound:
        status = FORM_INVALID
        if form.is_valid():
            try:
                product = workspace.seller_product_create(
                    seller=seller,
                    actor=request.user,
                    variants=[form.variant()],
                    **form.product_fields(),
                )
            except DomainError as exc:
                status = add_domain_error(form, exc)
            else:
                messages.success(
                    request, gettext("%(product)s is in your store.") % {"product": product.name}
                )
                return redirect_to(request, "storefront:seller:product_edit", product.pk)
    context = {"seller": seller, "form": form}
    return render(request, "storefront/seller/product_new.html", context, status=status)


@seller_view
def product_edit(request, seller, product_id: int):
    product = workspace.seller_product(seller, product_id)
    if request.method == "POST":
        form = ProductForm(request.POST)
        status = FORM_INVALID
        if form.is_valid():
            try:
                workspace.seller_product_update(
                    seller=seller, product_id=product.pk, actor=request.user, **form.cleaned_data
                )
            except DomainError as exc:
                status = add_domain_error(form, exc)
            else:
                messages.success(request, gettext("Product saved."))
                return redirect_to(request, "storefront:seller:product_edit", product.pk)
        return _product_page(request, seller, product, form=form, status=status)
    initial = {name: getattr(product, name) for name in PRODUCT_FIELDS}
    return _product_page(request, seller, product, form=ProductForm(initial=initial))


def _product_page(request, seller, product, *, status=200, **forms):
    variants = list(product.variants.select_related("stock").order_by("position", "pk"))
    available = available_map([v.pk for v in variants])
    stock_form, stock_variant_id = forms.get("stock_form"), forms.get("stock_variant_id")
    for variant in variants:
        variant.available_units = available[variant.pk]
        # One form per variant, with its own element ids.
        variant.stock_form = (
            stock_form
            if variant.pk == stock_variant_id
            else StockForm(auto_id=f"id_stock{variant.pk}_%s")
        )
    context = {
        "seller": seller,
        "product": product,
        "variants": variants,
        "images": list(product.images.all()),
        "form": forms.get("form") or ProductForm(),
        "variant_form": forms.get("variant_form") or NewVariantForm(),
        "image_form": forms.get("image_form") or ImageForm(),
        "stock_variant_id": stock_variant_id,
    }
    return render(request, "storefront/seller/product_edit.html", context, status=status)


@seller_view
@require_POST
def variant_create(request, seller, product_id: int):
    product = workspace.seller_product(seller, product_id)
    form = NewVariantForm(request.POST)
    status = FORM_INVALID
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v is not None}
        try:
            workspace.seller_variant_create(
                seller=seller, product_id=product.pk, actor=request.user, **data
            )
        except DomainError as exc:
            status = add_domain_error(form, exc)
        else:
            messages.success(request, gettext("Variant %(sku)s added.") % {"sku": data["sku"]})
            return redirect_to(request, "storefront:seller:product_edit", product.pk)
    return _product_page(request, seller, product, variant_form=form, status=status)


@seller_view
def variant_edit(request, seller, variant_id: int):
    variant = workspace.seller_variant(seller, variant_id)
    status = 200
    if request.method == "POST":
        form = VariantForm(request.POST)
        status = FORM_INVALID
        if form.is_valid():
            try:
                workspace.seller_variant_update(
                    seller=seller, variant_id=variant.pk, actor=request.user, **form.cleaned_data
                )
            except DomainError as exc:
                status = add_domain_error(form, exc)
            else:
                messages.success(
                    request, gettext("Variant %(sku)s saved.") % {"sku": form.cleaned_data["sku"]}
                )
                return redirect_to(request, "storefront:seller:product_edit", variant.product_id)
    else:
        form = VariantForm(initial={name: getattr(variant, name) for name in VARIANT_FIELDS})
    context = {"seller": seller, "variant": variant, "product": variant.product, "form": form}
    return render(request, "storefront/seller/variant_edit.html", context, status=status)


@seller_view
@require_POST
def variant_stock(request, seller, variant_id: int):
    """Receive units or correct the count (with a reason), through inventory's ledger."""
    variant = workspace.seller_variant(seller, variant_id)
    form = StockForm(request.POST, auto_id=f"id_stock{variant.pk}_%s")
    status = FORM_INVALID
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["action"] == StockForm.RECEIVE:
                workspace.seller_stock_receive(
                    seller=seller,
                    variant_id=variant.pk,
                    quantity=data["quantity"],
                    note=data["reason"],
                    actor=request.user,
                )
            else:
                workspace.seller_stock_adjust(
                    seller=seller,
                    variant_id=variant.pk,
                    quantity=data["quantity"],
                    reason=data["reason"],
                    actor=request.user,
                )
        except DomainError as exc:
            status = add_domain_error(form, exc)
        else:
            messages.success(request, gettext("Stock of %(sku)s updated.") % {"sku": variant.sku})
            return redirect_to(request, "storefront:seller:product_edit", variant.product_id)
    return _product_page(
        request,
        seller,
        variant.product,
        stock_form=form,
        stock_variant_id=variant.pk,
        status=status,
    )


@seller_view
@require_POST
def image_add(request, seller, product_id: int):
    product = workspace.seller_product(seller, product_id)
    form = ImageForm(request.POST, request.FILES)
    status = FORM_INVALID
    if form.is_valid():
        try:
            workspace.seller_image_add(
                seller=seller,
                product_id=product.pk,
                file=form.cleaned_data["image"],
                alt_text=form.cleaned_data["alt_text"],
                is_primary=form.cleaned_data["is_primary"],
                actor=request.user,
            )
        except DomainError as exc:
            status = add_domain_error(form, exc)
        else:
            messages.success(request, gettext("Picture added."))
            return redirect_to(request, "storefront:seller:product_edit", product.pk)
    return _product_page(request, seller, product, image_form=form, status=status)


@seller_view
@require_POST
def image_delete(request, seller, product_id: int, image_id: int):
    product = workspace.seller_product(seller, product_id)
    try:
        workspace.seller_image_delete(seller=seller, image_id=image_id, actor=request.user)
    except DomainError as exc:
        if exc.status == 404:
            raise
        context = {"seller": seller, "detail": exc.detail, "product": product}
        return render(request, "storefront/seller/refused.html", context, status=exc.status)
    messages.success(request, gettext("Picture deleted."))
    return redirect_to(request, "storefront:seller:product_edit", product.pk)
