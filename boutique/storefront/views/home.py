"""The landing page: featured categories, shop by age, the shop's picks, new
arrivals and what is on sale."""

from django.shortcuts import render

from boutique.catalog import selectors

from ..listing import age_entries


def home(request):
    sections = selectors.home_sections_for_storefront()
    context = {"sections": sections, "age_entries": age_entries(sections.age_bands)}
    return render(request, "storefront/pages/home.html", context)
