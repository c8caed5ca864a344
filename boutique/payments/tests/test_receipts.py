import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags, Image

from boutique.accounts.tests.factories import UserFactory
from boutique.cart.services import cart_add, cart_obtain
from boutique.catalog.tests.factories import make_product
from boutique.checkout.services import CheckoutInput, order_place
from boutique.orders.models import ShippingMethod
from boutique.payments.models import TransferReceipt

pytestmark = pytest.mark.django_db

ADDRESS = {"full_name": "Rania Haddad", "line1": "Hamra St 12", "city": "Beirut", "country": "LB"}


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def transfer_order(client):
    method = ShippingMethod.objects.create(name="Courier", price=Decimal("4.00"))
    variant = make_product(price="20.00", stock=5).variants.get()
    cart = cart_obtain()
    cart_add(token=cart.token, variant_id=variant.pk, quantity=1)
    order, _ = order_place(
        cart=cart,
        data=CheckoutInput(
            email="guest@example.com",
            shipping_address=ADDRESS,
            shipping_method_id=method.pk,
            payment_method="bank_transfer",
        ),
    )
    session = client.session
    session["guest_orders"] = {order.number: order.email}
    session.save()
    return order


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, "PNG")
    return buffer.getvalue()


def _upload(client, order, name, content, content_type):
    return client.post(
        reverse("storefront:order_receipt", args=[order.number]),
        {"receipt": SimpleUploadedFile(name, content, content_type=content_type)},
    )


def test_a_photo_or_pdf_receipt_is_stored_privately(client, transfer_order, private_root):
    assert _upload(client, transfer_order, "slip.png", _png(), "image/png").status_code == 302
    pdf = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF"
    assert _upload(client, transfer_order, "slip.pdf", pdf, "application/pdf").status_code == 302
    receipts = list(TransferReceipt.objects.filter(order=transfer_order).order_by("pk"))
    assert [r.content_type for r in receipts] == ["image/png", "application/pdf"]
    for receipt in receipts:
        path = receipt.file.path
        assert str(path).startswith(str(private_root))
        assert "media" not in str(path)


def test_a_photo_receipt_is_stored_without_exif_or_gps(client, transfer_order):
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (33.0, 53.0, 20.0),
    }
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, "JPEG", exif=exif.tobytes())
    response = _upload(client, transfer_order, "slip.jpg", buffer.getvalue(), "image/jpeg")
    assert response.status_code == 302
    receipt = TransferReceipt.objects.get(order=transfer_order)
    raw = receipt.file.read()
    receipt.file.close()
    assert b"PhoneMaker" not in raw and b"Exif" not in raw
    assert receipt.size == len(raw)
    with Image.open(io.BytesIO(raw)) as stored:
        assert stored.format == "JPEG" and stored.size == (40, 30)
        assert len(stored.getexif()) == 0


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("slip.png", b"<script>alert(1)</script>", "image/png"),  # not really an image
        ("slip.exe", b"MZ\x90\x00", "application/octet-stream"),
        ("huge.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024), "application/pdf"),
        ("empty.png", b"", "image/png"),
    ],
)
def test_anything_else_is_refused_and_nothing_is_stored(
    client, transfer_order, name, content, content_type
):
    response = _upload(client, transfer_order, name, content, content_type)
    assert response.status_code in (400, 422)
    assert not TransferReceipt.objects.exists()


def test_staff_open_a_receipt_from_the_order_page_and_others_cannot(client, transfer_order):
    _upload(client, transfer_order, "slip.png", _png(), "image/png")
    receipt = TransferReceipt.objects.get()
    url = reverse("admin:orders_order_receipt", args=[transfer_order.pk, receipt.pk])
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_order"))
    client.force_login(staff)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    client.force_login(UserFactory(is_staff=True))
    assert client.get(url).status_code in (403, 404)
    client.force_login(UserFactory())
    assert client.get(url).status_code == 302  # customers are sent to the admin login
