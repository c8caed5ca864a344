"""Every write of the accounts domain. See each module for its guarantees."""

from .addressbook import (
    address_create,
    address_delete,
    address_update,
    child_create,
    child_delete,
    child_update,
)
from .otp import otp_check, otp_request, otp_verify, phone_normalise
from .preferences import language_supported, user_set_language
from .privacy import user_data_export, user_delete, user_password_confirm
from .tokens import token_authenticate, token_issue, token_revoke
from .users import (
    email_verification_confirm,
    email_verification_send,
    user_authenticate,
    user_disable_password,
    user_register,
    user_set_groups,
    user_set_password,
    user_set_role,
    user_set_status,
    user_update_profile,
    user_validate_identifiers,
    user_validate_password,
)

__all__ = [
    "address_create",
    "address_delete",
    "address_update",
    "child_create",
    "child_delete",
    "child_update",
    "email_verification_confirm",
    "email_verification_send",
    "language_supported",
    "otp_check",
    "otp_request",
    "otp_verify",
    "phone_normalise",
    "token_authenticate",
    "token_issue",
    "token_revoke",
    "user_authenticate",
    "user_data_export",
    "user_delete",
    "user_disable_password",
    "user_password_confirm",
    "user_register",
    "user_set_groups",
    "user_set_language",
    "user_set_password",
    "user_set_role",
    "user_set_status",
    "user_update_profile",
    "user_validate_identifiers",
    "user_validate_password",
]
