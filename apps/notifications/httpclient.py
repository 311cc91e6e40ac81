"""The one HTTP client of the notification channels: JSON POSTs through urllib with a
5-second timeout, and the error every sender raises."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from .choices import HTTP_TIMEOUT_SECONDS

USER_AGENT = "Gongzhi-Notifications/1"


class SendError(Exception):
    """A failed send. `final` marks errors a retry cannot fix (no address, a disabled channel,
    a broken configuration): the delivery is given up at once."""

    def __init__(self, message: str, response_code: int | None = None, final: bool = False):
        super().__init__(message)
        self.response_code = response_code
        self.final = final


@dataclass
class SendResult:
    response_code: int | None = None
    detail: str = ""


def post_json(
    url: str, payload: Any, headers: dict[str, str] | None = None
) -> tuple[int, bytes, bytes]:
    """POST `payload` as UTF-8 JSON; (status, request body, response body). Raises SendError on
    a network error or a non-2xx answer."""
    if not url.startswith(("http://", "https://")):
        raise SendError("地址必须以 http:// 或 https:// 开头", final=True)
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    return post_bytes(url, body, headers or {})


def post_bytes(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes, bytes]:
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT}
        | headers,
    )
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_SECONDS) as response:
            return response.status, body, response.read(65536)
    except urllib.error.HTTPError as exc:
        detail = exc.read(500).decode(errors="replace")
        raise SendError(f"HTTP {exc.code}：{detail}".strip("："), exc.code) from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SendError(f"网络错误：{reason}") from exc
