"""Hardening (issue 8): the deploy check under production settings, the Content
Security Policy on pages, coupon attempts rate-limited on the API and the
checkout page, request size limits."""

import json
import os
import re
import secrets
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from boutique.catalog.tests.factories import make_product
from boutique.checkout.tests.api_support import (
    PROBLEM,
    QUOTE,
    add_to_cart,
    body,
    courier,
    post,
    variant,
)
from boutique.promotions.services import coupon_create
from boutique.storefront.tests.conftest import HTMX
from boutique.storefront.tests.test_checkout_pages import (
    _add,
    _guest_form,
    _open_checkout,
    _token,
    _variant,
    lb,  # noqa: F401 (fixture)
)

ROOT = Path(__file__).resolve().parents[3]
CHECKOUT = reverse("storefront:checkout")


def test_deploy_check_is_clean_under_production_settings():
    # The browser tier sets DJANGO_ALLOW_ASYNC_UNSAFE for Playwright in this
    # process; a deployment never has it.
    dropped = {"DATABASE_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="shop.example.com",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_production_settings_turn_on_https_only_cookies_and_hsts():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS >= 31536000, "
        "s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.CSRF_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, s.CSRF_COOKIE_SAMESITE, "
        "s.X_FRAME_OPTIONS, s.SECURE_REFERRER_POLICY, s.SECURE_CONTENT_TYPE_NOSNIFF)"
    )
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production", SECRET_KEY=secrets.token_urlsafe(50)
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True", "True", "True", "True", "True", "True", "True", "True",
        "Lax", "Lax", "DENY", "same-origin", "True",
    ]  # fmt: skip


# --- Content Security Policy ---------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/shop/", "/cart/", "/search/?q=bodysuit"])
def test_pages_carry_a_content_security_policy_without_inline_scripts(client, url):
    response = client.get(url)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    directives = dict(
        (part.split()[0], part.split()[1:]) for part in policy.split(";") if part.strip()
    )
    assert directives["script-src"][0] == "'self'"
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert directives["img-src"] == ["'self'", "data:"]
    assert directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "js.stripe.com" not in policy  # the test gateway needs no Stripe script
    html = response.content.decode()
    assert "hx-on" not in html and " onclick=" not in html
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_product_json_ld_carries_the_policy_nonce(client):
    product = make_product("Organic cotton bodysuit", stock=3, price="12.00")
    response = client.get(reverse("storefront:product", args=[product.slug]))
    assert response.status_code == 200
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    html = response.content.decode()
    assert f'<script type="application/ld+json" nonce="{nonce}">' in html
    # Each response has its own nonce.
    again = client.get(reverse("storefront:product", args=[product.slug]))
    assert f"'nonce-{nonce}'" not in again["Content-Security-Policy"]


@pytest.mark.parametrize(("gateway", "stripe_allowed"), [("stripe", True), ("test", False)])
def test_stripe_is_allowed_by_the_policy_only_when_it_is_the_gateway(gateway, stripe_allowed):
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps(s.CONTENT_SECURITY_POLICY['DIRECTIVES'], default=str))"
    )
    env = {
        **os.environ,
        "PAYMENT_GATEWAY": gateway,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    directives = json.loads(result.stdout.strip().splitlines()[-1])
    assert ("https://js.stripe.com" in directives["script-src"]) is stripe_allowed
    assert ("https://js.stripe.com" in directives["frame-src"]) is stripe_allowed
    assert "'unsafe-inline'" not in directives["script-src"]


@pytest.mark.django_db
def test_cart_drawer_closes_without_an_inline_handler(client):
    _add(client, _variant())
    drawer = client.get(reverse("storefront:cart_drawer"), headers=HTMX)
    html = drawer.content.decode()
    assert drawer.status_code == 200 and "cart-drawer-close" in html
    assert "hx-on" not in html and "onclick" not in html
    assert "js/cart-drawer.js" in client.get("/").content.decode()


# --- Coupon attempts ------------------------------------------------------------------
@pytest.mark.django_db
def test_api_quotes_with_coupons_are_rate_limited_per_client(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "coupon": "3/h"}
    method = courier()
    coupon_create(code="spring10", kind="percentage", value=Decimal("10"))
    headers = add_to_cart(client, variant())
    for guess in ("AAAA", "BBBB", "CCCC"):
        assert post(client, QUOTE, body(method, coupon=guess), headers).status_code == 400
    refused = post(client, QUOTE, body(method, coupon="spring10"), headers)
    assert refused.status_code == 429
    assert refused["Content-Type"] == PROBLEM
    assert refused.json()["code"] == "throttled"
    assert 1 <= int(refused["Retry-After"]) <= 3600
    # A quote without a coupon is not an attempt; another client has its own count.
    assert post(client, QUOTE, body(method), headers).status_code == 200
    other = add_to_cart(client, variant(name="Knitted hat"), headers=None)
    fresh = client.post(
        QUOTE,
        body(method, coupon="spring10"),
        content_type="application/json",
        headers=other,
        REMOTE_ADDR="10.9.9.9",
    )
    assert fresh.status_code == 200, fresh.content


@pytest.mark.django_db
def test_checkout_page_coupon_apply_is_rate_limited(client, lb, settings):  # noqa: F811
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "coupon": "2/h"}
    coupon_create(code="spring10", kind="percentage", value=Decimal("10"))
    _add(client, _variant())
    token = _token(_open_checkout(client))
    for guess in ("AAAA", "BBBB"):
        tried = client.post(
            CHECKOUT, _guest_form(token, lb, coupon=guess, action="apply_coupon"), headers=HTMX
        )
        assert tried.status_code == 400
    refused = client.post(
        CHECKOUT, _guest_form(token, lb, coupon="spring10", action="apply_coupon"), headers=HTMX
    )
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 3600
    html = refused.content.decode()
    assert "Too many requests" in html and "SPRING10 applied" not in html
    full = client.post(CHECKOUT, _guest_form(token, lb, coupon="spring10", action="apply_coupon"))
    assert full.status_code == 429 and "Too many requests" in full.content.decode()
    # Updating without a coupon still works.
    plain = client.post(CHECKOUT, _guest_form(token, lb, action="refresh"), headers=HTMX)
    assert plain.status_code == 200


# --- Request size ---------------------------------------------------------------------
@pytest.mark.django_db
def test_an_over_large_json_body_is_refused_not_a_crash(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    method = courier()
    headers = add_to_cart(client, variant())
    payload = body(method, email="big@example.com", notes="x" * 4096)
    response = post(client, QUOTE, payload, headers)
    assert response.status_code == 413, response.content
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "request_too_large"
    # Within the limit the same endpoint answers normally.
    assert post(client, QUOTE, body(method), headers).status_code == 200


@pytest.mark.django_db
def test_an_over_large_form_post_is_a_400_not_a_crash(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = client.post(reverse("storefront:order_lookup"), {"number": "x" * 4096})
    assert response.status_code == 400


def test_request_size_limits_are_set_deliberately(settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 10 * 1024 * 1024
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE == 8 * 1024 * 1024
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS == 2000
