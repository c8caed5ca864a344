from ninja import Schema
from pydantic import Field


class ProblemOut(Schema):
    """RFC 9457 problem details (application/problem+json)."""

    type: str
    title: str
    status: int
    code: str
    detail: str | None = None
    instance: str | None = None
    errors: dict[str, list[str]] | None = Field(None, description="Field name → messages")


def problems(*statuses: int) -> dict:
    """`responses=` entries documenting problem+json for the given statuses."""
    return {status: ProblemOut for status in statuses}
