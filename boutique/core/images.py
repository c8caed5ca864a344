"""Uploaded pictures are stored re-encoded by Pillow, never as uploaded: the
pixels only, turned upright, without EXIF (camera, GPS position, date), XMP,
comments or text chunks. These are often photos of children."""

import io
from pathlib import PurePath

from django.core.files.base import ContentFile
from PIL import Image, ImageOps, ImageSequence

EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
JPEG_QUALITY = 90
WEBP_QUALITY = 90


def reencode_image(file) -> ContentFile:
    """A validated image file → a new file of the same format holding only the
    pixels (and the colour profile). Raises what Pillow raises on a bad file:
    validate first (validators.validate_image_file)."""
    if hasattr(file, "seek"):
        file.seek(0)
    with Image.open(file) as source:
        fmt = source.format if source.format in EXTENSIONS else "PNG"
        icc = source.info.get("icc_profile")
        animated = fmt == "GIF" and getattr(source, "n_frames", 1) > 1
        options: dict = {"format": fmt}
        if animated:
            frames = [frame.copy() for frame in ImageSequence.Iterator(source)]
            picture = frames[0]
            options.update(
                save_all=True,
                append_images=frames[1:],
                loop=source.info.get("loop", 0),
                duration=source.info.get("duration", 100),
            )
        else:
            picture = ImageOps.exif_transpose(source)
            picture.load()
    picture.info = {}
    if fmt == "JPEG":
        if picture.mode not in ("RGB", "L", "CMYK"):
            picture = picture.convert("RGB")
        options.update(quality=JPEG_QUALITY, optimize=True)
    elif fmt == "WEBP":
        options.update(quality=WEBP_QUALITY)
    if icc and fmt in ("JPEG", "PNG", "WEBP"):
        options["icc_profile"] = icc
    out = io.BytesIO()
    picture.save(out, **options)
    stem = PurePath(getattr(file, "name", "") or "image").stem or "image"
    return ContentFile(out.getvalue(), name=f"{stem}.{EXTENSIONS[fmt]}")
