from datetime import date, datetime
from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field


class StrictIn(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RegisterIn(StrictIn):
    email: str | None = Field(None, max_length=254, examples=["ann@example.com"])
    phone: str | None = Field(None, max_length=32, examples=["+961 3 123 456"])
    username: str | None = Field(None, max_length=150)
    first_name: str = Field("", max_length=150)
    last_name: str = Field("", max_length=150)
    password: str = Field(..., min_length=1, max_length=128)


class TokenIn(StrictIn):
    login: str = Field(..., min_length=1, max_length=254, description="Email, username or phone")
    password: str = Field(..., min_length=1, max_length=128)
    name: str = Field("", max_length=100, description="A label for the token, e.g. the device")


class OtpRequestIn(StrictIn):
    phone: str = Field(..., min_length=1, max_length=32)
    purpose: Literal["login", "verify_phone"] = "login"


class OtpRequestOut(Schema):
    phone: str
    purpose: str
    expires_at: datetime
    resend_after_seconds: int


class OtpVerifyIn(StrictIn):
    phone: str = Field(..., min_length=1, max_length=32)
    code: str = Field(..., min_length=1, max_length=12)
    purpose: Literal["login", "verify_phone"] = "login"


class EmailConfirmIn(StrictIn):
    token: str = Field(..., min_length=1, max_length=512)


class UserOut(Schema):
    id: int
    email: str | None
    phone: str | None
    username: str | None
    first_name: str
    last_name: str
    role: str
    status: str
    is_verified: bool
    email_verified_at: datetime | None
    phone_verified_at: datetime | None
    created_at: datetime


class TokenOut(Schema):
    token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_at: datetime | None
    user: UserOut


class MePatchIn(StrictIn):
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=32)
    username: str | None = Field(None, max_length=150)
    first_name: str | None = Field(None, max_length=150)
    last_name: str | None = Field(None, max_length=150)


class MeDeleteIn(StrictIn):
    password: str = Field(..., max_length=4096)


AddressType = Literal["shipping", "billing"]


class AddressIn(StrictIn):
    type: AddressType = "shipping"
    full_name: str = Field(..., min_length=1, max_length=200)
    phone: str = Field("", max_length=32)
    line1: str = Field(..., min_length=1, max_length=255)
    line2: str = Field("", max_length=255)
    city: str = Field(..., min_length=1, max_length=120)
    state: str = Field("", max_length=120)
    postal_code: str = Field("", max_length=20, description="Postal code or PIN code")
    country: str = Field(..., min_length=2, max_length=2, examples=["LB"])
    is_default: bool = False


class AddressPatchIn(StrictIn):
    type: AddressType | None = None
    full_name: str | None = Field(None, min_length=1, max_length=200)
    phone: str | None = Field(None, max_length=32)
    line1: str | None = Field(None, min_length=1, max_length=255)
    line2: str | None = Field(None, max_length=255)
    city: str | None = Field(None, min_length=1, max_length=120)
    state: str | None = Field(None, max_length=120)
    postal_code: str | None = Field(None, max_length=20)
    country: str | None = Field(None, min_length=2, max_length=2)
    is_default: bool | None = None


class AddressOut(Schema):
    id: int
    type: str
    full_name: str
    phone: str
    line1: str
    line2: str
    city: str
    state: str
    postal_code: str
    country: str
    is_default: bool
    created_at: datetime
    updated_at: datetime


Gender = Literal["girl", "boy", "unspecified", ""]


class ChildIn(StrictIn):
    name: str = Field(..., min_length=1, max_length=100)
    birth_date: date
    gender: Gender = ""
    clothing_size: str = Field("", max_length=20)
    shoe_size: str = Field("", max_length=20)
    birthday_reminders: bool = False


class ChildPatchIn(StrictIn):
    name: str | None = Field(None, min_length=1, max_length=100)
    birth_date: date | None = None
    gender: Gender | None = None
    clothing_size: str | None = Field(None, max_length=20)
    shoe_size: str | None = Field(None, max_length=20)
    birthday_reminders: bool | None = None


class ChildOut(Schema):
    id: int
    name: str
    birth_date: date
    age_months: int
    age_text: str = Field(description="The age in words: '18 months', '3 years'.")
    gender: str
    clothing_size: str = Field(description="The size the parent typed (empty if none).")
    shoe_size: str
    suggested_clothing_size: str | None = Field(
        description="The size chart's clothing size for the age now (null past the chart)."
    )
    suggested_shoe_size: str | None = Field(
        description="The size chart's shoe size for the age now (null past the chart)."
    )
    birthday_reminders: bool

    @staticmethod
    def resolve_age_months(obj) -> int:
        return obj.age_months

    @staticmethod
    def resolve_age_text(obj) -> str:
        return obj.age_words
