"""Back-in-stock alerts on the storefront (issue 13). On a sold-out option the
product page offers "email me when it is back": a signed-in customer's email
is filled in, a guest types one. The form posts here (HTMX swaps only the form;
without JavaScript the product page is shown again). Rate-limited per client
like the other public forms that lead to an email. The unsubscribe link of the
message opens a page whose button cancels every waiting alert of that address
(a GET never changes anything: mail scanners follow links)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from boutique.catalog import selectors
from boutique.core.errors import DomainError, NotFound
from boutique.core.ratelimit import rate_limit
from boutique.inventory.alerts import (
    stock_alert_subscribe as subscribe,
)
from boutique.inventory.alerts import (
    stock_alert_token_email,
    stock_alerts_unsubscribe,
)

from ..forms.stock_alerts import StockAlertForm
from ..helpers import FORM_INVALID, add_domain_error, not_found_as_404, redirect_to

PARTIAL = "storefront/partials/_stock_alert.html"


def _variant_id(request) -> int:
    raw = request.POST.get("variant", "").strip()
    if not raw.isdecimal() or len(raw) > 18:
        raise Http404("This option of the product does not exist.")
    return int(raw)


@require_POST
@not_found_as_404
def stock_alert_subscribe(request, slug: str):
    detail = selectors.product_detail_for_storefront(slug=slug, variant_id=_variant_id(request))
    form = StockAlertForm(request.POST)
    status = FORM_INVALID
    alert = None
    if form.is_valid():
        user = request.user if request.user.is_authenticated else None
        try:
            rate_limit(request, scope="stock_alert")
            alert = subscribe(variant=detail.variant, email=form.cleaned_data["email"], user=user)
        except NotFound as exc:
            raise Http404(exc.detail) from exc
        except DomainError as exc:
            status = add_domain_error(form, exc)
        else:
            status = 200
    if request.htmx:
        context = {
            "product": detail.product,
            "variant": detail.variant,
            "stock_alert_form": form,
            "stock_alert": alert,
        }
        return render(request, PARTIAL, context, status=status)
    if alert is not None:
        messages.success(
            request, _("We will email %(email)s once, when it is back.") % {"email": alert.email}
        )
        page = reverse("storefront:product", args=[slug])
        return redirect_to(request, f"{page}?{urlencode({'variant': detail.variant.pk})}")
    from .product import product_page_context

    context = product_page_context(request, detail)
    context["stock_alert_form"] = form
    return render(request, "storefront/pages/product.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def stock_alert_unsubscribe(request, token: str):
    try:
        email = stock_alert_token_email(token)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    cancelled = None
    if request.method == "POST":
        cancelled = stock_alerts_unsubscribe(token=token)
    return render(
        request,
        "storefront/pages/stock_alert_unsubscribe.html",
        {"email": email, "cancelled": cancelled},
    )
