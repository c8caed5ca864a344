"""Authorisation rows for issue 13's back-in-stock alerts. Imported by matrix.py.

Anyone may subscribe to a sold-out option (page and API). The unsubscribe link
is a signed token: whoever holds it sees the page, and its button is theirs to
press. Listing alerts needs a signed-in caller and shows only their own; a
customer's alert is theirs alone (404 for everyone else, staff included: staff
use the back office). Recalls, materials and certifications are back-office
only: their admin rows come from admin_rules.py."""

from .matrix import ALLOWED, OK, UNAUTHORIZED, Entry, customer_a, everyone, signed_in


def _token(w) -> dict:
    return {"token": w.extra["stock_alert_token"]}


def _alert_a(w) -> dict:
    return {"alert_id": w.extra["stock_alert_a"].pk}


SAFETY_PAGES: list = [
    Entry("p/<slug:slug>/stock-alert/", "POST", everyone(ALLOWED)),
    Entry("stock-alerts/unsubscribe/<str:token>/", "GET", everyone(OK), kwargs=_token),
    Entry("stock-alerts/unsubscribe/<str:token>/", "POST", everyone(ALLOWED), kwargs=_token),
]
SAFETY_API: list = [
    Entry("/api/v1/stock-alerts", "POST", everyone(ALLOWED)),
    Entry("/api/v1/stock-alerts", "GET", signed_in(OK, anonymous=UNAUTHORIZED)),
    Entry(
        "/api/v1/stock-alerts/{alert_id}",
        "DELETE",
        customer_a(ALLOWED, anonymous=UNAUTHORIZED),
        kwargs=_alert_a,
    ),
]
