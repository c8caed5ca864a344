"""The back-in-stock alerts API (issue 13).

Anyone may subscribe to a sold-out option: a signed-in caller's account email
is used unless they send another, a guest sends `email`. Subscribing is
rate-limited per client address (429 with Retry-After); an option in stock is
409 `variant_in_stock`; a bad email is 422 and nothing is stored. Listing and
cancelling need a signed-in caller and see only their own alerts (someone
else's is 404, as an unknown id is)."""

from ninja import Query, Router, Status

from boutique.catalog.selectors import variant_find
from boutique.core.api_auth import optional_auth
from boutique.core.errors import NotFound
from boutique.core.pagination import PageQuery, page_of
from boutique.core.ratelimit import rate_limit
from boutique.core.schemas import problems

from .alerts import stock_alert_cancel, stock_alert_subscribe
from .schemas import StockAlertIn, StockAlertOut, StockAlertPageOut
from .selectors import stock_alerts_for_user

stock_alerts_router = Router(tags=["stock alerts"])


@stock_alerts_router.post(
    "/stock-alerts",
    auth=optional_auth(),
    response={201: StockAlertOut, **problems(403, 404, 409, 422, 429)},
)
def stock_alert_create(request, payload: StockAlertIn):
    """Be told once, by email, when a sold-out option is back in stock.
    Subscribing again while waiting returns the same alert."""
    user = request.auth if request.auth.is_authenticated else None
    variant = variant_find(variant_id=payload.variant_id)
    if variant is None or not variant.purchasable:
        raise NotFound("This option of the product does not exist.")
    rate_limit(request, scope="stock_alert")
    alert = stock_alert_subscribe(variant=variant, email=payload.email or "", user=user)
    return Status(201, alert)


@stock_alerts_router.get(
    "/stock-alerts", response={200: StockAlertPageOut, **problems(400, 401, 403)}
)
def stock_alert_list(request, query: Query[PageQuery]):
    """The caller's alerts, newest first: waiting, notified or cancelled."""
    return page_of(stock_alerts_for_user(user=request.auth), query)


@stock_alerts_router.delete(
    "/stock-alerts/{int:alert_id}", response={200: StockAlertOut, **problems(401, 403, 404)}
)
def stock_alert_delete(request, alert_id: int):
    """Stop waiting: the alert becomes cancelled (one already notified stays so)."""
    return stock_alert_cancel(alert_id=alert_id, user=request.auth)
