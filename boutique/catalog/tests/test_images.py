"""Uploaded pictures are stored re-encoded, without EXIF/GPS (issue 8)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from boutique.catalog import services
from boutique.catalog.tests.factories import make_product
from boutique.core.images import reencode_image

pytestmark = pytest.mark.django_db

GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (33.0, 53.0, 20.0),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (35.0, 30.0, 10.0),
}


def _jpeg_with_gps(name="child.jpg", size=(40, 20), orientation=1) -> SimpleUploadedFile:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Pocket 12"
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.IFD.GPSInfo] = GPS
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 90)).save(
        buffer, "JPEG", exif=exif.tobytes(), comment=b"taken at home"
    )
    data = buffer.getvalue()
    with Image.open(io.BytesIO(data)) as check:  # the fixture really carries GPS
        assert check.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def _stored(image) -> Image.Image:
    image.image.open("rb")
    try:
        picture = Image.open(io.BytesIO(image.image.read()))
        picture.load()
    finally:
        image.image.close()
    return picture


def test_product_image_is_stored_without_exif_or_gps(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    product = make_product("Linen romper", stock=1, price="20.00")
    upload = _jpeg_with_gps()
    image = services.image_add(product=product, file=upload)
    raw = image.image.storage.open(image.image.name).read()
    assert b"PhoneMaker" not in raw and b"taken at home" not in raw and b"Exif" not in raw
    picture = _stored(image)
    assert picture.format == "JPEG"
    assert picture.size == (40, 20)
    assert len(picture.getexif()) == 0
    assert "exif" not in picture.info and "comment" not in picture.info
    assert image.image.name.endswith(".jpg")


def test_orientation_is_applied_before_the_metadata_goes(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    product = make_product("Knitted hat", stock=1, price="9.00")
    # Orientation 6: the camera held sideways; the picture is shown rotated.
    image = services.image_add(product=product, file=_jpeg_with_gps(orientation=6))
    picture = _stored(image)
    assert picture.size == (20, 40)
    assert len(picture.getexif()) == 0


def test_png_text_chunks_are_dropped():
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Location", "33.88N 35.50E")
    buffer = io.BytesIO()
    Image.new("RGBA", (8, 8), (0, 0, 0, 0)).save(buffer, "PNG", pnginfo=info)
    clean = reencode_image(SimpleUploadedFile("a.png", buffer.getvalue()))
    assert clean.name == "a.png"
    data = clean.read()
    assert b"Location" not in data
    with Image.open(io.BytesIO(data)) as picture:
        assert picture.format == "PNG" and picture.mode == "RGBA"


def test_category_picture_is_reencoded_too(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    category = services.category_create(name="Rompers")
    updated = services.category_update(category=category, image=_jpeg_with_gps())
    raw = updated.image.storage.open(updated.image.name).read()
    assert b"PhoneMaker" not in raw and b"Exif" not in raw
