"""Authorisation rows for issue 9's seller onboarding and public store pages
(apply, application status, store profile, /s/<slug>/). Imported by matrix.py.

Applying and one's store are the signed-in user's own: nobody names someone
else's store here. A user with a store (S1, S2) is sent from the application
form to its status; a user without one is sent from the status to the form;
the store profile and closing are for approved sellers (403 for the others)."""

from .matrix import (
    ALLOWED,
    ANONYMOUS,
    CUSTOMER,
    FORBIDDEN,
    OK,
    OTHER_CUSTOMER,
    OTHER_SELLER,
    SELLER,
    SIGNIN,
    STAFF,
    Entry,
    everyone,
    redirect,
)

APPLY = "/sell/"
STATUS = "/sell/status/"
APPLY_BODY = {"store_name": "Refused store", "payout_account_name": "X", "payout_account": "1"}
PROFILE_BODY = {**APPLY_BODY, "payout_method": "bank_transfer", "description": "Changed"}


def _by_store(*, without, with_store) -> dict:
    return {
        ANONYMOUS: SIGNIN,
        CUSTOMER: without,
        OTHER_CUSTOMER: without,
        STAFF: without,
        SELLER: with_store,
        OTHER_SELLER: with_store,
    }


SELLER_ONBOARDING_PAGES: list = [
    Entry("sell/", "GET", _by_store(without=OK, with_store=redirect(STATUS))),
    Entry(
        "sell/",
        "POST",
        _by_store(without=ALLOWED, with_store=redirect(STATUS)),
        body=APPLY_BODY,
    ),
    Entry("sell/status/", "GET", _by_store(without=redirect(APPLY), with_store=OK)),
    Entry("sell/profile/", "GET", _by_store(without=FORBIDDEN, with_store=OK)),
    Entry(
        "sell/profile/",
        "POST",
        _by_store(without=FORBIDDEN, with_store=ALLOWED),
        body=PROFILE_BODY,
    ),
    Entry(
        "sell/close/",
        "POST",
        _by_store(without=FORBIDDEN, with_store=ALLOWED),
        body={"confirm": "on"},
    ),
    Entry("s/<slug:slug>/", "GET", everyone(OK), kwargs=lambda w: {"slug": w.s1.seller.slug}),
]
