"""Pure rules of the accounts domain: no database."""

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from boutique.accounts.domain import (
    InvalidPhone,
    LoginIdentifier,
    classify_login,
    normalise_email,
    normalise_phone,
    normalise_username,
    otp_generate,
    otp_hash,
    otp_matches,
    token_generate,
    token_hash,
)

KEY = "test-secret-key"


def test_normalise_email_strips_and_lowercases():
    assert normalise_email("  Ann.Smith@Example.COM ") == "ann.smith@example.com"


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_normalise_email_turns_blank_into_none(raw):
    assert normalise_email(raw) is None


@given(st.emails())
def test_normalised_emails_are_lower_case_and_stable(email):
    normalised = normalise_email(email)
    assert normalised == normalised.lower()
    assert normalise_email(normalised) == normalised
    assert normalise_email(email.upper()) == normalised


def test_normalise_username_strips_but_keeps_case():
    assert normalise_username("  AnnS ") == "AnnS"


@pytest.mark.parametrize("raw", [None, "", "  "])
def test_normalise_username_turns_blank_into_none(raw):
    assert normalise_username(raw) is None


@pytest.mark.parametrize(
    "raw",
    ["03 123 456", "03-123-456", "+961 3 123 456", "00961 3 123 456", "(03) 123456"],
)
def test_lebanese_numbers_become_e164_with_default_region(raw):
    assert normalise_phone(raw) == "+9613123456"


def test_indian_mobile_with_country_code_becomes_e164():
    assert normalise_phone("+91 98765 43210") == "+919876543210"


def test_local_number_is_read_in_the_given_region():
    assert normalise_phone("098765 43210", region="IN") == "+919876543210"


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_normalise_phone_turns_blank_into_none(raw):
    assert normalise_phone(raw) is None


@pytest.mark.parametrize("raw", ["12", "hello", "+961 1", "+999 123 456 789", "03 123 456 789 0"])
def test_invalid_phone_numbers_raise_invalid_phone(raw):
    with pytest.raises(InvalidPhone):
        normalise_phone(raw)


def test_classify_login_reads_at_sign_as_email():
    assert classify_login(" Ann@Example.com ") == LoginIdentifier("email", "ann@example.com")


@pytest.mark.parametrize("raw", ["03 123 456", "+961 3 123 456", "03-123-456", "(03) 123.456"])
def test_classify_login_reads_phone_numbers_as_phone(raw):
    assert classify_login(raw) == LoginIdentifier("phone", "+9613123456")


def test_classify_login_uses_the_given_region_for_local_numbers():
    assert classify_login("098765 43210", region="IN") == LoginIdentifier("phone", "+919876543210")


@pytest.mark.parametrize("raw", ["ann_s", "Ann.Smith", "baby2024", "123", "12-34"])
def test_classify_login_reads_anything_else_as_username(raw):
    assert classify_login(raw) == LoginIdentifier("username", raw)


def test_classify_login_keeps_username_case_and_strips_spaces():
    assert classify_login("  AnnS  ") == LoginIdentifier("username", "AnnS")


def test_classify_login_treats_invalid_long_digit_strings_as_username():
    assert classify_login("999999999999") == LoginIdentifier("username", "999999999999")


@given(st.text(max_size=300))
def test_classify_login_never_crashes_on_arbitrary_text(raw):
    ident = classify_login(raw)
    assert ident.field in {"email", "phone", "username"}
    if ident.field == "phone":
        assert ident.value.startswith("+")
        assert ident.value[1:].isdigit()
    if ident.field == "email":
        assert ident.value == ident.value.lower()


@given(st.text(alphabet="0123456789 +-().", max_size=40))
def test_classify_login_never_crashes_on_phone_like_text(raw):
    assert classify_login(raw).field in {"phone", "username"}


def test_otp_generate_is_six_digits():
    codes = {otp_generate() for _ in range(200)}
    assert all(len(code) == 6 and code.isdigit() for code in codes)
    assert len(codes) > 150


def test_otp_hash_is_not_the_code_and_is_hex_sha256():
    digest = otp_hash(code="123456", phone="+9613123456", purpose="login", key=KEY)
    assert len(digest) == 64
    int(digest, 16)
    assert "123456" not in digest


def test_otp_hash_is_keyed():
    plain = hashlib.sha256(b"+9613123456|login|123456").hexdigest()
    one = otp_hash(code="123456", phone="+9613123456", purpose="login", key=KEY)
    other = otp_hash(code="123456", phone="+9613123456", purpose="login", key="another-key")
    assert one != other
    assert one != plain


def test_otp_hash_is_bound_to_phone_and_purpose():
    base = otp_hash(code="123456", phone="+9613123456", purpose="login", key=KEY)
    assert base != otp_hash(code="123456", phone="+9613123457", purpose="login", key=KEY)
    assert base != otp_hash(code="123456", phone="+9613123456", purpose="verify_phone", key=KEY)
    assert base == otp_hash(code="123456", phone="+9613123456", purpose="login", key=KEY)


def test_otp_matches_only_the_same_code_phone_and_purpose():
    stored = otp_hash(code="123456", phone="+9613123456", purpose="login", key=KEY)
    common = {"phone": "+9613123456", "purpose": "login", "key": KEY, "code_hash": stored}
    assert otp_matches(code="123456", **common) is True
    assert otp_matches(code="123457", **common) is False
    assert otp_matches(code="123456", **{**common, "purpose": "verify_phone"}) is False
    assert otp_matches(code="123456", **{**common, "phone": "+919876543210"}) is False


def test_token_generate_returns_secret_prefix_and_its_hash():
    secret, prefix, digest = token_generate()
    assert secret.startswith("btq_")
    assert len(secret) > 40
    assert prefix == secret[:12]
    assert digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in digest


def test_token_generate_is_unique():
    assert len({token_generate()[0] for _ in range(50)}) == 50


def test_token_hash_is_sha256_hex():
    assert token_hash("btq_abc") == hashlib.sha256(b"btq_abc").hexdigest()
