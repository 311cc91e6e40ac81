"""Compressed responses for phones on a weak network (issue 19, item 4; ADR in docs/decisions,
"compressed HTML and hashed static files").

Django's GZipMiddleware, limited to text (HTML, JSON, CSS, JavaScript, SVG, XML, CSV): photos,
PDFs and Excel files are compressed already, so gzipping them again costs CPU for nothing.
Django's middleware pads every gzip answer with random bytes ("Heal The Breach"), and the CSRF
token is masked differently in every response, so a page with a token does not leak it to the
BREACH length side channel (see the ADR).
"""

from django.http import HttpRequest, HttpResponseBase
from django.middleware.gzip import GZipMiddleware

TEXT_TYPES = (
    "text/",
    "application/json",
    "application/javascript",
    "application/xml",
    "application/manifest+json",
    "image/svg+xml",
)


class TextGZipMiddleware(GZipMiddleware):
    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        content_type = response.get("Content-Type", "")
        if not content_type.startswith(TEXT_TYPES):
            return response
        return super().process_response(request, response)
