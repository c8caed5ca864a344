"""Choosing the currency prices are shown (and checkout starts) in."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from boutique.core.money import format_money
from boutique.orders.selectors import exchange_rates

from ..currency import SESSION_KEY
from ..helpers import safe_next


@require_POST
def currency_choose(request):
    rates = exchange_rates()
    chosen = request.POST.get("currency", "").strip().upper()
    if chosen not in rates:
        messages.error(request, gettext("That currency is not offered."))
    else:
        request.session[SESSION_KEY] = chosen
        if chosen != "USD":
            messages.info(
                request,
                gettext(
                    "Prices are shown in %(currency)s at %(rate)s "
                    "per US dollar; you can pay in either currency."
                )
                % {"currency": chosen, "rate": format_money(rates[chosen], chosen)},
            )
    if request.htmx:
        return HttpResponseClientRefresh()
    return redirect(safe_next(request) or "storefront:home")
