"""The old/new pair of an audit entry as rows a person can read (no Django)."""

import json
from dataclasses import dataclass

ABSENT = object()


@dataclass(frozen=True)
class DiffRow:
    field: str
    old: str  # pretty JSON, "" when the field was not recorded on that side
    new: str
    has_old: bool
    has_new: bool
    is_changed: bool


def pretty(value) -> str:
    """JSON, indented for objects and lists, as stored (strings quoted)."""
    if isinstance(value, dict | list):
        return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)
    return json.dumps(value, ensure_ascii=False)


def audit_diff(old, new) -> list[DiffRow]:
    """One row per field in either side: the new side's order, then fields only
    the old side has. A field is changed when its value differs or one side
    lacks it (a creation records only new values, a deletion only old ones).
    A side that is not an object (never written by audit_record) is one row."""
    old = old if isinstance(old, dict) else ({} if old in (None, "") else {"value": old})
    new = new if isinstance(new, dict) else ({} if new in (None, "") else {"value": new})
    fields = list(new) + [k for k in old if k not in new]
    rows = []
    for name in fields:
        before, after = old.get(name, ABSENT), new.get(name, ABSENT)
        rows.append(
            DiffRow(
                field=str(name),
                old="" if before is ABSENT else pretty(before),
                new="" if after is ABSENT else pretty(after),
                has_old=before is not ABSENT,
                has_new=after is not ABSENT,
                is_changed=before is ABSENT or after is ABSENT or before != after,
            )
        )
    return rows


def changed_fields(old, new) -> list[str]:
    return [row.field for row in audit_diff(old, new) if row.is_changed]
