import json
from urllib.parse import unquote_to_bytes

from django.http import HttpResponse

NUL_REFUSED = "请求中含有空字符（NUL），无法处理"


class RejectNulMiddleware:
    """A NUL byte in the path, the query or a form/JSON body is refused with a 400 before any
    view runs: PostgreSQL cannot store or even compare such text (a 500 on no-login portal
    URLs such as /portal/?place=%00), and no person types one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            body = {"detail": NUL_REFUSED}
            if request.path.startswith("/api/"):
                return HttpResponse(
                    json.dumps(body, ensure_ascii=False),
                    status=400,
                    content_type="application/json; charset=utf-8",
                )
            return HttpResponse(NUL_REFUSED, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _has_nul(request) -> bool:
        if "\x00" in request.path_info or b"\x00" in unquote_to_bytes(
            request.META.get("QUERY_STRING", "")
        ):
            return True
        kind = request.META.get("CONTENT_TYPE", "")
        if request.method in {"POST", "PUT", "PATCH"}:
            if kind.startswith("application/x-www-form-urlencoded"):
                return b"\x00" in unquote_to_bytes(request.body)
            if kind.startswith("application/json"):
                return b"\\u0000" in request.body.lower() or b"\x00" in request.body
            if kind.startswith("multipart/form-data"):  # the text fields, not the files
                return any("\x00" in v for vs in request.POST.lists() for v in vs[1])
        return False


class UploadLimitMiddleware:
    """A body larger than UPLOAD_MAX_BYTES (ledger uploads: LEDGER_UPLOAD_MAX_BYTES) is refused
    with a 413 from its Content-Length, before anything is read; what is accepted streams to
    disk past FILE_UPLOAD_MAX_MEMORY_SIZE (Django's upload handlers)."""

    LEDGER_PATH = "/ledgers/import/"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = (
            settings.LEDGER_UPLOAD_MAX_BYTES + 1024 * 1024
            if request.path.startswith(self.LEDGER_PATH)
            else settings.UPLOAD_MAX_BYTES
        )
        if length > limit:
            text = f"上传内容过大（上限 {limit // (1024 * 1024)} MB）"
            if request.path.startswith("/api/"):
                return HttpResponse(
                    json.dumps({"detail": text}, ensure_ascii=False),
                    status=413,
                    content_type="application/json; charset=utf-8",
                )
            return HttpResponse(text, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Headers Django does not set itself: a strict content policy (every asset is local)."""

    POLICY = (
        "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/api/v1/docs"):
            response.headers.setdefault("Content-Security-Policy", self.POLICY)
        response.headers.setdefault("Permissions-Policy", "camera=(self), geolocation=(self)")
        return response


class ChineseFirstLocaleMiddleware:
    """Simplified Chinese unless the person chose another language on the page.

    Django's LocaleMiddleware follows the browser's Accept-Language, so an English-language
    phone would get Django's own messages in English around Gongzhi's Chinese pages. Here only
    an explicit choice (the language cookie set by the switcher) changes the language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        available = {code for code, _ in settings.LANGUAGES}
        language = chosen if chosen in available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
