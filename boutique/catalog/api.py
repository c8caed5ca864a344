"""The public catalog API: the category tree, the product listing with the
storefront's filters, sorts and facets, product details, brands and tags.

Every endpoint is public (a token or session is accepted, never required) and
reads through the catalog selectors. Filter values are parsed by the same
parse_filters as the storefront's pages: a value it refuses answers 400."""

from ninja import Query, Router

from boutique.core.api_auth import optional_auth
from boutique.core.schemas import problems
from boutique.kids.selectors import child_filter_apply

from . import selectors
from .filters import parse_filters
from .schemas import (
    BrandOut,
    CategoryOut,
    ProductDetailOut,
    ProductListQuery,
    ProductPageOut,
    TagOut,
)

catalog_router = Router(tags=["catalog"], auth=optional_auth())


def _category_out(request, node) -> dict:
    category = node.category
    return {
        "id": category.pk,
        "name": category.name,
        "slug": category.slug,
        "description": category.description,
        "position": category.position,
        "image": request.build_absolute_uri(category.image.url) if category.image else None,
        "product_count": node.product_count,
        "children": [_category_out(request, child) for child in node.children],
    }


@catalog_router.get("/categories", response=list[CategoryOut])
def category_list(request):
    """The whole category tree, top level first, each node with its children."""
    tree = selectors.category_tree_with_counts()
    return [_category_out(request, node) for node in tree.roots]


@catalog_router.get("/products", response={200: ProductPageOut, **problems(400, 404)})
def product_list(request, query: Query[ProductListQuery]):
    """One page of visible products with facet counts. Several values of brand,
    tag, size, color or seller (repeated or comma-separated) match any of them;
    different filters all apply. Unknown slugs or malformed values are 400;
    `child` naming anything but one of the caller's children is 404."""
    params = request.GET.copy()
    child_filter_apply(params, user=request.auth)
    page = selectors.product_list_for_storefront(parse_filters(params))
    selectors.product_cards_price_attach(page.products)
    return {
        "count": page.total,
        "page": page.page,
        "page_size": page.page_size,
        "num_pages": page.num_pages,
        "next": page.page + 1 if page.has_next else None,
        "previous": page.page - 1 if page.has_previous else None,
        "results": page.products,
        "facets": page.facets,
    }


# Slugs are ASCII (slugify); anything else cannot name a product and is a 404
# from URL resolution, never a query.
@catalog_router.get("/products/{slug:slug}", response={200: ProductDetailOut, **problems(404)})
def product_detail(request, slug: str):
    """A visible product with its active variants (stock state), photos, tags
    and category path. Drafts, archived products and products of sellers that
    are not active are 404, as unknown slugs are."""
    return selectors.product_get_for_storefront(slug=slug)


@catalog_router.get("/brands", response=list[BrandOut])
def brand_list(request):
    return list(selectors.brand_list())


@catalog_router.get("/tags", response=list[TagOut])
def tag_list(request):
    return list(selectors.tag_list())
