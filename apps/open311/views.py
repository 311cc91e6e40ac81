"""GeoReport v2 endpoints at /open311/v2/ (JSON or XML by the URL's suffix).

Discovery, services and service definitions are public. Requests, tokens and updates need an
API key (`api_key` parameter, `X-API-Key` or `Authorization: Bearer`; reads also accept a
logged-in session): the key's account decides which cases it sees and where it may file.
A case outside that scope is 404, as if it did not exist.

Public read mode (GONGZHI_OPEN311_PUBLIC_READ=1, off by default): GET requests without a key
answer for anyone with the public-space cases of the whole county and no personal data
(`georeport.public_request`); writes, tokens and updates still need a key.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from apps.accounts.apikeys import key_from_request, user_for_key
from apps.accounts.scoping import place_in_scope
from apps.cases.actions import do_create_case
from apps.cases.choices import CaseKind, CaseSource
from apps.cases.errors import CaseError
from apps.core import crypto

from . import georeport, locate, selectors
from .attributes import clean_attributes
from .forms import PeriodForm, RequestFilter, RequestForm, error_texts
from .render import error, respond

NO_KEY = "api_key 缺失、无效或已吊销"
CHANGESET = "2026-05-01T00:00:00+08:00"


def _user(request: HttpRequest, *, session: bool) -> Any:
    raw = request.POST.get("api_key") or request.GET.get("api_key") or key_from_request(request)
    user = user_for_key(raw)
    if user is None and session and request.user.is_authenticated:
        return request.user
    return user


def _reader(request: HttpRequest) -> tuple[Any, bool]:
    """(user, False) for a valid key or session; (None, True) for anyone without a key when
    GONGZHI_OPEN311_PUBLIC_READ is on; (None, False) otherwise (403). A key that is given but
    wrong is refused in both modes: its client should know."""
    user = _user(request, session=True)
    if user is not None:
        return user, False
    given = request.GET.get("api_key") or key_from_request(request)
    return None, bool(settings.GONGZHI_OPEN311_PUBLIC_READ) and not given


def _row(request: HttpRequest, case: Any, public: bool) -> dict[str, Any]:
    if not public:
        return georeport.request(case, _absolute(request))
    names = [case.reporter_name, *(person.name for person in case.persons.all())]
    return georeport.public_request(case, names)


def _jurisdiction(request: HttpRequest, user: Any) -> tuple[Any, str | None]:
    """(place or None, error): an optional jurisdiction_id narrows to that place's subtree."""
    code = (request.POST.get("jurisdiction_id") or request.GET.get("jurisdiction_id", "")).strip()
    if not code:
        return None, None
    place = selectors.jurisdiction_place(code)
    if place is None or (user is not None and not place_in_scope(user, place)):
        return None, f"jurisdiction_id {code} 不存在"
    return place, None


def _absolute(request: HttpRequest) -> Any:
    return request.build_absolute_uri


@require_GET
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    url = request.build_absolute_uri(reverse("open311:discovery", args=["json"]))
    data = {
        "changeset": CHANGESET,
        "contact": "共治平台管理员：请在“接口密钥”页面申请密钥",
        "key_service": request.build_absolute_uri(reverse("accounts:apikeys")),
        "endpoints": [
            {
                "specification": georeport.SPEC_URL,
                "url": url.rsplit("/", 1)[0],
                "changeset": CHANGESET,
                "type": "production",
                "formats": georeport.FORMATS,
            }
        ],
    }
    return respond(data, fmt, "discovery", None)


@require_GET
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    rows = [georeport.service(c) for c in selectors.services()]
    return respond(rows, fmt, "services", "service")


@require_GET
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    category = selectors.service_by_code(code)
    if category is None:
        return error(fmt, 404, f"service_code {code} 不存在")
    return respond(georeport.service_definition(category), fmt, "service_definition", None)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create_request(request, fmt)
    user, public = _reader(request)
    if user is None and not public:
        return error(fmt, 403, NO_KEY)
    within, problem = _jurisdiction(request, user)
    if problem:
        return error(fmt, 404, problem)
    form = RequestFilter(request.GET)
    if not form.is_valid():
        return error(fmt, 400, *error_texts(form))
    cases = selectors.request_list(user, form.cleaned_data, within, public=public)
    rows = [_row(request, case, public) for case in cases]
    return respond(rows, fmt, "service_requests", "request")


@require_GET
def request_detail(request: HttpRequest, pk: str, fmt: str) -> HttpResponse:
    user, public = _reader(request)
    if user is None and not public:
        return error(fmt, 403, NO_KEY)
    within, problem = _jurisdiction(request, user)
    if problem:
        return error(fmt, 404, problem)
    case = selectors.request_by_id(user, pk, within, public=public)
    if case is None:
        return error(fmt, 404, f"service_request_id {pk} 不存在")
    return respond([_row(request, case, public)], fmt, "service_requests", "request")


@require_GET
def token(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    user = _user(request, session=True)
    if user is None:
        return error(fmt, 403, NO_KEY)
    case = selectors.request_by_token(user, token, None)
    if case is None:
        return error(fmt, 404, "token 不存在")
    rows = [{"service_request_id": str(case.pk), "token": token}]
    return respond(rows, fmt, "service_requests", "request")


@require_GET
def updates(request: HttpRequest, fmt: str) -> HttpResponse:
    """mySociety's extension: the steps of visible cases between start_date and end_date."""
    user = _user(request, session=True)
    if user is None:
        return error(fmt, 403, NO_KEY)
    within, problem = _jurisdiction(request, user)
    if problem:
        return error(fmt, 404, problem)
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return error(fmt, 400, *error_texts(form))
    rows = [georeport.update(e) for e in selectors.update_list(user, form.cleaned_data, within)]
    return respond(rows, fmt, "service_requests_updates", "request_update")


def _submitted_attributes(request: HttpRequest) -> dict[str, list[str]]:
    """`attribute[CODE]=v` (repeatable, also `attribute[CODE][]`) → {CODE: [v, …]}."""
    out: dict[str, list[str]] = {}
    for name in request.POST:
        if name.startswith("attribute[") and "]" in name:
            code = name[len("attribute[") : name.index("]")]
            out.setdefault(code, []).extend(request.POST.getlist(name))
    return out


def _place(form: RequestForm, root: Any) -> tuple[Any, int, str]:
    """(place, 0, "") or (None, status, message) for the request's location."""
    d = form.cleaned_data
    if d.get("address_id"):
        place = locate.place_by_code(root, d["address_id"])
        if place is None:
            if selectors.place_exists(d["address_id"]):
                return None, 403, f"address_id {d['address_id']} 不在密钥的管辖范围内"
            return None, 400, f"address_id {d['address_id']} 不存在"
        return place, 0, ""
    if d.get("lat") is not None and d.get("long") is not None:
        place = locate.nearest_place(root, d["lat"], d["long"])
        if place is None:
            return None, 403, "该位置不在密钥的管辖范围内"
        return place, 0, ""
    return locate.place_by_address(root, d["address_string"]) or root, 0, ""


def _create_request(request: HttpRequest, fmt: str) -> HttpResponse:
    user = _user(request, session=False)
    if user is None:
        return error(fmt, 403, NO_KEY)
    within, problem = _jurisdiction(request, user)
    if problem:
        return error(fmt, 404, problem)
    form = RequestForm(request.POST)
    if not form.is_valid():
        return error(fmt, 400, *error_texts(form, named=True))
    d = form.cleaned_data
    category = selectors.service_by_code(d["service_code"])
    if category is None:
        return error(fmt, 400, f"service_code {d['service_code']} 不存在")
    values, problems = clean_attributes(category, _submitted_attributes(request))
    if problems:
        return error(fmt, 400, *[f"attribute[{c}]：{m}" for c, m in problems.items()])
    root = within or selectors.scope_root(user)
    place, status, message = _place(form, root)
    if place is None:
        return error(fmt, status, message)
    for extra in ("media_url", "device_id", "account_id"):
        if d.get(extra):
            values[f"open311_{extra}"] = d[extra]
    if d.get("email"):
        values["reporter_email_enc"] = crypto.encrypt(d["email"])
    description = d.get("description") or ""
    if d.get("address_string"):
        description = f"{description}\n地址：{d['address_string']}".strip()
    key = request.headers.get("Idempotency-Key") or None
    if key is not None and not 0 < len(key) <= 100:
        return error(fmt, 400, "Idempotency-Key 长度应为1–100个字符")
    try:
        case, _ = do_create_case(
            actor=user,
            category=category,
            place=place,
            title=f"{category.name}：{description[:40]}" if description else category.name,
            description=description,
            kind=CaseKind.NEED,
            source=CaseSource.OPEN311,
            reporter_name=form.reporter_name,
            reporter_phone=d.get("phone") or "",
            lat=d.get("lat"),
            lng=d.get("long"),
            attributes=values,
            idempotency_key=key,
        )
    except ValidationError as exc:
        texts = [m for ms in exc.message_dict.values() for m in ms]
        return error(fmt, 403 if "place" in exc.message_dict else 400, *texts)
    except CaseError as exc:
        return error(fmt, 403 if exc.status == 403 else 400, exc.message)
    row = {
        "service_request_id": str(case.pk),
        "token": case.tracking_token,
        "service_notice": georeport.service_notice(category),
    }
    return respond([row], fmt, "service_requests", "request")
