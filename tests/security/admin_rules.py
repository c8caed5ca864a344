"""The Django admin's rows of the matrix, made by rule from the admin's own URL
patterns (which Django builds from admin.site._registry and each ModelAdmin's
get_urls) instead of by hand:

- anonymous visitors, customers and sellers are sent to the admin sign-in for
  every admin URL, GET or POST (a POST changes nothing);
- staff (a superuser) get what the ModelAdmin itself declares: 200 for a view
  its has_*_permission allows, 403 otherwise; object URLs use a real object of
  the model where the world has one (else the admin's "no such object"
  redirect to its index).

Custom views (ModelAdmin.get_urls additions) need a hand-written staff outcome
in CUSTOM_STAFF: a new one without it fails the completeness test, and it is
checked like the rest for everyone else."""

import re
from dataclasses import dataclass

from django.contrib import admin
from django.test import RequestFactory

from .matrix import (
    ADMIN_LOGIN,
    ALLOWED,
    ANONYMOUS,
    FORBIDDEN,
    NOT_FOUND,
    OK,
    STAFF,
    Expect,
    everyone,
    redirect,
)

ADMIN = "/admin/"
OBJECT = "<path:object_id>/"
STANDARD_SUFFIXES = (
    "",
    "add/",
    f"{OBJECT}history/",
    f"{OBJECT}delete/",
    f"{OBJECT}change/",
    OBJECT,
)

# The order and shipment actions are forms on the change page: POST only.
POST_ONLY = Expect(405)

# Staff outcome (GET) of each ModelAdmin's own extra views, by route.
CUSTOM_STAFF = {
    "admin/accounts/user/<id>/password/": OK,
    "admin/catalog/product/import/": OK,
    "admin/catalog/product/export/": OK,
    "admin/inventory/stock/<path:object_id>/receive/": OK,
    "admin/inventory/stock/<path:object_id>/adjust/": OK,
    # The world has no transfer receipt: the view's own "no such receipt".
    "admin/orders/order/<path:object_id>/receipts/<int:receipt_id>/": NOT_FOUND,
    "admin/orders/order/<path:object_id>/refund/": POST_ONLY,
    "admin/orders/order/<path:object_id>/confirm-payment/": POST_ONLY,
    "admin/orders/order/<path:object_id>/ship/": POST_ONLY,
    "admin/orders/order/<path:object_id>/status/": POST_ONLY,
    "admin/shipping/shipment/<path:object_id>/event/": POST_ONLY,
    # Issue 9's back office: each button opens its form (a reason, a rate, a period).
    "admin/marketplace/seller/<path:object_id>/approve/": OK,
    "admin/marketplace/seller/<path:object_id>/reject/": OK,
    "admin/marketplace/seller/<path:object_id>/suspend/": OK,
    "admin/marketplace/seller/<path:object_id>/reactivate/": OK,
    "admin/marketplace/seller/<path:object_id>/commission/": OK,
    "admin/marketplace/payout/generate/": OK,
    "admin/marketplace/payout/<path:object_id>/mark-paid/": OK,
    # Issue 10's support thread (reply form, polled messages); close/reopen are buttons.
    "admin/support/conversation/<path:object_id>/thread/": OK,
    "admin/support/conversation/<path:object_id>/thread/messages/": OK,
    "admin/support/conversation/<path:object_id>/close/": POST_ONLY,
    "admin/support/conversation/<path:object_id>/reopen/": POST_ONLY,
}

# The site's own views, by route: (staff, everyone else but anonymous, anonymous).
SITE = {
    "admin/": (OK, ADMIN_LOGIN, ADMIN_LOGIN),
    # The sign-in page says "signed in as X, not allowed" to non-staff.
    "admin/login/": (redirect(ADMIN), OK, OK),
    # Logout is POST-only; non-staff are sent to the index (then to sign in).
    "admin/logout/": (Expect(405), redirect(ADMIN), redirect(ADMIN)),
    "admin/password_change/": (OK, ADMIN_LOGIN, ADMIN_LOGIN),
    "admin/password_change/done/": (OK, ADMIN_LOGIN, ADMIN_LOGIN),
    # Without its term/app/model parameters the autocomplete refuses.
    "admin/autocomplete/": (FORBIDDEN, ADMIN_LOGIN, ADMIN_LOGIN),
    "admin/jsi18n/": (OK, ADMIN_LOGIN, ADMIN_LOGIN),
    # Products have no get_absolute_url: "view on site" has nowhere to go.
    "admin/r/<path:content_type_id>/<path:object_id>/": (NOT_FOUND, ADMIN_LOGIN, ADMIN_LOGIN),
    "app_list": (OK, ADMIN_LOGIN, ADMIN_LOGIN),
    "catch_all": (NOT_FOUND, ADMIN_LOGIN, ADMIN_LOGIN),
}


@dataclass(frozen=True)
class AdminEntry:
    route: str
    method: str
    expect: dict
    url: object  # world -> path


def _model_admins() -> dict:
    """'admin/<app>/<model>/' -> (model, ModelAdmin)."""
    return {
        f"admin/{model._meta.app_label}/{model._meta.model_name}/": (model, model_admin)
        for model, model_admin in admin.site._registry.items()
    }


def _sample(model):
    return model._default_manager.order_by("pk").first()


def _fill(route: str, values: dict) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), route)


def _staff_request(staff):
    request = RequestFactory().get(ADMIN)
    request.user = staff
    return request


def _standard_staff(suffix: str, model_admin, obj, staff, base: str) -> Expect:
    request = _staff_request(staff)
    if suffix == "":
        return OK if model_admin.has_view_or_change_permission(request) else FORBIDDEN
    if suffix == "add/":
        return OK if model_admin.has_add_permission(request) else FORBIDDEN
    if suffix.endswith("delete/") and not model_admin.has_delete_permission(request, obj):
        return FORBIDDEN  # read-only models refuse before looking the object up
    if obj is None:
        return redirect(ADMIN)  # "… with ID “0” doesn’t exist": back to the index
    if suffix == OBJECT:
        return redirect(f"/{base}{obj.pk}/change/")
    if suffix.endswith("delete/"):
        return OK
    return OK if model_admin.has_view_or_change_permission(request, obj) else FORBIDDEN


def _outcomes(staff_expect: Expect, others: Expect, anonymous: Expect) -> dict:
    return {**everyone(others), ANONYMOUS: anonymous, STAFF: staff_expect}


def _model_entry(route: str, base: str, model, model_admin, world) -> list[AdminEntry]:
    suffix = route[len(base) :]
    obj = _sample(model)
    values = {"object_id": obj.pk if obj else 0, "id": obj.pk if obj else 0, "receipt_id": 999999}
    if suffix in STANDARD_SUFFIXES:
        staff_expect = _standard_staff(suffix, model_admin, obj, world.staff, base)
    else:
        staff_expect = CUSTOM_STAFF.get(route)
        if staff_expect is None:
            return []  # reported by the completeness test
    url = _fill(route, values)
    entries = [AdminEntry(route, "GET", _outcomes(staff_expect, ADMIN_LOGIN, ADMIN_LOGIN), url)]
    if suffix not in ("", OBJECT):
        # Writing views: non-staff POSTs are refused before the view runs.
        post = _outcomes(ALLOWED, ADMIN_LOGIN, ADMIN_LOGIN)
        entries.append(AdminEntry(route, "POST", post, url))
    return entries


def _site_url(route: str, world) -> str:
    if route == "admin/r/<path:content_type_id>/<path:object_id>/":
        from django.contrib.contenttypes.models import ContentType

        product = world.s1.product
        return f"/admin/r/{ContentType.objects.get_for_model(product).pk}/{product.pk}/"
    if route.startswith("admin/^"):
        return "/admin/orders/"
    if route.startswith("admin/(?P<url>"):
        return "/admin/no-such-page/"
    return "/" + route


def _site_key(route: str) -> str:
    if route.startswith("admin/^"):
        return "app_list"
    if route.startswith("admin/(?P<url>"):
        return "catch_all"
    return route


def admin_entries(routes, world) -> tuple[list[AdminEntry], list[str]]:
    """Entries for every admin route, and the routes no rule covers."""
    models = _model_admins()
    entries, uncovered = [], []
    for route in routes:
        base = next((b for b in models if route.startswith(b)), None)
        if base is not None:
            made = _model_entry(route, base, *models[base], world)
        elif _site_key(route) in SITE:
            staff_expect, others, anonymous = SITE[_site_key(route)]
            made = [
                AdminEntry(
                    route,
                    "GET",
                    _outcomes(staff_expect, others, anonymous),
                    _site_url(route, world),
                )
            ]
        else:
            made = []
        if not made:
            uncovered.append(route)
        entries.extend(made)
    return entries, uncovered
