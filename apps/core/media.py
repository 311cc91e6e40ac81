"""Uploaded files (photos of cases, visits, patrols and activities) are personal data: they are
served by the application, never by a bare web-server folder, with the scope rule of the record
they belong to (out of scope or unknown = 404, as for the record itself).

`GET /media/<name>` finds the record that owns `name` (the first folder says which kind of
record: `cases/…`, `visits/…`, `activities/…`; anything else — ECG signals, imports, reports — is
never served here) and asks that app's rule:

- cases: staff who may see the case (signed in, or by an API key in a header: the account is
  found by `apps.accounts.media.staff_user`, above this layer); the resident
  with the case's tracking token
  (`?t=<token>`, the token of the tracking page);
- visits (household visits and patrols alike): staff who may see the visit task;
- activities: staff who may see the activity.

The file is sent by the application (`gongzhi serve`, waitress) or, when
`GONGZHI_MEDIA_ACCEL_PREFIX` is set (behind nginx), as an `X-Accel-Redirect` header to that
internal location, nginx sending the file itself (docs/operations.md).

New uploads get random names (`cases/3f/<32 random characters>.jpg`): a name says nothing about
its record or its time and cannot be guessed; names given before keep working.
"""

import mimetypes
import secrets
from collections.abc import Callable
from pathlib import PurePosixPath
from urllib.parse import quote

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.module_loading import import_string

# Records checked at most for one name (a file shared by several records: the demo's pictures).
MAX_OWNERS = 50

# folder → "module.function"(request, name) returning the FieldFile to send (Http404 otherwise).
OWNERS = {
    "cases": "apps.cases.media.owned_file",
    "visits": "apps.visits.media.owned_file",
    "activities": "apps.activities.media.owned_file",
}


def random_name(folder: str, filename: str) -> str:
    """`folder/ab/<random>.ext`: 128 random bits, the original extension (lower case) kept."""
    suffix = PurePosixPath(filename).suffix.lower()[:8]
    token = secrets.token_hex(16)
    return f"{folder}/{token[:2]}/{token}{suffix}"


def clean_name(name: str) -> str:
    """The storage name asked for, or 404 for anything odd (.., absolute, NUL, backslash)."""
    parts = name.split("/")
    if (
        not name
        or len(name) > 200
        or "\x00" in name
        or "\\" in name
        or any(part in ("", ".", "..") for part in parts)
    ):
        raise Http404("文件不存在")
    return name


def owner_rule(name: str) -> Callable[[HttpRequest, str], FieldFile]:
    folder = name.split("/", 1)[0]
    if folder not in OWNERS:
        raise Http404("文件不存在")
    return import_string(OWNERS[folder])


def send_file(file: FieldFile, *, content_type: str = "") -> HttpResponse | FileResponse:
    """The file as a response: through nginx (X-Accel-Redirect) when configured, else read by
    the application. Private to the browser that asked (never in a shared cache)."""
    name = file.name or ""
    content_type = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    prefix = getattr(settings, "GONGZHI_MEDIA_ACCEL_PREFIX", "")
    response: HttpResponse | FileResponse
    if prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(name)
    else:
        try:
            handle = file.open("rb")
        except FileNotFoundError as exc:
            raise Http404("文件不存在") from exc
        response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def serve(request: HttpRequest, name: str) -> HttpResponse | FileResponse:
    """GET /media/<name>: the file if the asker may see the record it belongs to, else 404."""
    name = clean_name(name)
    file = owner_rule(name)(request, name)
    return send_file(file)
