"""Photos are re-encoded on the device before they are sealed: EXIF (the place a photo was
taken, the phone's make, the time) and every other metadata block is dropped, the pixels are
turned upright first (so dropping the orientation tag does not tip the picture), and a small
thumbnail is made here too, never on the server.

Pillow is imported when a photo is prepared, not when the app starts: a build without it
refuses photos with `PhotoToolsMissingError` (the photo is then not sent at all: a photo is
never sent with its metadata) and can still send other files.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from types import ModuleType

MAX_SIDE = 2560  # a letter stays readable, a 12 MP photo shrinks to a few hundred KB
THUMB_SIDE = 320
JPEG_QUALITY = 85
THUMB_QUALITY = 70


class PhotoError(Exception):
    """Base of the errors of preparing a photo."""


class PhotoToolsMissingError(PhotoError):
    """This build has no Pillow, so photos cannot be cleaned of their metadata."""


class NotAnImageError(PhotoError, ValueError):
    """The bytes are not an image Pillow can read."""


@dataclass(frozen=True)
class CleanPhoto:
    jpeg: bytes  # upright, at most MAX_SIDE on its longest side, no metadata
    thumbnail: bytes  # JPEG, at most THUMB_SIDE on its longest side, no metadata
    width: int
    height: int


def _pillow() -> tuple[ModuleType, ModuleType]:
    try:
        from PIL import Image, ImageOps
    except ImportError as exc:
        raise PhotoToolsMissingError(
            "this build cannot clean photos (Pillow is missing): the photo is not sent"
        ) from exc
    return Image, ImageOps


def _jpeg(image, quality: int) -> bytes:  # a PIL image (Pillow is optional)
    out = io.BytesIO()
    # No exif=, no icc_profile=, no comment: Pillow writes only what it is given.
    image.save(out, format="JPEG", quality=quality, optimize=True)
    return out.getvalue()


def clean_photo(data: bytes) -> CleanPhoto:
    """Re-encode a photo as a JPEG without metadata, plus its thumbnail."""
    image_mod, ops = _pillow()
    try:
        with image_mod.open(io.BytesIO(data)) as original:
            original.load()
            upright = ops.exif_transpose(original)
    except (OSError, SyntaxError, ValueError) as exc:  # what Pillow raises on non-images
        raise NotAnImageError(f"not a readable image: {exc}") from exc
    # Copy the pixels into a new image: nothing of the original's info dict travels along.
    pixels = upright.convert("RGB")
    clean = image_mod.new("RGB", pixels.size)
    clean.paste(pixels)
    clean.thumbnail((MAX_SIDE, MAX_SIDE))
    thumb = clean.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE))
    return CleanPhoto(_jpeg(clean, JPEG_QUALITY), _jpeg(thumb, THUMB_QUALITY), *clean.size)


def photos_supported() -> bool:
    try:
        _pillow()
    except PhotoToolsMissingError:
        return False
    return True
