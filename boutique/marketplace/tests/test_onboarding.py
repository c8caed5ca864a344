"""Sellers apply, staff approve, reject, suspend and reactivate (issue 9)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from boutique.accounts.models import Role
from boutique.accounts.tests.factories import StaffFactory, UserFactory
from boutique.audit.models import AuditLog
from boutique.catalog.selectors import storefront_products
from boutique.core.errors import ValidationFailed
from boutique.marketplace import services
from boutique.marketplace.errors import AlreadyApplied, SellerStatusConflict
from boutique.marketplace.models import Seller, SellerStatus
from boutique.notifications.models import Notification

from .factories import SellerFactory, seller_product

pytestmark = pytest.mark.django_db

APPLICATION = {
    "store_name": "Olive & Acorn",
    "description": "Hand-knit bonnets and booties.",
    "contact_email": "hello@olive.example",
    "contact_phone": "+96170123456",
    "payout_method": "bank_transfer",
    "payout_account_name": "Maya Haddad",
    "payout_account": "LB62 0999 0000 0001 0019 0122 9114",
}


def _apply(user=None, **overrides):
    return services.seller_apply(user=user or UserFactory(), **{**APPLICATION, **overrides})


def _jpeg_with_gps() -> SimpleUploadedFile:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.IFD.GPSInfo] = {ExifTags.GPS.GPSLatitudeRef: "N"}
    buffer = io.BytesIO()
    Image.new("RGB", (30, 30), (10, 120, 90)).save(buffer, "JPEG", exif=exif.tobytes())
    return SimpleUploadedFile("logo.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_an_application_waits_for_staff_and_tells_them():
    seller = _apply()
    assert seller.status == SellerStatus.PENDING
    assert seller.slug == "olive-acorn"
    note = Notification.objects.get(template="seller_application")
    assert note.context["store_name"] == "Olive & Acorn"
    log = AuditLog.objects.get(action="seller.applied")
    assert log.new["status"] == "pending" and log.new["payout_account_name"] == "Maya Haddad"


def test_two_stores_with_one_name_get_different_slugs():
    assert _apply().slug == "olive-acorn"
    assert _apply().slug == "olive-acorn-2"


def test_an_application_without_payout_details_is_refused_and_creates_nothing():
    with pytest.raises(ValidationFailed) as caught:
        _apply(payout_account="")
    assert "payout_account" in caught.value.field_errors
    assert not Seller.objects.exists()


def test_a_user_applies_once():
    user = UserFactory()
    _apply(user)
    with pytest.raises(AlreadyApplied):
        _apply(user, store_name="Second store")
    assert Seller.objects.count() == 1


def test_a_rejected_applicant_may_apply_again():
    user = UserFactory()
    seller = services.seller_reject(seller=_apply(user), actor=StaffFactory(), reason="No photos")
    again = _apply(user, description="Now with photos.")
    assert again.pk == seller.pk
    assert again.status == SellerStatus.PENDING and again.status_reason == ""
    assert AuditLog.objects.filter(action="seller.reapplied", entity_id=str(seller.pk)).exists()


def test_the_logo_is_stored_without_exif():
    seller = _apply(logo=_jpeg_with_gps())
    seller.logo.open("rb")
    with Image.open(io.BytesIO(seller.logo.read())) as stored:
        assert not stored.getexif()
    seller.logo.close()


def test_approval_opens_the_store_and_makes_the_owner_a_seller():
    staff = StaffFactory()
    seller = services.seller_approve(seller=_apply(), actor=staff)
    assert seller.status == SellerStatus.ACTIVE
    assert seller.approved_by == staff and seller.approved_at is not None
    seller.owner.refresh_from_db()
    assert seller.owner.role == Role.SELLER
    assert Notification.objects.filter(template="seller_active", recipient="hello@olive.example")
    log = AuditLog.objects.get(action="seller.approved")
    assert (log.old["status"], log.new["status"], log.actor_id) == ("pending", "active", staff.pk)


def test_rejection_needs_a_reason_and_sends_it():
    seller = _apply()
    with pytest.raises(ValidationFailed):
        services.seller_reject(seller=seller, actor=StaffFactory(), reason="  ")
    seller.refresh_from_db()
    assert seller.status == SellerStatus.PENDING
    services.seller_reject(seller=seller, actor=StaffFactory(), reason="Please add product photos")
    note = Notification.objects.get(template="seller_rejected")
    assert note.context["reason"] == "Please add product photos"


@pytest.mark.parametrize(
    "status, change",
    [
        ("active", "seller_approve"),
        ("pending", "seller_suspend"),
        ("active", "seller_reactivate"),
        ("closed", "seller_suspend"),
        ("rejected", "seller_close"),
    ],
)
def test_changes_from_the_wrong_status_are_refused(status, change):
    seller = SellerFactory(status=status)
    kwargs = {"reason": "why"} if change in ("seller_suspend", "seller_close") else {}
    with pytest.raises(SellerStatusConflict):
        getattr(services, change)(seller=seller, actor=StaffFactory(), **kwargs)
    seller.refresh_from_db()
    assert seller.status == status
    assert not AuditLog.objects.filter(entity_type="marketplace.seller").exists()


def test_suspension_hides_the_products_at_once_and_reactivation_brings_them_back():
    seller = SellerFactory()
    product = seller_product(seller)
    assert storefront_products().filter(pk=product.pk).exists()
    services.seller_suspend(seller=seller, actor=StaffFactory(), reason="Late shipments")
    assert not storefront_products().filter(pk=product.pk).exists()
    assert (
        Notification.objects.get(template="seller_suspended").context["reason"] == "Late shipments"
    )
    services.seller_reactivate(seller=seller, actor=StaffFactory())
    assert storefront_products().filter(pk=product.pk).exists()


def test_closing_hides_the_products():
    seller = SellerFactory()
    product = seller_product(seller)
    services.seller_close(seller=seller, actor=seller.owner, reason="Retiring")
    assert not storefront_products().filter(pk=product.pk).exists()


def test_the_seller_edits_the_profile_but_not_the_status():
    seller = SellerFactory()
    services.seller_profile_update(seller=seller, actor=seller.owner, description="New words")
    seller.refresh_from_db()
    assert seller.description == "New words"
    with pytest.raises(ValidationFailed):
        services.seller_profile_update(seller=seller, actor=seller.owner, status="active")
    log = AuditLog.objects.get(action="seller.updated")
    assert log.new["description"] == "New words"


def test_staff_set_a_commission_rate_within_0_and_1():
    seller = SellerFactory()
    with pytest.raises(ValidationFailed):
        services.seller_set_commission(seller=seller, rate="1.5", actor=StaffFactory())
    services.seller_set_commission(seller=seller, rate="0.10", actor=StaffFactory())
    seller.refresh_from_db()
    assert str(seller.effective_commission_rate) == "0.1000"
