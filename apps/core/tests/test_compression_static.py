"""Compressed text responses and hashed static URLs (issue 19, item 4)."""

import gzip
import hashlib
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.templatetags.static import static
from django.test import Client

from apps.core.compression import TextGZipMiddleware

ROOT = Path(settings.BASE_DIR)
HTMX = ROOT / "static/vendor/htmx/htmx.min.js"


def htmx_hash() -> str:
    return hashlib.md5(HTMX.read_bytes(), usedforsecurity=False).hexdigest()[:12]


def body(response) -> bytes:  # type: ignore[no-untyped-def]
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def test_static_urls_carry_the_hash_of_the_file() -> None:
    assert static("vendor/htmx/htmx.min.js") == f"/static/vendor/htmx/htmx.min.js?v={htmx_hash()}"


@pytest.mark.django_db
def test_pages_link_static_files_by_hash(client: Client) -> None:
    html = client.get("/accounts/login/").content.decode()
    assert f"/static/vendor/htmx/htmx.min.js?v={htmx_hash()}" in html
    assert re.search(r"/static/gongzhi/gongzhi\.css\?v=[0-9a-f]{12}", html)


def test_the_hashed_url_is_cached_a_year_others_briefly() -> None:
    client = Client()
    forever = client.get(f"/static/vendor/htmx/htmx.min.js?v={htmx_hash()}")
    assert forever.status_code == 200
    assert forever["Cache-Control"] == "max-age=315360000, public, immutable"
    assert body(forever) == HTMX.read_bytes()
    for url in (
        "/static/vendor/htmx/htmx.min.js",
        "/static/vendor/htmx/htmx.min.js?v=0123abcd0123",
    ):
        plain = client.get(url)
        assert plain.status_code == 200, url
        assert "immutable" not in plain["Cache-Control"], url
        assert body(plain) == HTMX.read_bytes(), url


def test_static_files_are_gzipped_when_the_browser_accepts_it() -> None:
    response = Client().get(
        f"/static/vendor/htmx/htmx.min.js?v={htmx_hash()}", HTTP_ACCEPT_ENCODING="gzip, br"
    )
    assert response["Content-Encoding"] == "gzip"
    raw = body(response)
    assert gzip.decompress(raw) == HTMX.read_bytes()
    assert len(raw) < HTMX.stat().st_size / 2


@pytest.mark.django_db
def test_html_with_a_csrf_token_is_gzipped_and_padded_differently_each_time() -> None:
    client = Client()
    first = client.get("/accounts/login/", HTTP_ACCEPT_ENCODING="gzip")
    second = client.get("/accounts/login/", HTTP_ACCEPT_ENCODING="gzip")
    assert first["Content-Encoding"] == "gzip" and "Accept-Encoding" in first["Vary"]
    html = [gzip.decompress(r.content).decode() for r in (first, second)]
    assert all('name="csrfmiddlewaretoken"' in h for h in html)
    tokens = [re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', h).group(1) for h in html]  # type: ignore[union-attr]
    assert tokens[0] != tokens[1]  # masked anew in every answer (BREACH)
    plain = client.get("/accounts/login/")
    assert not plain.has_header("Content-Encoding")


def test_binary_answers_are_not_compressed_again(rf) -> None:  # type: ignore[no-untyped-def]
    from django.http import HttpResponse

    request = rf.get("/", HTTP_ACCEPT_ENCODING="gzip")
    middleware = TextGZipMiddleware(lambda r: HttpResponse())
    jpeg = HttpResponse(b"\xff\xd8" + b"0" * 5000, content_type="image/jpeg")
    assert not middleware.process_response(request, jpeg).has_header("Content-Encoding")
    js = HttpResponse(b"var a = 1;" * 100, content_type="application/json")
    assert middleware.process_response(request, js)["Content-Encoding"] == "gzip"
