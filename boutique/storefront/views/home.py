"""The landing page: featured categories, shop by age, the shop's picks, new
arrivals and what is on sale; for a signed-in parent, picks for each child's age
first."""

from django.shortcuts import render

from boutique.catalog import selectors
from boutique.kids import selectors as kids_selectors

from ..listing import age_entries


def home(request):
    sections = selectors.home_sections_for_storefront()
    context = {
        "sections": sections,
        "age_entries": age_entries(sections.age_bands),
        "child_picks": kids_selectors.child_picks_for(user=request.user),
    }
    return render(request, "storefront/pages/home.html", context)
