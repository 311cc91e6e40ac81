"""Static files cached for a year without `collectstatic` (issue 19, item 4; ADR 0017).

`{% static 'vendor/htmx/htmx.min.js' %}` renders `/static/vendor/htmx/htmx.min.js?v=<hash>`,
the hash being the first 12 hex digits of the MD5 of the file's content. WhiteNoise serves
static files straight from the source folders (`WHITENOISE_USE_FINDERS`, so `gongzhi serve`
needs no `collectstatic`); the middleware here answers a request whose `v` is the file's hash
with `Cache-Control: max-age=315360000, public, immutable`, every other request for the file
(no `v`, or the `v` of an older deployment) with WhiteNoise's short max-age. A new version of
a file changes its URL in every page, so a phone never uses a stale script, and a page cached
from before a deployment still gets a working file.

In DEBUG (autorefresh) the URLs carry no hash: files change while the server runs.
"""

import hashlib
import os

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import StaticFilesStorage
from whitenoise.middleware import WhiteNoiseMiddleware

_digests: dict[str, str] = {}  # absolute path → hash


def file_hash(path: str) -> str:
    digest = _digests.get(path)
    if digest is None:
        md5 = hashlib.md5(usedforsecurity=False)
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 16), b""):
                md5.update(chunk)
        digest = _digests[path] = md5.hexdigest()[:12]
    return digest


def _hashing() -> bool:
    return not settings.WHITENOISE_AUTOREFRESH


class HashedStaticFilesStorage(StaticFilesStorage):
    """Static URLs that change with the file's content (`?v=<hash>`)."""

    def url(self, name: str | None) -> str:
        url = super().url(name)
        if name and _hashing():
            path = finders.find(name)
            if isinstance(path, str):
                return f"{url}?v={file_hash(path)}"
        return url


class HashedWhiteNoiseMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise, answering `?v=<the file's hash>` as immutable (a year, `immutable`)."""

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.versioned: dict[str, tuple[str, object]] = {}  # url → (hash, immutable file)
        super().__init__(*args, **kwargs)

    def add_file_to_dictionary(self, url, path, stat_cache=None):  # type: ignore[no-untyped-def]
        super().add_file_to_dictionary(url, path, stat_cache=stat_cache)
        if (
            _hashing()
            and url.startswith(self.static_prefix)
            and not self.is_compressed_variant(path, stat_cache=stat_cache)
            and os.path.isfile(path)
        ):
            self._forever = True
            try:
                immutable = self.get_static_file(path, url, stat_cache=stat_cache)
            finally:
                self._forever = False
            self.versioned[url] = (file_hash(path), immutable)

    def immutable_file_test(self, path, url):  # type: ignore[no-untyped-def]
        return getattr(self, "_forever", False)

    def __call__(self, request):  # type: ignore[no-untyped-def]
        version = request.GET.get("v")
        if version and not self.autorefresh:
            found = self.versioned.get(request.path_info)
            if found is not None and found[0] == version:
                return self.serve(found[1], request)
        return super().__call__(request)
