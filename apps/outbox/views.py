"""The installable field app (issue 18): the service worker at the site's root, the web app
manifest, the outbox's receiving end and its page (ADR 0022)."""

import datetime as dt
import hashlib
import json
import uuid as uuidlib
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.dateparse import parse_datetime
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from apps.core.refusals import Refusal, refusal_text

from .actions import Conflict, WrongUser, do_accept_entry
from .sync import sync_document
from .uploads import PhotosPending, do_receive_chunk, find_upload, upload_state

# The pages a field worker opens on a phone; the service worker keeps them for offline use.
FIELD_PAGES = [
    r"^/visits/$",
    r"^/visits/tasks/\d+/$",
    r"^/cases/mine/$",
    r"^/cases/new/$",
    r"^/outbox/$",
    r"^/outbox/offline-task/$",
    r"^/care/mine/$",
    r"^/care/pairings/\d+/$",
    r"^/errands/$",
    r"^/errands/\d+/$",
    r"^/forest/$",
    r"^/forest/patrols/\d+/$",
]
# What the service worker stores when it is installed (the app shell of the field pages).
SHELL = [
    "gongzhi/gongzhi.css",
    "vendor/htmx/htmx.min.js",
    "field/outbox.js",
    "field/outbox.css",
    "visits/visits.css",
    "visits/position.js",
    "cases/cases.css",
    "field/icon-192.png",
    "field/offline_task.js",
]
HEADER = "X-Gongzhi-Outbox"


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    body = str(
        render_to_string(
            "outbox/sw.js",
            {
                "shell": json.dumps([static(name) for name in SHELL]),
                "pages": json.dumps(FIELD_PAGES),
                "outbox_js": static("field/outbox.js"),
            },
        )
    )
    version = hashlib.md5(
        (body + settings.GONGZHI_APP_VERSION).encode(), usedforsecurity=False
    ).hexdigest()[:10]
    body = body.replace("__VERSION__", version)
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    data = {
        "name": "共治 · 外勤",
        "short_name": "共治外勤",
        "description": "今日任务、入户走访、登记诉求、我的工单：离线也能记录，联网后自动上传",
        "lang": "zh-CN",
        "start_url": "/visits/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#b91c1c",
        "icons": [
            {"src": static("field/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("field/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("field/icon-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json; charset=utf-8"
    return response


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """待上传: the records waiting on this phone, their last error, conflicts to resolve
    (the list itself is read from the phone's IndexedDB by field/outbox.js)."""
    return render(request, "outbox/queue.html")


@login_required
def offline_task(request: HttpRequest) -> HttpResponse:
    """The household visit page without its data: what the service worker shows, offline, for
    a task page not kept on the phone (field/offline_task.js fills it from the synced data)."""
    return render(request, "outbox/offline_task.html")


def _json(status: int, body: dict[str, Any], replayed: bool = False) -> JsonResponse:
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    if replayed:
        response["X-Outbox-Replay"] = "1"
    return response


def _same_origin(request: HttpRequest) -> bool:
    """CSRF for the outbox: the service worker cannot read the CSRF token, so the request
    must carry a custom header (a cross-site form cannot; a cross-site fetch with it needs a
    CORS preflight this site never grants) and, when the browser names it, our own origin."""
    if request.headers.get(HEADER) != "1":
        return False
    origin = request.headers.get("Origin")
    if origin and origin != f"{request.scheme}://{request.get_host()}":
        return False
    return request.headers.get("Sec-Fetch-Site", "same-origin") == "same-origin"


@csrf_exempt
@never_cache
@require_POST
def submit(request: HttpRequest) -> JsonResponse:
    if not _same_origin(request):
        return _json(403, {"error": "请求来源不对：只接受本站页面的离线上传"})
    if not request.user.is_authenticated:
        return _json(401, {"error": "登录已过期：请重新登录，本机记录会在登录后自动上传"})
    post = request.POST
    owner = post.get("outbox_user", "")
    if owner and owner != request.user.get_username():
        return _json(
            403,
            {
                "error": f"此条由账号 {owner} 在本机保存：请以 {owner} 登录后上传",
                "wrong_user": True,
            },
        )
    try:
        uuid = uuidlib.UUID(post.get("outbox_uuid", ""))
    except ValueError:
        return _json(422, {"error": "缺少或无效的记录编号（outbox_uuid）"})
    captured_at = parse_datetime(post.get("outbox_captured_at", ""))
    if captured_at is None or captured_at.tzinfo is None:
        return _json(422, {"error": "缺少或无效的本机记录时间（outbox_captured_at，需带时区）"})
    try:
        answer = do_accept_entry(
            actor=request.user,
            uuid=uuid,
            kind=post.get("outbox_kind", ""),
            captured_at=captured_at.astimezone(dt.UTC),
            data=post,
            files=request.FILES,
        )
    except WrongUser:
        return _json(409, {"error": "该记录编号已由其他账号上传"})
    except PhotosPending as exc:  # the phone sends the missing chunks, then this again
        return _json(425, {"error": str(exc), "missing": exc.missing})
    except Conflict as exc:
        return _json(409, exc.body)
    except Http404:
        return _json(404, {"error": "要登记的任务不存在，或不在您的范围内"})
    except (ValidationError, PermissionDenied, Refusal) as exc:
        return _json(422, {"error": refusal_text(exc)})
    if not answer.replayed and request.headers.get("X-Gongzhi-Page") == "1":
        messages.success(request, answer.body.get("message", "已上传"))
    return _json(answer.status, answer.body, answer.replayed)


@csrf_exempt
@never_cache
@require_POST
def upload_chunk(request: HttpRequest) -> JsonResponse:
    """One chunk of a photo (apps.outbox.uploads): kept once, the file assembled and checked
    when the last one is in. Answers which chunks the server has."""
    if not _same_origin(request):
        return _json(403, {"error": "请求来源不对：只接受本站页面的离线上传"})
    if not request.user.is_authenticated:
        return _json(401, {"error": "登录已过期：请重新登录，本机照片会在登录后继续上传"})
    post = request.POST
    chunk = request.FILES.get("chunk")
    try:
        uuid = uuidlib.UUID(post.get("upload", ""))
        record_uuid = uuidlib.UUID(post.get("record", ""))
    except ValueError:
        return _json(422, {"error": "缺少或无效的上传编号（upload）或记录编号（record）"})
    if chunk is None:
        return _json(422, {"error": "缺少分片内容（chunk）"})
    try:
        upload = do_receive_chunk(
            actor=request.user,
            uuid=uuid,
            record_uuid=record_uuid,
            filename=post.get("filename", ""),
            size=post.get("size"),
            chunk_size=post.get("chunk_size"),
            index=post.get("index"),
            sha256=post.get("sha256", ""),
            data=chunk.read(),
        )
    except PermissionDenied as exc:
        return _json(403, {"error": refusal_text(exc)})
    except ValidationError as exc:
        return _json(422, {"error": refusal_text(exc)})
    return _json(200, upload_state(upload))


@never_cache
@require_GET
def upload_status(request: HttpRequest, uuid: uuidlib.UUID) -> JsonResponse:
    """Which chunks of an upload the server has (the phone resumes with the others)."""
    if not request.user.is_authenticated:
        return _json(401, {"error": "登录已过期：请重新登录"})
    try:
        upload = find_upload(request.user, uuid)
    except PermissionDenied as exc:
        return _json(403, {"error": refusal_text(exc)})
    if upload is None:
        return _json(200, {"upload": str(uuid), "received": [], "complete": False})
    return _json(200, upload_state(upload))


@require_GET
def sync(request: HttpRequest) -> HttpResponse:
    """What the worker needs offline (apps.outbox.sync), conditional on its ETag."""
    if not request.user.is_authenticated:
        return _json(401, {"error": "登录已过期：请重新登录后同步"})
    document, etag = sync_document(request.user)
    quoted = f'"{etag}"'
    asked = [
        t.strip().removeprefix("W/") for t in request.headers.get("If-None-Match", "").split(",")
    ]
    response = HttpResponse(status=304) if quoted in asked else _json(200, document)
    response["ETag"] = quoted
    response["Cache-Control"] = "private, no-cache"
    response["Vary"] = "Cookie"
    return response
