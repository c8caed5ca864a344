"""How the browsing pages present what the catalog selectors return: the filter
form's groups, the category links, the sort and age choices, the shop-by-age
entry points and absolute addresses for SEO."""

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from boutique.catalog.selectors import FacetOption

SORT_LABELS = {
    "relevance": _("Best match"),
    "newest": _("Newest"),
    "price_asc": _("Price: low to high"),
    "price_desc": _("Price: high to low"),
    "name": _("Name A–Z"),
    "rating": _("Best rated"),
}
# (query parameter, legend, the ProductFilters field holding its chosen values)
FACETS = (
    ("brand", _("Brand"), "brands"),
    ("size", _("Size"), "sizes"),
    ("color", _("Color"), "colors"),
    ("tag", _("Collections"), "tags"),
    ("seller", _("Sold by"), "sellers"),
    ("material", _("Material"), "materials"),
    ("certification", _("Safety certification"), "certifications"),
)


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def age_text(min_months: int | None, max_months: int | None) -> str:
    """'0–3 months', '2–5 years', '3 months and up', 'Up to 2 years'."""
    bounds = [m for m in (min_months, max_months) if m is not None]
    if not bounds:
        return ""
    in_years = all(m % 12 == 0 for m in bounds) and max(bounds) >= 24

    def number(months: int) -> str:
        return str(months // 12 if in_years else months)

    if min_months is not None and max_months is not None:
        low, high = number(min_months), number(max_months)
        if in_years:
            return gettext("%(low)s–%(high)s years") % {"low": low, "high": high}
        return gettext("%(low)s–%(high)s months") % {"low": low, "high": high}
    if min_months is not None:
        if in_years:
            return gettext("%(low)s years and up") % {"low": number(min_months)}
        return gettext("%(low)s months and up") % {"low": number(min_months)}
    if in_years:
        return gettext("Up to %(high)s years") % {"high": number(max_months)}
    return gettext("Up to %(high)s months") % {"high": number(max_months)}


@dataclass(frozen=True)
class AgeEntry:
    """A 'shop by age' entry point and an option of the listing's age filter."""

    label: str
    min_months: int
    max_months: int | None

    @property
    def months(self) -> int:
        """The child's age the listing filters by: the band's midpoint, so a
        product made for the neighbouring band does not match on the boundary."""
        if self.max_months is None:
            return self.min_months
        return (self.min_months + self.max_months) // 2

    @property
    def description(self) -> str:
        return age_text(self.min_months, self.max_months)


# Used until staff define the shop's own bands (catalog.AgeBand).
DEFAULT_AGE_ENTRIES = (
    AgeEntry("0–3 m", 0, 3),
    AgeEntry("3–6 m", 3, 6),
    AgeEntry("6–12 m", 6, 12),
    AgeEntry("12–24 m", 12, 24),
    AgeEntry("2–3 y", 24, 36),
    AgeEntry("3–5 y", 36, 60),
    AgeEntry("5 y+", 60, None),
)


def age_entries(bands) -> list[AgeEntry]:
    if not bands:
        return list(DEFAULT_AGE_ENTRIES)
    return [AgeEntry(b.label, b.min_months, b.max_months) for b in bands]


@dataclass
class FacetGroup:
    name: str
    legend: str
    options: list[FacetOption]


def facet_groups(page) -> list[FacetGroup]:
    """The checkbox groups of the filter form. A chosen value that no longer has
    products stays listed (count 0) so it can still be unticked."""
    groups = []
    for name, legend, field in FACETS:
        options = list(page.facets.get(name, []))
        listed = {option.value for option in options}
        chosen = getattr(page.filters, field)
        options += [FacetOption(v, v, 0, True) for v in chosen if v not in listed]
        if options:
            groups.append(FacetGroup(name, legend, options))
    return groups


@dataclass
class CategoryLink:
    label: str
    url: str
    count: int | None = None
    is_current: bool = False


def category_url(request, slug: str, *, is_search: bool) -> str:
    """A category's listing, keeping the visitor's other filters (not the page)."""
    params = request.GET.copy()
    for name in ("page", "category"):
        params.pop(name, None)
    if is_search:
        if slug:
            params["category"] = slug
        base = reverse("storefront:search")
    elif slug:
        base = reverse("storefront:category", args=[slug])
    else:
        base = reverse("storefront:product_list")
    query = params.urlencode()
    return f"{base}?{query}" if query else base


def category_nav(
    request, page, *, is_search: bool
) -> tuple[list[CategoryLink], list[CategoryLink]]:
    """(the way up: all products, the ancestors and the current category;
    the categories one level down, with their product counts)."""
    node = page.category
    up = []
    if node is not None:
        up.append(CategoryLink("All categories", category_url(request, "", is_search=is_search)))
        for each in [*node.ancestors, node]:
            url = category_url(request, each.category.slug, is_search=is_search)
            up.append(CategoryLink(each.category.name, url, is_current=each is node))
    down = [
        CategoryLink(
            option.label,
            category_url(request, option.value, is_search=is_search),
            count=option.count,
        )
        for option in page.facets.get("category", [])
        if option.count
    ]
    return up, down


def sort_options(*, has_query: bool) -> list[tuple[str, str]]:
    return [
        (value, label) for value, label in SORT_LABELS.items() if has_query or value != "relevance"
    ]


def age_options(entries: list[AgeEntry], chosen: int | None) -> list[tuple[int, str]]:
    """The age filter's options; an age typed into the address that matches no
    entry is offered as itself so the form keeps it."""
    options = [(entry.months, entry.label) for entry in entries]
    if chosen is not None and chosen not in {months for months, _ in options}:
        options.append((chosen, f"{chosen} months"))
    return options


def active_filter_count(filters) -> int:
    chosen = [filters.brands, filters.tags, filters.sizes, filters.colors, filters.sellers]
    chosen += [filters.materials, filters.certifications]
    count = sum(len(values) for values in chosen)
    count += sum(
        1
        for value in (
            filters.price_min,
            filters.price_max,
            filters.age_months,
            filters.min_rating,
            filters.safe_age_months,
        )
        if value is not None
    )
    return count + filters.in_stock + filters.on_sale
