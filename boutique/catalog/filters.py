"""The product listing's filters and sorts, parsed once for the storefront and
the API. Unknown values are refused (400), never silently ignored."""

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation

from django.db.models import F
from django.db.models.functions import Lower

from .errors import UnknownFilterValue

# Orderings end on the primary key so pages never overlap. Names compare
# without case: SQLite and a "C" collation would put "Zebra" before "apple".
SORTS = {
    "newest": ("-published_at", "-id"),
    "price_asc": ("min_price", "id"),
    "price_desc": ("-min_price", "-id"),
    "name": (Lower("name"), "id"),
    # Best rated first; among equal averages the more reviewed; unrated last.
    "rating": (F("rating_average").desc(nulls_last=True), "-review_count", "-id"),
    "relevance": ("-relevance", "-published_at", "-id"),
}
DEFAULT_PAGE_SIZE = 24
MAX_PAGE_SIZE = 100
# Prices are stored with 12 digits, 2 of them decimals: a bound beyond that
# matches nothing more, and a huge one overflows the database's numeric type.
MAX_PRICE = Decimal("9999999999.99")
_WORD = re.compile(r"\w", re.UNICODE)


@dataclass(frozen=True)
class ProductFilters:
    q: str = ""
    category: str = ""
    brands: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    sizes: tuple[str, ...] = ()
    colors: tuple[str, ...] = ()
    sellers: tuple[str, ...] = ()
    materials: tuple[str, ...] = ()
    certifications: tuple[str, ...] = ()
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    age_months: int | None = None
    # Safety age grading: only products not graded above this age in months.
    safe_age_months: int | None = None
    in_stock: bool = False
    on_sale: bool = False
    min_rating: int | None = None
    sort: str = "newest"
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    extra: dict = field(default_factory=dict, compare=False)

    def without(self, name: str) -> "ProductFilters":
        """The same filters minus one facet (for disjunctive facet counts)."""
        empty = {
            "brands": (),
            "tags": (),
            "sizes": (),
            "colors": (),
            "sellers": (),
            "materials": (),
            "certifications": (),
            "category": "",
            "in_stock": False,
            "on_sale": False,
            "min_rating": None,
        }
        return replace(self, **{name: empty[name]})


def _bool(value: str, name: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("", "0", "false", "no", "off"):
        return False
    raise UnknownFilterValue(f"{name} must be true or false.", field_errors={name: ["true/false"]})


def _decimal(value: str, name: str) -> Decimal | None:
    if not value.strip():
        return None
    try:
        number = Decimal(value.strip())
    except InvalidOperation as exc:
        raise UnknownFilterValue(
            f"{name} must be a number.", field_errors={name: ["Not a number."]}
        ) from exc
    if not number.is_finite() or number < 0:
        raise UnknownFilterValue(
            f"{name} must be zero or more.", field_errors={name: ["Must be zero or more."]}
        )
    if number > MAX_PRICE:
        raise UnknownFilterValue(
            f"{name} must be at most {MAX_PRICE}.", field_errors={name: [f"At most {MAX_PRICE}."]}
        )
    return number


def _int(value: str, name: str, *, low: int, high: int) -> int | None:
    if not value.strip():
        return None
    try:
        number = int(value.strip())
    except ValueError as exc:
        raise UnknownFilterValue(
            f"{name} must be a whole number.", field_errors={name: ["Not a whole number."]}
        ) from exc
    if not low <= number <= high:
        raise UnknownFilterValue(
            f"{name} must be between {low} and {high}.",
            field_errors={name: [f"Between {low} and {high}."]},
        )
    return number


def _many(params, name: str) -> tuple[str, ...]:
    values = []
    for raw in params.getlist(name) if hasattr(params, "getlist") else params.get(name, []):
        values += [v.strip() for v in str(raw).split(",") if v.strip()]
    return tuple(dict.fromkeys(values))


def _refuse_nul(params) -> None:
    """PostgreSQL refuses NUL in text and no catalogue value holds one: say so
    (400) before a query would fail."""
    items = params.lists() if hasattr(params, "lists") else params.items()
    for name, values in items:
        if any("\x00" in str(value) for value in values):
            raise UnknownFilterValue(
                f"{name} contains a NUL character.", field_errors={name: ["NUL character."]}
            )


def parse_filters(params, *, default_sort: str = "newest") -> ProductFilters:
    """Build ProductFilters from a QueryDict (or {name: [values]}). Raises
    UnknownFilterValue (400) for malformed numbers, flags and sorts; slugs are
    checked against the catalogue by the selector."""

    def one(name: str) -> str:
        values = params.getlist(name) if hasattr(params, "getlist") else params.get(name, [])
        return str(values[-1]) if values else ""

    _refuse_nul(params)

    q = one("q").strip()[:200]
    searching = bool(_WORD.search(q))
    sort = one("sort") or ("relevance" if searching else default_sort)
    if sort not in SORTS or (sort == "relevance" and not searching):
        raise UnknownFilterValue(
            f"Unknown sort {sort!r}.", field_errors={"sort": [f"One of {', '.join(SORTS)}."]}
        )
    filters = ProductFilters(
        q=q,
        category=one("category").strip(),
        brands=_many(params, "brand"),
        tags=_many(params, "tag"),
        sizes=_many(params, "size"),
        colors=_many(params, "color"),
        sellers=_many(params, "seller"),
        materials=_many(params, "material"),
        certifications=_many(params, "certification"),
        price_min=_decimal(one("price_min"), "price_min"),
        price_max=_decimal(one("price_max"), "price_max"),
        age_months=_int(one("age"), "age", low=0, high=216),
        safe_age_months=_int(one("safe_age"), "safe_age", low=0, high=216),
        in_stock=_bool(one("in_stock"), "in_stock"),
        on_sale=_bool(one("on_sale"), "on_sale"),
        min_rating=_int(one("min_rating"), "min_rating", low=1, high=5),
        sort=sort,
        page=_int(one("page"), "page", low=1, high=100_000) or 1,
        page_size=_int(one("page_size"), "page_size", low=1, high=MAX_PAGE_SIZE)
        or DEFAULT_PAGE_SIZE,
    )
    low, high = filters.price_min, filters.price_max
    if low is not None and high is not None and low > high:
        raise UnknownFilterValue(
            "price_min is above price_max.", field_errors={"price_min": ["Above price_max."]}
        )
    return filters
