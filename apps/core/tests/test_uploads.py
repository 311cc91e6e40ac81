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


def test_the_served_waitress_refuses_a_huge_body_before_receiving_it(settings, monkeypatch):
    """Waitress receives a whole body before the application runs: `gongzhi serve` bounds it,
    so a 900 MB Content-Length is answered 413 at once instead of spooled to disk."""
    import contextlib
    import socket

    import waitress
    from waitress import wasyncore
    from waitress.server import create_server

    from apps.core.management.commands.serve import Command

    settings.UPLOAD_MAX_BYTES = 60 * 1024 * 1024
    settings.LEDGER_UPLOAD_MAX_BYTES = 512 * 1024 * 1024
    given: dict = {}
    monkeypatch.setattr(waitress, "serve", lambda app, **kw: given.update(kw))
    monkeypatch.setattr("apps.core.tasks.start_background", lambda: None)
    Command()._serve("127.0.0.1", 0, 1)
    assert given["max_request_body_size"] == 513 * 1024 * 1024

    def app(environ, start_response):  # never reached
        raise AssertionError("the application ran")

    options = {k: v for k, v in given.items() if k in ("max_request_body_size", "threads")}
    server = create_server(app, host="127.0.0.1", port=0, **options)
    try:
        with socket.create_connection(("127.0.0.1", server.effective_port), timeout=5) as s:
            s.sendall(
                b"POST /ledgers/import/ HTTP/1.1\r\nHost: x\r\n"
                b"Content-Length: 900000000\r\n\r\n" + b"x" * 1024
            )
            s.setblocking(False)
            answer = b""
            for _ in range(200):  # the server's loop, run here a step at a time
                wasyncore.loop(timeout=0.02, map=server._map, count=1)
                with contextlib.suppress(BlockingIOError):
                    answer += s.recv(200)
                if answer:
                    break
            assert answer.startswith(b"HTTP/1.1 413"), answer
    finally:
        server.close()
        server.task_dispatcher.shutdown()
