"""One page of a queryset in the API's shape ({count, page, page_size,
num_pages, next, previous, results}). Page numbers arrive as text so that a bad
value is our 400 problem, never a 422 from the schema layer."""

from ninja import Schema
from pydantic import Field

from .errors import DomainError

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_PAGE = 100_000


class QueryInvalid(DomainError):
    code = "invalid_query"
    status = 400
    title = "A query parameter is not valid"


def whole_text_field(description: str):
    """A query parameter documented as an integer but read as text."""
    return Field("", description=description, json_schema_extra={"format": "int32"})


class PageQuery(Schema):
    page: str = whole_text_field("Page number, from 1.")
    page_size: str = whole_text_field(
        f"Rows per page, 1–{MAX_PAGE_SIZE} (default {DEFAULT_PAGE_SIZE})."
    )


def whole(value: str, name: str, *, default: int, high: int, error=QueryInvalid) -> int:
    """`value` as a whole number from 1 to `high`, `default` when empty."""
    value = (value or "").strip()
    if not value:
        return default
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= high:
        raise error(
            f"{name} must be a whole number from 1 to {high}.",
            field_errors={name: [f"Between 1 and {high}."]},
        )
    return int(value)


def page_of(qs, query, *, prepare=list, error=QueryInvalid) -> dict:
    """The asked-for page of `qs`; `prepare` turns the page's rows into what the
    schema reads and must run a fixed number of queries."""
    page = whole(query.page, "page", default=1, high=MAX_PAGE, error=error)
    size = whole(
        query.page_size, "page_size", default=DEFAULT_PAGE_SIZE, high=MAX_PAGE_SIZE, error=error
    )
    count = qs.count()
    num_pages = max(1, -(-count // size))
    start = (page - 1) * size
    return {
        "count": count,
        "page": page,
        "page_size": size,
        "num_pages": num_pages,
        "next": page + 1 if page < num_pages else None,
        "previous": page - 1 if page > 1 else None,
        "results": prepare(qs[start : start + size]) if start < count else [],
    }
