from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

MAX_IMAGE_BYTES = 8 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


def validate_image_file(file) -> None:
    """A real image (decoded by Pillow), of an allowed format, within limits."""
    if file is None:
        return
    if getattr(file, "size", 0) > MAX_IMAGE_BYTES:
        raise ValidationError(f"Images may be at most {MAX_IMAGE_BYTES // (1024 * 1024)} MB.")
    position = file.tell() if hasattr(file, "tell") else None
    try:
        with Image.open(file) as image:
            fmt = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError("This file is not an image we can read.") from exc
    finally:
        if position is not None:
            file.seek(position)
    if fmt not in ALLOWED_FORMATS:
        raise ValidationError("Use a JPEG, PNG, WebP or GIF image.")
    if width * height > MAX_IMAGE_PIXELS:
        raise ValidationError("This image is too large (over 40 megapixels).")
