"""The reviews API's schemas. Text is returned as written (JSON-encoded, never
HTML): a client that puts it into a page must escape it, as the storefront does."""

from datetime import datetime

from ninja import Schema
from pydantic import Field, field_validator

from .models import RATING_MAX, RATING_MIN, TEXT_MAX, TEXT_MIN, TITLE_MAX
from .selectors import MAX_PAGE_SIZE


class ReviewListQuery(Schema):
    page: int = Field(1, ge=1, le=100_000, description="Page number, from 1.")
    page_size: int = Field(10, ge=1, le=MAX_PAGE_SIZE, description="Reviews per page.")


class ReviewIn(Schema):
    rating: int = Field(ge=RATING_MIN, le=RATING_MAX, description="Stars, 1–5.")
    title: str = Field(min_length=1, max_length=TITLE_MAX)
    text: str = Field(min_length=TEXT_MIN, max_length=TEXT_MAX)

    @field_validator("title", "text")
    @classmethod
    def _no_nul(cls, value: str) -> str:
        if "\x00" in value:
            raise ValueError("must not contain a NUL character")
        if not value.strip():
            raise ValueError("must not be blank")
        return value


class ReviewOut(Schema):
    id: int
    rating: int
    title: str
    text: str
    author: str = Field(description="First name and initial, or 'A verified buyer'.")
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_author(obj):
        return obj.author_name


class OwnReviewOut(ReviewOut):
    status: str = Field(description="pending, approved or rejected; only approved is shown.")


class HistogramBarOut(Schema):
    stars: int
    count: int


class ReviewPageOut(Schema):
    rating: float | None = Field(description="Average of the approved reviews; null if none.")
    review_count: int
    histogram: list[HistogramBarOut] = Field(description="Approved reviews per star, 5 to 1.")
    count: int
    page: int
    page_size: int
    num_pages: int
    next: int | None
    previous: int | None
    results: list[ReviewOut]
