"""Bank-transfer receipts: a photo (JPEG, PNG, WebP) or a PDF, at most 5 MB,
checked by content (not by name) and stored privately. Photos are stored
re-encoded, without EXIF/GPS or other metadata."""

from django.db import transaction
from PIL import Image, UnidentifiedImageError

from boutique.audit.services import audit_record
from boutique.core.errors import ValidationFailed
from boutique.core.images import reencode_image
from boutique.orders.models import Order, OrderStatus, PaymentMethod

from .models import TransferReceipt

MAX_RECEIPT_BYTES = 5 * 1024 * 1024
MAX_RECEIPTS_PER_ORDER = 5
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


def _sniff(upload) -> str:
    """The file's real type, or ValidationFailed."""
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        return "application/pdf"
    try:
        with Image.open(upload) as image:
            fmt = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise _refuse("Upload a photo (JPEG, PNG or WebP) or a PDF of the receipt.") from exc
    finally:
        upload.seek(0)
    if fmt not in IMAGE_TYPES:
        raise _refuse("Upload a photo (JPEG, PNG or WebP) or a PDF of the receipt.")
    return IMAGE_TYPES[fmt]


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed(message, field_errors={"receipt": [message]})


def transfer_receipt_upload(*, order: Order, upload, actor=None) -> TransferReceipt:
    if order.payment_method != PaymentMethod.BANK_TRANSFER or order.status != OrderStatus.PENDING:
        raise _refuse("Receipts are for bank-transfer orders waiting for payment.")
    if upload is None or not getattr(upload, "size", 0):
        raise _refuse("Choose the receipt file.")
    if upload.size > MAX_RECEIPT_BYTES:
        raise _refuse("The receipt may be at most 5 MB.")
    content_type = _sniff(upload)
    stored = upload if content_type == "application/pdf" else reencode_image(upload)
    with transaction.atomic():
        if TransferReceipt.objects.filter(order=order).count() >= MAX_RECEIPTS_PER_ORDER:
            raise _refuse(f"At most {MAX_RECEIPTS_PER_ORDER} receipts per order.")
        receipt = TransferReceipt(
            order=order,
            original_name=str(getattr(upload, "name", ""))[:200],
            content_type=content_type,
            size=stored.size,
            uploaded_by=actor if actor is not None and actor.is_authenticated else None,
        )
        extension = "pdf" if content_type == "application/pdf" else content_type.split("/")[1]
        receipt.file.save(f"{order.number}.{extension}", stored, save=False)
        receipt.save()
        audit_record(
            entity=receipt,
            action="payment.receipt_uploaded",
            actor=receipt.uploaded_by,
            new={"order": order.number, "content_type": content_type, "size": stored.size},
        )
    return receipt
