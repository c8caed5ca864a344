"""The one way to write the audit log. Called inside the caller's transaction so
the record commits or rolls back with the change it describes."""

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from boutique.core.context import current_request_var, request_id_var

from .models import AuditLog

# Fields whose values never go into the log, only the fact that they changed:
# any key, at any depth, whose name contains a marker (`password`, `new_password`,
# `api_secret`, `token`) or ends in `_hash` (`code_hash`, `key_hash`).
REDACTED_MARKERS = ("password", "secret", "token")
REDACTED = "[redacted]"


def _is_redacted(key) -> bool:
    name = str(key).lower()
    return name.endswith("_hash") or any(marker in name for marker in REDACTED_MARKERS)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return _clean(value)
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if hasattr(value, "pk"):
        return value.pk
    return value


def _clean(values: dict | None) -> dict:
    return {
        str(key): REDACTED if _is_redacted(key) else _jsonable(value)
        for key, value in (values or {}).items()
    }


def audit_record(
    *,
    entity,
    action: str,
    actor=None,
    old: dict | None = None,
    new: dict | None = None,
    entity_type: str | None = None,
) -> AuditLog:
    """Record one change. `entity` is a model instance (or pass entity_type and an id)."""
    if entity_type is None:
        entity_type = entity._meta.label_lower
    entity_id = str(getattr(entity, "pk", entity))
    if actor is None:
        actor = getattr(current_request_var.get(), "user", None)
    actor_user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditLog.objects.create(
        entity_type=entity_type,
        entity_id=entity_id,
        action=action,
        old=_clean(old),
        new=_clean(new),
        actor=actor_user,
        actor_label=str(actor_user) if actor_user else "system",
        request_id=request_id_var.get() or "",
    )


def snapshot(instance, fields) -> dict:
    """The current values of `fields` on `instance`, for an old/new pair."""
    return {field: getattr(instance, field) for field in fields}


def changed(old: dict, new: dict) -> tuple[dict, dict]:
    """Only the keys whose values differ between two snapshots."""
    keys = [k for k in new if old.get(k) != new.get(k)]
    return {k: old.get(k) for k in keys}, {k: new[k] for k in keys}
