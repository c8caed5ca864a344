"""The authorisation matrix (issue 8): every page route, every API operation and
every Django admin URL, requested by anonymous, customer A, customer B, seller
S1, seller S2 and staff against one world, answers what matrix.py (and the
admin rules) say; a refused unsafe request leaves the database unchanged.

Enumeration comes from the URL conf and the OpenAPI schema, so a new endpoint
without an entry fails test_every_endpoint_has_an_entry, and an entry for an
endpoint that is gone fails test_no_entry_names_a_missing_endpoint.

One world per test (built through services, rolled back after); one test per
actor and surface, each sweeping all of its rows and reporting every mismatch
at once."""

import json
import re

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from boutique.core.problems import PROBLEM_CONTENT_TYPE
from config.api import api

from .admin_rules import admin_entries
from .matrix import (
    ACTORS,
    ANONYMOUS,
    API,
    DEFAULT_KWARGS,
    PAGES,
    SIGNED_IN,
    STAFF,
    UNSAFE,
    Expect,
)
from .snapshot import db_changes, db_snapshot
from .world import build_world

pytestmark = pytest.mark.django_db


def _walk(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def _is_api_operation(pattern) -> bool:
    # django-ninja's per-path views; the schema enumerates their operations.
    return getattr(pattern.callback, "__module__", "") == "ninja.operation"


def page_routes() -> set[str]:
    return {
        route
        for route, pattern in _walk(get_resolver())
        if not route.startswith("admin/") and not _is_api_operation(pattern)
    }


def admin_routes() -> list[str]:
    return [route for route, _ in _walk(get_resolver()) if route.startswith("admin/")]


def api_operations() -> set[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return {
        (path, method.upper())
        for path, operations in schema["paths"].items()
        for method in operations
    }


# --- Completeness ------------------------------------------------------------------------


def test_every_endpoint_has_an_entry():
    pages = {entry.route for entry in PAGES}
    operations = {(entry.route, entry.method) for entry in API}
    missing_pages = sorted(page_routes() - pages)
    missing_ops = sorted(api_operations() - operations)
    assert not missing_pages, f"page routes with no row in matrix.py: {missing_pages}"
    assert not missing_ops, f"API operations with no row in matrix.py: {missing_ops}"


def test_no_entry_names_a_missing_endpoint():
    gone_pages = sorted({entry.route for entry in PAGES} - page_routes())
    gone_ops = sorted({(entry.route, entry.method) for entry in API} - api_operations())
    assert not gone_pages, f"rows for page routes that no longer exist: {gone_pages}"
    assert not gone_ops, f"rows for API operations that no longer exist: {gone_ops}"


def test_every_row_says_what_each_actor_gets():
    rows = [*PAGES, *API]
    assert len({(e.route, e.method) for e in rows}) == len(rows), "a (route, method) twice"
    for entry in rows:
        assert set(entry.expect) == set(ACTORS), (entry.route, entry.method)
        if entry.method not in UNSAFE:
            assert all(e.run for e in entry.expect.values()), (entry.route, entry.method)


def test_every_admin_url_is_covered_by_a_rule(db):
    world = build_world()
    entries, uncovered = admin_entries(admin_routes(), world)
    assert not uncovered, f"admin URLs no rule covers (add to CUSTOM_STAFF or SITE): {uncovered}"
    assert len(entries) > 150  # every registered model's changelist, add, change, …


# --- Sweeping the matrix -----------------------------------------------------------------


def _fill(route: str, values: dict) -> str:
    route = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), route)
    return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), route)


def _url(entry, world) -> str:
    names = re.findall(r"<(?:\w+:)?(\w+)>|\{(\w+)\}", entry.route)
    values = entry.kwargs(world) if entry.kwargs else {}
    for name in (a or b for a, b in names):
        if name not in values:
            values[name] = DEFAULT_KWARGS[name](world)
    path = _fill(entry.route, values)
    path = path if path.startswith("/") else "/" + path
    query = entry.query(world) if callable(entry.query) else entry.query
    return f"{path}?{query}" if query else path


def _check(response, expect: Expect, *, api: bool) -> str | None:
    """None when the response is what the row expects, else why not."""
    status = response.status_code
    if status != expect.status:
        location = response.get("Location", "")
        return f"got {status}{' → ' + location if location else ''}, expected {expect}"
    if expect.redirect:
        location = response["Location"]
        target = {
            "signin": reverse("storefront:signin") + "?next=",
            "admin_login": reverse("admin:login") + "?next=",
        }.get(expect.redirect, expect.redirect)
        if not location.startswith(target):
            return f"redirected to {location}, expected {target}…"
    if api and status >= 400:
        content_type = response.get("Content-Type", "").split(";")[0]
        if content_type != PROBLEM_CONTENT_TYPE:
            return f"{status} answered as {content_type}, not problem+json"
        if response.json().get("code") == "not_authenticated" and (
            "WWW-Authenticate" not in response
        ):
            return "401 without WWW-Authenticate"
    return None


def _request(client, method, url, entry, world, *, api: bool, headers: dict):
    headers = {**headers, **getattr(entry, "headers", {})}
    if method == "GET":
        return client.get(url, headers=headers)
    body = getattr(entry, "body", None)
    body = (body(world) if callable(body) else body) or {}
    if api:
        return client.generic(method, url, json.dumps(body), "application/json", headers=headers)
    return client.post(url, body, headers=headers)


def sweep(rows, actor, world, client, *, api=False, headers=None, batch=False):
    """Request every row as `actor`; the mismatches, and how many were run.
    Each refused write is checked against a snapshot taken just before it, or,
    with `batch`, all of them at once against one snapshot taken before the
    sweep (the admin: every refusal happens before any admin view runs)."""
    failures, ran = [], 0
    start = db_snapshot() if batch else None
    for entry in rows:
        expect = entry.expect[actor]
        if not expect.run:
            continue
        url = getattr(entry, "url", None) or _url(entry, world)
        refused_write = entry.method in UNSAFE and not batch
        before = db_snapshot() if refused_write else None
        response = _request(client, entry.method, url, entry, world, api=api, headers=headers or {})
        ran += 1
        problem = _check(response, expect, api=api)
        if refused_write:
            changed = db_changes(before, db_snapshot())
            if changed:
                problem = (problem + "; " if problem else "") + f"refused but changed {changed}"
        if problem:
            failures.append(f"{entry.method} {url} [{entry.route}]: {problem}")
    if batch and (changed := db_changes(start, db_snapshot())):
        failures.append(f"the refused writes changed {changed}")
    return failures, ran


def _client(world, actor, *, session: bool = True) -> Client:
    client = Client()
    user = world.user(actor)
    if user is not None and session:
        client.force_login(user)
    return client


@pytest.fixture
def world(db):
    return build_world()


@pytest.mark.parametrize("actor", ACTORS)
def test_pages(actor, world):
    failures, ran = sweep(PAGES, actor, world, _client(world, actor))
    assert ran >= 40
    assert not failures, "\n".join(failures)


API_RUNS = [(ANONYMOUS, "none")] + [(a, t) for a in SIGNED_IN for t in ("bearer", "session")]


@pytest.mark.parametrize(("actor", "transport"), API_RUNS)
def test_api(actor, transport, world):
    headers = {}
    if transport == "bearer":
        headers["Authorization"] = f"Bearer {world.token(actor)}"
    client = _client(world, actor, session=transport == "session")
    failures, ran = sweep(API, actor, world, client, api=True, headers=headers)
    assert ran >= 20
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("actor", ACTORS)
def test_admin(actor, world):
    entries, _ = admin_entries(admin_routes(), world)
    refused_all = actor != STAFF  # staff's writes are not executed
    failures, ran = sweep(entries, actor, world, _client(world, actor), batch=refused_all)
    assert ran >= 150
    assert not failures, "\n".join(failures)
