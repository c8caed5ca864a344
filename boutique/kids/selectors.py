"""Every read of child-aware shopping: the size chart, a customer's children
with their age and suggested sizes, products picked for a child and how a
product fits the children. Each read runs a fixed number of queries."""

from dataclasses import dataclass

from django.db.models import Prefetch, Q
from django.utils import timezone

from boutique.accounts import selectors as accounts_selectors
from boutique.accounts.models import Child
from boutique.catalog.errors import UnknownFilterValue
from boutique.catalog.models import Product, ProductImage
from boutique.catalog.selectors import product_cards_price_attach, storefront_products
from boutique.core.errors import NotFound
from boutique.inventory.selectors import in_stock_for_product_annotation, in_stock_for_product_q

from .domain import Band, ChildAge, age_in_months, age_in_words, size_for_age
from .models import SizeBand, SizeKind

HOME_CHILDREN = 2
HOME_PICKS = 8


def size_chart() -> dict[str, list[Band]]:
    """{kind: bands in age order} for every kind, in one query."""
    chart: dict[str, list[Band]] = {kind: [] for kind in SizeKind.values}
    for kind, start, end, label in SizeBand.objects.order_by(
        "kind", "from_months", "position", "pk"
    ).values_list("kind", "from_months", "to_months", "label"):
        chart[kind].append(Band(start, end, label))
    return chart


def size_bands(*, kind: str, exclude_id=None) -> list[Band]:
    qs = SizeBand.objects.filter(kind=kind)
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    return [Band(b.from_months, b.to_months, b.label) for b in qs.order_by("from_months")]


@dataclass
class ChildProfile:
    """A child as the shop uses it: age now, in words, and the sizes to show
    (the size the parent typed wins over the chart's suggestion)."""

    child: Child
    age_months: int
    age_words: str
    suggested_clothing_size: str | None
    suggested_shoe_size: str | None

    @property
    def pk(self) -> int:
        return self.child.pk

    @property
    def name(self) -> str:
        return self.child.name

    @property
    def clothing_size(self) -> str | None:
        return self.child.clothing_size or self.suggested_clothing_size

    @property
    def shoe_size(self) -> str | None:
        return self.child.shoe_size or self.suggested_shoe_size

    @property
    def age(self) -> ChildAge:
        return ChildAge(self.child.name, self.age_months)


def child_profile(child: Child, chart: dict[str, list[Band]]) -> ChildProfile:
    months = child.age_months
    return ChildProfile(
        child=child,
        age_months=months,
        age_words=age_in_words(months),
        suggested_clothing_size=size_for_age(chart[SizeKind.CLOTHING], months),
        suggested_shoe_size=size_for_age(chart[SizeKind.SHOES], months),
    )


def child_profiles_for(*, user) -> list[ChildProfile]:
    """The user's children (none for a guest), oldest first, two queries."""
    if not getattr(user, "is_authenticated", False):
        return []
    children = list(accounts_selectors.child_list_for(user=user))
    if not children:
        return []
    chart = size_chart()
    return [child_profile(child, chart) for child in children]


def child_profile_get_for(*, user, child_id) -> ChildProfile:
    """One of the user's children; NotFound for a guest or someone else's child."""
    if not getattr(user, "is_authenticated", False):
        raise NotFound("Child not found.")
    child = accounts_selectors.child_get_for(user=user, child_id=child_id)
    return child_profile(child, size_chart())


def _for_age_q(months: int) -> Q:
    """Products made for this age: at least one bound set and the age inside."""
    return (
        (Q(age_min_months__isnull=False) | Q(age_max_months__isnull=False))
        & (Q(age_min_months__isnull=True) | Q(age_min_months__lte=months))
        & (Q(age_max_months__isnull=True) | Q(age_max_months__gte=months))
    )


def products_for_child(*, months: int, limit: int = HOME_PICKS) -> list[Product]:
    """Visible, in-stock products whose age range holds `months`, newest first,
    shaped for product cards (two queries; prices are attached by the caller)."""
    products = list(
        storefront_products()
        .filter(_for_age_q(months))
        .filter(in_stock_for_product_q())
        .select_related("brand")
        .annotate(in_stock=in_stock_for_product_annotation())
        .prefetch_related(
            Prefetch(
                "images",
                queryset=ProductImage.objects.filter(is_primary=True),
                to_attr="primary_images",
            )
        )
        .order_by("-published_at", "-id")[:limit]
    )
    for product in products:
        product.primary_image = product.primary_images[0] if product.primary_images else None
    return products


@dataclass
class ChildPicks:
    profile: ChildProfile
    products: list[Product]


def child_picks_for(
    *, user, children: int = HOME_CHILDREN, limit: int = HOME_PICKS
) -> list[ChildPicks]:
    """The home page's 'For Maya (18 months)' shelves: for each of the user's
    first `children` children (youngest first), in-stock products for their age.
    At most 2 + 2 × children + 1 queries whatever the number of products."""
    profiles = child_profiles_for(user=user)
    profiles = sorted(profiles, key=lambda p: (p.age_months, p.pk))[:children]
    picks = [ChildPicks(p, products_for_child(months=p.age_months, limit=limit)) for p in profiles]
    product_cards_price_attach([product for pick in picks for product in pick.products])
    return [pick for pick in picks if pick.products]


def child_ages_with_ids_for(*, user) -> list[tuple[int, str, int]]:
    """(id, name, age in months) of the user's children, one query; none for a guest."""
    if not getattr(user, "is_authenticated", False):
        return []
    today = timezone.localdate()
    rows = accounts_selectors.child_list_for(user=user).values_list("pk", "name", "birth_date")
    return [(pk, name, age_in_months(birth, today)) for pk, name, birth in rows]


def child_filter_apply(params, *, user) -> int | None:
    """Turn the listing's `child=<id>` into the age filter for that child's age
    now (it wins over an `age` given with it). `params` is a mutable QueryDict.
    Returns the child's id, or None without `child`. UnknownFilterValue (400)
    for a malformed id; NotFound (404) for a guest or someone else's child."""
    raw = (params.get("child") or "").strip()
    params.pop("child", None)
    if not raw:
        return None
    try:
        child_id = int(raw)
    except ValueError as exc:
        raise UnknownFilterValue(
            "child must be a whole number.", field_errors={"child": ["Not a whole number."]}
        ) from exc
    for pk, _name, months in child_ages_with_ids_for(user=user):
        if pk == child_id:
            params.setlist("age", [str(months)])
            return pk
    raise NotFound("Child not found.")


def child_sizes_attach(children) -> list[Child]:
    """Set `.age_words`, `.suggested_clothing_size` and `.suggested_shoe_size` on
    each child (the size chart is read once)."""
    children = list(children)
    if children:
        chart = size_chart()
        for child in children:
            profile = child_profile(child, chart)
            child.age_words = profile.age_words
            child.suggested_clothing_size = profile.suggested_clothing_size
            child.suggested_shoe_size = profile.suggested_shoe_size
    return children
