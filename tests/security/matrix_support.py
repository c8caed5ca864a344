"""Authorisation rows for issue 10's support pages and API. Imported by matrix.py.

A customer's conversation is theirs alone: everyone else, staff included (staff
answer from the back office), gets 404. Anyone may start one. A guest's thread
opens with its signed link only, whoever holds it (the link is the key); the
API lists nothing for guests (401)."""

from .matrix import (
    ALLOWED,
    OK,
    SIGNIN,
    UNAUTHORIZED,
    Entry,
    customer_a,
    everyone,
    signed_in,
)

MESSAGE = {"body": "Refused message"}


def _a(w) -> dict:
    return {"conversation_id": w.extra["support_a"].pk}


def _guest(w) -> dict:
    return {"token": w.extra["support_guest_token"]}


SUPPORT_PAGES: list = [
    Entry("support/", "GET", signed_in(OK, anonymous=SIGNIN)),
    Entry("support/new/", "GET", everyone(OK)),
    Entry("support/new/", "POST", everyone(ALLOWED)),
    Entry("support/<int:conversation_id>/", "GET", customer_a(OK), kwargs=_a),
    Entry("support/<int:conversation_id>/", "POST", customer_a(ALLOWED), kwargs=_a, body=MESSAGE),
    Entry("support/<int:conversation_id>/messages/", "GET", customer_a(OK), kwargs=_a),
    Entry("support/g/<str:token>/", "GET", everyone(OK), kwargs=_guest),
    Entry("support/g/<str:token>/", "POST", everyone(ALLOWED), kwargs=_guest),
    Entry("support/g/<str:token>/messages/", "GET", everyone(OK), kwargs=_guest),
]

SUPPORT_API: list = [
    Entry("/api/v1/support/conversations", "GET", signed_in(OK, anonymous=UNAUTHORIZED)),
    Entry("/api/v1/support/conversations", "POST", everyone(ALLOWED)),
    Entry(
        "/api/v1/support/conversations/{conversation_id}/messages",
        "GET",
        customer_a(OK, anonymous=UNAUTHORIZED),
        kwargs=_a,
    ),
    Entry(
        "/api/v1/support/conversations/{conversation_id}/messages",
        "POST",
        customer_a(ALLOWED, anonymous=UNAUTHORIZED),
        kwargs=_a,
        body=MESSAGE,
    ),
]
