"""The landing page."""

from dataclasses import dataclass

from django.shortcuts import render


@dataclass(frozen=True)
class AgeBand:
    slug: str
    name: str
    months: str
    blurb: str


# The catalogue filters by these ranges once it exists; until then the strip
# only tells visitors what the shop is organised around.
AGE_BANDS = (
    AgeBand("newborn", "Newborn", "0 to 3 months", "Soft first layers, swaddles and sleepsuits."),
    AgeBand("baby", "Baby", "3 to 12 months", "Bodysuits, bibs and first toys."),
    AgeBand("toddler", "Toddler", "1 to 3 years", "Play clothes and first shoes."),
    AgeBand("kids", "Kids", "3 to 8 years", "Everyday outfits and party wear."),
)


def home(request):
    selected = next((b for b in AGE_BANDS if b.slug == request.GET.get("age")), None)
    context = {"age_bands": AGE_BANDS, "selected_band": selected}
    return render(request, "storefront/pages/home.html", context)
