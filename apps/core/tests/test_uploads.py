"""Issue 14 item 4: a body over the limit is refused from its Content-Length before it is
read; an image is measured from its header before any pixel is decoded."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from apps.cases.errors import InvalidTransitionData
from apps.cases.images import check_image, thumbnail

pytestmark = pytest.mark.django_db


class Endless(io.RawIOBase):
    """A request body that fails the test if anyone reads it."""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        raise AssertionError("the body was read")


@pytest.mark.parametrize("url", ["/api/v1/ecg/exams", "/portal/report/streetlight/"])
def test_a_huge_upload_is_refused_before_it_is_read(world, settings, url):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    client = Client()
    client.force_login(world.user("community_a"))
    response = client.generic(
        "POST",
        url,
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(45 * 1024 * 1024),
        **{"wsgi.input": Endless()},
    )
    assert response.status_code == 413
    assert "上传内容过大（上限 1 MB）" in response.content.decode()


def png_header(width: int, height: int) -> bytes:
    """A PNG that declares width × height pixels but carries almost no data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def test_a_big_dimension_image_is_refused_from_its_header():
    upload = SimpleUploadedFile("big.png", png_header(8000, 5000), content_type="image/png")
    with pytest.raises(InvalidTransitionData) as refused:
        check_image(upload)  # 40 Mpx declared in a 100-byte file: nothing decoded
    assert str(refused.value) == "图片尺寸过大（8000×5000），请上传不超过 2500 万像素的照片"


def test_a_giant_dimension_image_is_refused_too():
    upload = SimpleUploadedFile("big.png", png_header(40_000, 30_000), content_type="image/png")
    with pytest.raises(InvalidTransitionData) as refused:
        check_image(upload)
    assert str(refused.value) == "图片尺寸过大，请上传不超过 2500 万像素的照片"


def test_pillow_refuses_to_decode_a_bomb_anywhere():
    assert Image.MAX_IMAGE_PIXELS == 25_000_000
    with pytest.raises(Image.DecompressionBombError):
        Image.open(io.BytesIO(png_header(40_000, 30_000)))


def test_a_normal_photo_passes_and_its_thumbnail_is_small():
    out = io.BytesIO()
    Image.new("RGB", (4000, 3000), "white").save(out, "JPEG")
    upload = SimpleUploadedFile("p.jpg", out.getvalue(), content_type="image/jpeg")
    assert check_image(upload) == ("image/jpeg", 4000, 3000)
    with Image.open(thumbnail(upload)) as small:
        assert max(small.size) <= 320
