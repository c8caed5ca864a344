"""A cheap picture of the database to prove that a refused request changed
nothing: for every table of the project's apps (plus auth groups and the
admin's change log), its row count and a hash of all its rows.

Left out, because a refused request may legitimately touch them:
- sessions (django_session): a page may add a flash message or a guest's cart
  token to the visitor's session;
- django-axes' tables: they record sign-in attempts, not shop data;
- ApiToken.last_used_at: bearer authentication stamps it (at most once a
  minute) before the view refuses.
"""

import hashlib

from django.apps import apps

APPS = {
    "accounts",
    "audit",
    "backoffice",
    "cart",
    "catalog",
    "inventory",
    "marketplace",
    "notifications",
    "orders",
    "payments",
    "promotions",
    "shipping",
    "auth",
    "admin",
}
IGNORED_FIELDS = {("accounts", "apitoken"): {"last_used_at"}}


def _models():
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.app_label in APPS and not meta.proxy and meta.managed:
            yield model


def _fields(model) -> list[str]:
    ignored = IGNORED_FIELDS.get((model._meta.app_label, model._meta.model_name), set())
    return [f.attname for f in model._meta.concrete_fields if f.attname not in ignored]


def db_snapshot() -> dict[str, tuple[int, str]]:
    state = {}
    for model in _models():
        rows = model._base_manager.order_by("pk").values_list(*_fields(model))
        digest = hashlib.blake2b(digest_size=16)
        count = 0
        for row in rows:
            digest.update(repr(row).encode())
            count += 1
        state[model._meta.db_table] = (count, digest.hexdigest())
    return state


def db_changes(before: dict, after: dict) -> list[str]:
    return [
        f"{table}: {before.get(table, (0, ''))[0]} → {after.get(table, (0, ''))[0]} rows"
        + ("" if before.get(table, (0,))[0] != after.get(table, (0,))[0] else " (rows changed)")
        for table in sorted(set(before) | set(after))
        if before.get(table) != after.get(table)
    ]
