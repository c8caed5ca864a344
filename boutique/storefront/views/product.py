"""The product page. Its variant picker is a GET form (`?variant=<id>` reloads
the page with that option); with HTMX, choosing an option fetches only the
price, availability and gallery of that variant. Hidden products and options
that are not the product's are 404."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django_htmx.http import replace_url

from boutique.catalog import selectors

from ..helpers import not_found_as_404
from ..listing import absolute_url
from ..seo import product_json_ld
from .reviews import reviews_context


@not_found_as_404
def product(request, slug: str):
    detail = selectors.product_detail_for_storefront(
        slug=slug, variant_id=_variant_id(request, required=False)
    )
    return render(request, "storefront/pages/product.html", product_page_context(request, detail))


def product_page_context(request, detail, *, review_form=None) -> dict:
    """The product page's context; the review form view re-renders the page with
    its bound form."""
    slug = detail.product.slug
    canonical = absolute_url(reverse("storefront:product", args=[slug]))
    return {
        "product": detail.product,
        "variant": detail.variant,
        "gallery": detail.gallery,
        "canonical_url": canonical,
        "json_ld": product_json_ld(detail, canonical_url=canonical),
        **reviews_context(request, detail.product, form=review_form),
    }


@not_found_as_404
def product_variant(request, slug: str):
    variant_id = _variant_id(request, required=True)
    page_url = f"{reverse('storefront:product', args=[slug])}?{urlencode({'variant': variant_id})}"
    if not request.htmx:
        # Someone opened the fragment's address: show them the whole page.
        return redirect(page_url)
    detail = selectors.product_detail_for_storefront(slug=slug, variant_id=variant_id)
    context = {"product": detail.product, "variant": detail.variant, "gallery": detail.gallery}
    response = render(request, "storefront/partials/_variant_update.html", context)
    patch_vary_headers(response, ["HX-Request"])
    # Reloading or sharing the page keeps the chosen option.
    return replace_url(response, page_url)


def _variant_id(request, *, required: bool) -> int | None:
    raw = request.GET.get("variant", "").strip()
    if not raw and not required:
        return None
    if not raw.isdecimal() or len(raw) > 18:
        raise Http404("This option of the product does not exist.")
    return int(raw)
