"""Photos lose their metadata on the device, before they are sealed."""

from __future__ import annotations

import io
import sys

import pytest
from PIL import Image

from companion.core.files import FileTooLargeError, prepare
from companion.media.photos import (
    THUMB_SIDE,
    NotAnImageError,
    PhotoToolsMissingError,
    clean_photo,
    photos_supported,
)
from companion_wire import MAX_BLOB_BYTES

GPS_IFD = 0x8825


def photo_with_gps(size: tuple[int, int] = (400, 300), orientation: int = 1) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((20, 20, 220), (0, 0, size[0] // 2, size[1] // 2))  # blue top-left quarter
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = orientation
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (50.0, 51.0, 0.0), 3: "E", 4: (4.0, 21.0, 0.0)})
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, comment=b"taken at home")
    return out.getvalue()


def test_gps_and_every_other_tag_are_gone() -> None:
    original = photo_with_gps()
    with Image.open(io.BytesIO(original)) as check:
        assert check.getexif().get_ifd(GPS_IFD)  # the test photo does carry a location
    clean = clean_photo(original)
    for data in (clean.jpeg, clean.thumbnail):
        with Image.open(io.BytesIO(data)) as opened:
            assert not opened.getexif()
            assert "exif" not in opened.info and "comment" not in opened.info
        assert b"PhoneMaker" not in data and b"Exif" not in data
    assert (clean.width, clean.height) == (400, 300)


def test_orientation_is_applied_before_the_tag_goes() -> None:
    clean = clean_photo(photo_with_gps(orientation=6))  # "rotate 90° clockwise to view"
    assert (clean.width, clean.height) == (300, 400)
    with Image.open(io.BytesIO(clean.jpeg)) as opened:
        # the blue quarter was top-left; turned clockwise it is top-right
        r, _g, b = opened.convert("RGB").getpixel((clean.width - 10, 10))
        assert b > 150 and r < 100


def test_thumbnail_is_small() -> None:
    clean = clean_photo(photo_with_gps((3000, 1000)))
    with Image.open(io.BytesIO(clean.thumbnail)) as thumb:
        assert max(thumb.size) == THUMB_SIDE


def test_not_an_image() -> None:
    with pytest.raises(NotAnImageError):
        clean_photo(b"%PDF-1.7 not a photo")


def test_without_pillow_a_photo_is_refused_not_sent_with_its_metadata(monkeypatch) -> None:
    """A phone build without Pillow: the photo is refused with a clear error."""
    photo = photo_with_gps()
    monkeypatch.setitem(sys.modules, "PIL", None)  # what an absent package looks like
    with pytest.raises(PhotoToolsMissingError, match="Pillow"):
        clean_photo(photo)
    assert not photos_supported()
    with pytest.raises(PhotoToolsMissingError):
        prepare(photo, "IMG_1.jpeg", "image/jpeg")
    # other files still go
    assert prepare(b"%PDF-1.7", "brief.pdf", "application/pdf").data == b"%PDF-1.7"


def test_a_file_over_the_limit_is_refused_before_it_is_sealed() -> None:
    with pytest.raises(FileTooLargeError):
        prepare(bytes(MAX_BLOB_BYTES), "groot.bin", "application/octet-stream")
