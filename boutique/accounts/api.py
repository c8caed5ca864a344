"""Accounts API: sign-up, tokens, one-time codes, profile, addresses, children."""

from django.conf import settings
from django.contrib.auth import logout
from ninja import Router, Status

from boutique.core.api_auth import optional_auth
from boutique.core.ratelimit import rate_limit
from boutique.core.schemas import problems
from boutique.kids.selectors import child_sizes_attach

from . import selectors, services
from .schemas import (
    AddressIn,
    AddressOut,
    AddressPatchIn,
    ChildIn,
    ChildOut,
    ChildPatchIn,
    EmailConfirmIn,
    MeDeleteIn,
    MePatchIn,
    OtpRequestIn,
    OtpRequestOut,
    OtpVerifyIn,
    RegisterIn,
    TokenIn,
    TokenOut,
    UserOut,
)

ACCOUNT_DELETE_RATE = "10/h"

auth_router = Router(tags=["auth"])
me_router = Router(tags=["me"])


def _token_out(user, name: str = "") -> dict:
    secret, token = services.token_issue(user=user, name=name)
    return {"token": secret, "expires_at": token.expires_at, "user": user}


@auth_router.post("/register", auth=None, response={201: UserOut, **problems(409, 422, 429)})
def register(request, payload: RegisterIn):
    rate_limit(request, scope="register")
    user = services.user_register(**payload.dict())
    return Status(201, user)


@auth_router.post("/token", auth=None, response={200: TokenOut, **problems(401, 403, 422, 429)})
def token(request, payload: TokenIn):
    user = services.user_authenticate(
        request=request, login=payload.login, password=payload.password
    )
    return _token_out(user, payload.name)


@auth_router.post("/otp/request", auth=None, response={202: OtpRequestOut, **problems(422, 429)})
def otp_request(request, payload: OtpRequestIn):
    rate_limit(request, scope="otp_request")
    otp = services.otp_request(phone=payload.phone, purpose=payload.purpose)
    return Status(
        202,
        {
            "phone": otp.phone,
            "purpose": otp.purpose,
            "expires_at": otp.expires_at,
            "resend_after_seconds": int(settings.OTP_RESEND_INTERVAL.total_seconds()),
        },
    )


@auth_router.post(
    "/otp/verify", auth=optional_auth(), response={200: TokenOut, **problems(400, 403, 422)}
)
def otp_verify(request, payload: OtpVerifyIn):
    """`login`: anyone with the texted code. `verify_phone`: the signed-in caller
    (bearer token or session) proves the phone on their account."""
    user = request.auth if request.auth.is_authenticated else None
    account = services.otp_verify(
        phone=payload.phone, code=payload.code, purpose=payload.purpose, user=user
    )
    return _token_out(account, "otp")


@auth_router.post("/email/confirm", auth=None, response={200: UserOut, **problems(400, 422)})
def email_confirm(request, payload: EmailConfirmIn):
    return services.email_verification_confirm(token=payload.token)


@auth_router.post("/logout", response={204: None, **problems(401)})
def logout_view(request):
    api_token = getattr(request, "api_token", None)
    if api_token is not None:
        services.token_revoke(token=api_token)
    else:
        logout(request)
    return Status(204, None)


@me_router.get("", response={200: UserOut, **problems(401)})
def me(request):
    return request.auth


@me_router.patch("", response={200: UserOut, **problems(401, 409, 422)})
def me_update(request, payload: MePatchIn):
    fields = payload.dict(exclude_unset=True)
    return services.user_update_profile(user=request.auth, actor=request.auth, **fields)


@me_router.get("/export", response={200: dict, **problems(401)})
def me_export(request):
    """Everything the shop keeps about the caller (card data: brand and last four only)."""
    return services.user_data_export(user=request.auth)


@me_router.delete("", response={204: None, **problems(401, 403, 422, 429)})
def me_delete(request, payload: MeDeleteIn):
    """Delete the caller's account: orders are kept anonymised, everything else removed.
    The password must be given again; a wrong one changes nothing (403). Ten tries an
    hour per account, so a stolen token cannot guess the password here."""
    user = request.auth
    rate_limit(request, scope="account_delete", rate=ACCOUNT_DELETE_RATE, key=f"user:{user.pk}")
    services.user_password_confirm(user=user, password=payload.password)
    services.user_delete(user=user, actor=user, password_confirmed=True)
    if getattr(request, "api_token", None) is None:
        logout(request)
    return Status(204, None)


@me_router.get("/addresses", response={200: list[AddressOut], **problems(401)})
def address_list(request):
    return selectors.address_list_for(user=request.auth)


@me_router.post("/addresses", response={201: AddressOut, **problems(401, 422)})
def address_create(request, payload: AddressIn):
    return Status(201, services.address_create(user=request.auth, **payload.dict()))


@me_router.get("/addresses/{int:address_id}", response={200: AddressOut, **problems(401, 404)})
def address_detail(request, address_id: int):
    return selectors.address_get_for(user=request.auth, address_id=address_id)


@me_router.patch(
    "/addresses/{int:address_id}", response={200: AddressOut, **problems(401, 404, 422)}
)
def address_update(request, address_id: int, payload: AddressPatchIn):
    fields = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return services.address_update(user=request.auth, address_id=address_id, **fields)


@me_router.delete("/addresses/{int:address_id}", response={204: None, **problems(401, 404)})
def address_delete(request, address_id: int):
    services.address_delete(user=request.auth, address_id=address_id)
    return Status(204, None)


# Children carry their age in words and the size chart's suggestions (kids app).
def _child_out(child):
    return child_sizes_attach([child])[0]


@me_router.get("/children", response={200: list[ChildOut], **problems(401)})
def child_list(request):
    return child_sizes_attach(selectors.child_list_for(user=request.auth))


@me_router.post("/children", response={201: ChildOut, **problems(401, 422)})
def child_create(request, payload: ChildIn):
    return Status(201, _child_out(services.child_create(user=request.auth, **payload.dict())))


@me_router.get("/children/{int:child_id}", response={200: ChildOut, **problems(401, 404)})
def child_detail(request, child_id: int):
    return _child_out(selectors.child_get_for(user=request.auth, child_id=child_id))


@me_router.patch("/children/{int:child_id}", response={200: ChildOut, **problems(401, 404, 422)})
def child_update(request, child_id: int, payload: ChildPatchIn):
    fields = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    child = services.child_update(user=request.auth, child_id=child_id, **fields)
    return _child_out(child)


@me_router.delete("/children/{int:child_id}", response={204: None, **problems(401, 404)})
def child_delete(request, child_id: int):
    services.child_delete(user=request.auth, child_id=child_id)
    return Status(204, None)
