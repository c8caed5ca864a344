"""How the browsing pages use the signed-in customer's children: their ages,
read once per request (one query, none for a guest), the "For Maya" chips of
the listing and each product's fit marker."""

from dataclasses import dataclass

from django.urls import reverse

from boutique.kids import selectors as kids_selectors
from boutique.kids.domain import ChildAge, age_in_words, product_fit

from .listing import age_text

_CACHE = "_kids_child_ages"


@dataclass(frozen=True)
class ChildChip:
    pk: int
    name: str
    months: int

    @property
    def age_words(self) -> str:
        return age_in_words(self.months)


def child_chips(request) -> list[ChildChip]:
    """The customer's children (id, name, age now), cached on the request."""
    cached = getattr(request, _CACHE, None)
    if cached is None:
        user = getattr(request, "user", None)
        cached = [
            ChildChip(pk, name, months)
            for pk, name, months in kids_selectors.child_ages_with_ids_for(user=user)
        ]
        setattr(request, _CACHE, cached)
    return cached


@dataclass(frozen=True)
class FitMarker:
    kind: str  # fits | older | younger | outside
    text: str

    @property
    def fits(self) -> bool:
        return self.kind == "fits"


def fit_marker(request, product) -> FitMarker | None:
    """What a product card or page says about the customer's children, or None."""
    if request is None:
        return None
    ages = [ChildAge(chip.name, chip.months) for chip in child_chips(request)]
    fit = product_fit(product.age_min_months, product.age_max_months, ages)
    if fit is None:
        return None
    return FitMarker(fit.kind, fit.text(age_text(product.age_min_months, product.age_max_months)))


@dataclass(frozen=True)
class ChipLink:
    chip: ChildChip
    url: str
    selected: bool


def chip_links(request, *, chosen_child: int | None, age_months: int | None) -> list[ChipLink]:
    """The listing's one-click "For Maya (18 months)" filters. A chip is chosen
    by `child=<id>`, or by an age filter equal to the child's age (the filter
    form keeps the age, not the child); the chosen one links back to the
    listing without the age filter."""
    links = []
    for chip in child_chips(request):
        params = request.GET.copy()
        for name in ("page", "age", "child"):
            params.pop(name, None)
        if chosen_child is not None:
            selected = chip.pk == chosen_child
        else:
            selected = age_months is not None and chip.months == age_months
        if not selected:
            params["child"] = str(chip.pk)
        query = params.urlencode()
        links.append(ChipLink(chip, f"{request.path}?{query}" if query else request.path, selected))
    return links


def child_listing_url(child_id: int) -> str:
    return f"{reverse('storefront:product_list')}?child={child_id}"
