"""The support API's schemas. Text is stripped; NUL characters and unknown
fields are refused (422). Lengths are the services' (subject 150, message 4000)."""

from datetime import datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import AfterValidator, ConfigDict, Field

from .models import BODY_MAX, SUBJECT_MAX

MAX_INT = 2**31 - 1


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("NUL characters are not allowed.")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]


class SupportIn(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ConversationStartIn(SupportIn):
    subject: Text = Field(..., min_length=1, max_length=SUBJECT_MAX)
    body: Text = Field(..., min_length=1, max_length=BODY_MAX, description="The first message.")
    name: Text = Field("", max_length=120, description="A guest's name (required without sign-in).")
    email: Text = Field(
        "", max_length=254, description="A guest's email (required without sign-in)."
    )


class MessageIn(SupportIn):
    body: Text = Field(..., min_length=1, max_length=BODY_MAX)


class MessageOut(Schema):
    id: int
    author_side: Literal["customer", "staff"]
    body: str = Field(description="Plain text as written; escape it when showing it as HTML.")
    created_at: datetime


class ConversationOut(Schema):
    id: int
    subject: str
    status: Literal["open", "closed"]
    created_at: datetime
    last_message_at: datetime
    unread_count: int = Field(description="Answers from the shop not read yet.")
    guest_url: str | None = Field(
        None,
        description="A guest's signed link to the conversation's page (only in the answer "
        "to the guest who started it).",
    )


class ConversationPageOut(Schema):
    count: int
    page: int
    page_size: int
    num_pages: int
    next: int | None = Field(description="The next page number, or null on the last.")
    previous: int | None
    results: list[ConversationOut]


class MessagePageOut(ConversationPageOut):
    results: list[MessageOut]  # type: ignore[assignment]
