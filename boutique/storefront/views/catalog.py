"""Browsing the catalogue: all products, a category (with its subcategories) and
search share one listing. The filter form is a plain GET form; with HTMX a change
swaps the results and facets region and pushes the address. Filter values the
catalogue does not know answer 400 with the page explaining why."""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext

from boutique.catalog import selectors
from boutique.catalog.errors import UnknownFilterValue
from boutique.catalog.filters import parse_filters
from boutique.core.errors import NotFound
from boutique.kids import selectors as kids_selectors

from .. import kids
from .. import listing as present


def product_list(request):
    return _listing(request)


def category(request, slug: str):
    return _listing(request, category_slug=slug)


def search(request):
    return _listing(request, is_search=True)


def _listing(request, *, category_slug: str = "", is_search: bool = False):
    params = request.GET.copy()
    if category_slug:
        params.setlist("category", [category_slug])
    try:
        # `child=<id>`: the age filter for one of the customer's children (404 otherwise).
        child_id = kids_selectors.child_filter_apply(params, user=request.user)
        result = selectors.product_list_page_for_storefront(parse_filters(params))
    except UnknownFilterValue as exc:
        if category_slug and "category" in exc.field_errors:
            raise Http404(exc.detail) from exc
        context = _base_context(request, is_search=is_search)
        context["error"] = exc
        return _render(request, context, status=exc.status)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    context = _base_context(request, is_search=is_search)
    context.update(_results_context(request, result, is_search=is_search))
    context["child_chips"] = kids.chip_links(
        request, chosen_child=child_id, age_months=result.page.filters.age_months
    )
    return _render(request, context)


def _base_context(request, *, is_search: bool) -> dict:
    q = request.GET.get("q", "").strip() if is_search else ""
    if is_search:
        heading = gettext("Results for “%(q)s”") % {"q": q} if q else gettext("Search")
        action = reverse("storefront:search")
        clear_url = f"{action}?{urlencode({'q': q})}" if q else action
    else:
        heading, action, clear_url = gettext("Shop"), request.path, request.path
    return {
        "heading": heading,
        "action_url": action,
        "clear_url": clear_url,
        "is_search": is_search,
        "q": q,
    }


def _results_context(request, result, *, is_search: bool) -> dict:
    page = result.page
    filters = page.filters
    up, down = present.category_nav(request, page, is_search=is_search)
    context = {
        "page": page,
        "filters": filters,
        "facet_groups": present.facet_groups(page),
        "category_up": up,
        "category_down": down,
        "sort_options": present.sort_options(has_query=bool(filters.q)),
        "age_options": present.age_options(
            present.age_entries(result.age_bands), filters.age_months
        ),
        "active_filters": present.active_filter_count(filters),
        "on_sale": page.facets["on_sale"][0],
        "in_stock": page.facets["in_stock"][0],
    }
    if page.category is not None and not is_search:
        category = page.category.category
        context["heading"] = category.name
        context["category"] = category
        context["canonical_url"] = present.absolute_url(
            reverse("storefront:category", args=[category.slug])
        )
        if category.description:
            context["meta_description"] = category.description
    elif not is_search:
        context["canonical_url"] = present.absolute_url(reverse("storefront:product_list"))
    return context


def _render(request, context: dict, *, status: int = 200):
    # A history restore asks for the whole page even though HTMX sends it.
    partial = request.htmx and not request.htmx.history_restore_request
    template = "storefront/partials/_catalog.html" if partial else "storefront/pages/catalog.html"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response
