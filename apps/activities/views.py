"""Activity pages: list, month calendar, the activity (sign-ups, attendance, hours, photos,
reach), its QR code at the door, the public check-in page and the phone page of sign-ups."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from pydantic import ValidationError as FilterError

from apps.accounts.actions import client_ip
from apps.accounts.requests import AuthedRequest
from apps.core.paging import query_without_page
from apps.core.redirects import redirect_next
from apps.core.refusals import run_action, said
from apps.people.models import Person
from apps.people.selectors import visible_people

from . import actions, qr, selectors, throttle
from .choices import ActivityKind, ParticipantRole, SignupStatus
from .filters import ActivityFilter
from .forms import ActivityForm, CancelForm, CheckinForm, PhotoForm, ReachForm
from .models import Activity

PER_PAGE = 30
SEARCH_LIMIT = 10


def _filters(request: HttpRequest) -> tuple[ActivityFilter, bool]:
    given = {k: v for k, v in request.GET.items() if v and k != "page"}
    try:
        return ActivityFilter.model_validate(given), True
    except FilterError:
        return ActivityFilter(), False


def _may_create(user: Any) -> bool:
    if user.scope is None:
        return bool(user.is_superuser)
    return actions.is_activity_staff(user, user.scope)


@login_required
def activity_list(request: AuthedRequest) -> HttpResponse:
    filters, valid = _filters(request)
    if not valid:
        messages.error(request, "筛选条件有误，已显示全部活动")
    page = Paginator(selectors.activity_list(request.user, filters), PER_PAGE)
    return render(
        request,
        "activities/list.html",
        {
            "page": page.get_page(request.GET.get("page")),
            "filters": filters,
            "kinds": ActivityKind.choices,
            "query": query_without_page(request),
            "can_create": _may_create(request.user),
        },
    )


@login_required
def month(request: AuthedRequest) -> HttpResponse:
    year, number = selectors.parse_month(request.GET.get("month"), timezone.localdate())
    return render(
        request,
        "activities/calendar.html",
        {
            "cal": selectors.month_calendar(request.user, year, number),
            "today": timezone.localdate(),
            "weekdays": "一二三四五六日",
        },
    )


def _form_values(form: ActivityForm) -> dict[str, Any]:
    d = form.cleaned_data
    return {
        "title": d["title"],
        "kind": d["kind"],
        "place": d["place"],
        "address": d["address"],
        "start_at": d["start_at"],
        "end_at": d["end_at"],
        "capacity": d["capacity"],
        "project": d["project"],
        "self_signup": d["self_signup"],
        "description": d["description"],
        "target_tags": d["target_tags"],
        "organisations": d["organisations"],
        "organisers": d["organisers"],
    }


@login_required
def create(request: AuthedRequest) -> HttpResponse:
    form = ActivityForm(request.POST or None, user=request.user)

    def page(status: int = 200) -> HttpResponse:
        return render(request, "activities/form.html", {"form": form}, status=status)

    if request.method != "POST":
        return page()
    if not form.is_valid():
        return page(422)

    def done(activity: Activity) -> HttpResponse:
        messages.success(request, f"已登记活动：{activity.title}")
        return redirect("activities:detail", pk=activity.pk)

    return run_action(
        request,
        lambda: actions.do_create_activity(actor=request.user, **_form_values(form)),
        done=done,
        refused=page,
    )


@login_required
def edit(request: AuthedRequest, pk: int) -> HttpResponse:
    activity = selectors.access_activity_for_user(request.user, pk)
    if not actions.may_manage(request.user, activity):
        raise PermissionDenied("您不能修改该活动")
    initial = {
        **{f: getattr(activity, f) for f in actions.EDITABLE},
        "start_at": timezone.localtime(activity.start_at).strftime("%Y-%m-%dT%H:%M"),
        "end_at": timezone.localtime(activity.end_at).strftime("%Y-%m-%dT%H:%M"),
        "description": activity.description,
        "target_tags": list(activity.target_tags.all()),
        "organisations": list(activity.organisations.all()),
        "organisers": list(activity.organisers.all()),
    }
    form = ActivityForm(request.POST or None, user=request.user, initial=initial)

    def page(status: int = 200) -> HttpResponse:
        context = {"form": form, "activity": activity}
        return render(request, "activities/form.html", context, status=status)

    if request.method != "POST":
        return page()
    if not form.is_valid():
        return page(422)

    def done(_: object) -> HttpResponse:
        messages.success(request, "活动已修改")
        return redirect("activities:detail", pk=activity.pk)

    return run_action(
        request,
        lambda: actions.do_update_activity(activity, actor=request.user, **_form_values(form)),
        done=done,
        refused=page,
    )


def _search(request: HttpRequest) -> list[Person]:
    q = request.GET.get("q", "").strip()
    if not q:
        return []
    people = visible_people(request.user).filter(active=True)
    match = people.filter(phone_suffix=q) if q.isdigit() else people.filter(name__contains=q)
    return list(match.select_related("place", "volunteer")[:SEARCH_LIMIT])


@login_required
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _detail_page(request, selectors.access_activity_for_user(request.user, pk))


def _detail_page(request: HttpRequest, activity: Activity, **forms: Any) -> HttpResponse:
    """The activity's page; `forms` are bound forms a refused change shows again."""
    manage = actions.may_manage(request.user, activity)
    rows = list(selectors.participants(activity)) if manage else []
    mine = next(
        (
            p
            for p in activity.participations.filter(person_id=request.user.person_id or 0)
            if p.status != SignupStatus.CANCELLED
        ),
        None,
    )
    context = {
        "activity": activity,
        "phase": activity.phase(),
        "manage": manage,
        "qr_open": timezone.now() <= qr.closes_at(activity),
        "rows": rows,
        "registered": [r for r in rows if r.status == SignupStatus.REGISTERED],
        "waiting": [r for r in rows if r.status == SignupStatus.WAITLISTED],
        "cancelled": [r for r in rows if r.status == SignupStatus.CANCELLED],
        "present": sum(1 for r in rows if r.present),
        "taken": activity.participations.filter(
            status=SignupStatus.REGISTERED, role=ParticipantRole.PARTICIPANT
        ).count(),
        "mine": mine,
        "can_self_signup": bool(request.user.person_id) and activity.self_signup,
        "found": _search(request) if manage else [],
        "q": request.GET.get("q", ""),
        "photos": activity.photos.all(),
        "tags": activity.target_tags.all(),
        "organisations": activity.organisations.all(),
        "organisers": activity.organisers.all(),
        "reach_form": ReachForm(
            initial={
                "online_viewers": activity.online_viewers,
                "walk_ins": activity.walk_ins,
                "summary": activity.summary,
            }
        ),
        "photo_form": PhotoForm(),
        "cancel_form": CancelForm(),
        **forms,
    }
    return render(request, "activities/detail.html", context)


def _back(pk: int, anchor: str = "") -> HttpResponse:
    return redirect(reverse("activities:detail", args=[pk]) + (f"#{anchor}" if anchor else ""))


@login_required
@require_POST
def sign_up(request: AuthedRequest, pk: int) -> HttpResponse:
    activity = selectors.access_activity_for_user(request.user, pk)
    person_id = request.POST.get("person")
    if person_id:
        person = visible_people(request.user).filter(pk=person_id).first()
        if person is None:
            raise Http404("未找到，或不在您的管辖范围内")
    elif request.user.person_id:
        person = Person.objects.get(pk=request.user.person_id)
    else:
        messages.error(request, "您的账号未关联人员信息，不能报名")
        return _back(pk)
    role = request.POST.get("role") or ParticipantRole.PARTICIPANT
    if role not in ParticipantRole.values:
        role = ParticipantRole.PARTICIPANT
    back = reverse("activities:detail", args=[pk])

    def done(row: Any) -> HttpResponse:
        if row.status == SignupStatus.WAITLISTED:
            messages.warning(request, f"名额已满，{person.name}已进入候补名单")
        else:
            messages.success(request, f"{person.name}报名成功")
        return redirect_next(request, back)

    return run_action(
        request,
        lambda: actions.do_sign_up(activity, person, actor=request.user, role=role),
        done=done,
        refused=lambda: redirect_next(request, back),
    )


@login_required
@require_POST
def cancel_signup(request: AuthedRequest, pk: int) -> HttpResponse:
    row = selectors.access_participation_for_user(request.user, pk)
    back = reverse("activities:detail", args=[row.activity_id])
    return run_action(
        request,
        lambda: actions.do_cancel_signup(row, actor=request.user),
        done=lambda _: said(
            request, f"已取消{row.person.name}的报名", redirect_next(request, back)
        ),
        refused=lambda: redirect_next(request, back),
    )


@login_required
@require_POST
def attendance(request: AuthedRequest, pk: int) -> HttpResponse:
    activity = selectors.access_activity_for_user(request.user, pk)
    person = visible_people(request.user).filter(pk=request.POST.get("person") or 0).first()
    if person is None:
        person = Person.objects.filter(
            pk=request.POST.get("person") or 0, activity_participations__activity=activity
        ).first()
    if person is None:
        raise Http404("未找到该人员")
    present = request.POST.get("present") == "1"
    text = f"{person.name}{'已签到' if present else '已取消签到'}"
    return run_action(
        request,
        lambda: actions.do_set_attendance(activity, person, actor=request.user, present=present),
        done=lambda _: said(request, text, _back(pk, "participants")),
        refused=lambda: _back(pk, "participants"),
    )


@login_required
@require_POST
def record_hours(request: AuthedRequest, pk: int) -> HttpResponse:
    row = selectors.access_participation_for_user(request.user, pk)
    text = f"已为{row.person.name}登记服务时长，待审核"
    return run_action(
        request,
        lambda: actions.do_record_volunteer_hours(row, actor=request.user),
        done=lambda _: said(request, text, _back(row.activity_id, "participants")),
        refused=lambda: _back(row.activity_id, "participants"),
    )


@login_required
@require_POST
def reach(request: AuthedRequest, pk: int) -> HttpResponse:
    activity = selectors.access_activity_for_user(request.user, pk)
    form = ReachForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写不小于 0 的人次")
        return _back(pk, "reach")
    return run_action(
        request,
        lambda: actions.do_record_reach(activity, actor=request.user, **form.cleaned_data),
        done=lambda _: said(request, "活动成效已保存", _back(pk, "reach")),
        refused=lambda: _detail_page(request, activity, reach_form=form),
    )


@login_required
@require_POST
def cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    activity = selectors.access_activity_for_user(request.user, pk)
    form = CancelForm(request.POST)

    def cancel_it() -> None:
        if not form.is_valid():
            raise ValidationError("请填写取消原因")
        actions.do_cancel_activity(activity, actor=request.user, **form.cleaned_data)

    return run_action(
        request,
        cancel_it,
        done=lambda _: said(request, "活动已取消", _back(pk)),
        refused=lambda: _detail_page(request, activity, cancel_form=form),
    )


@login_required
@require_POST
def add_photo(request: AuthedRequest, pk: int) -> HttpResponse:
    activity = selectors.access_activity_for_user(request.user, pk)
    form = PhotoForm(request.POST, request.FILES)

    def add_it() -> None:
        if not form.is_valid():
            raise ValidationError("请选择照片")
        actions.do_add_photo(
            activity,
            form.cleaned_data["photo"],
            actor=request.user,
            caption=form.cleaned_data["caption"],
        )

    return run_action(
        request,
        add_it,
        done=lambda _: said(request, "照片已上传", _back(pk, "photos")),
        refused=lambda: _detail_page(request, activity, photo_form=form),
    )


@login_required
def photo(request: AuthedRequest, pk: int, size: str = "full") -> FileResponse:
    found = selectors.access_photo_for_user(request.user, pk)
    file = found.thumbnail if size == "thumb" else found.file
    content_type = "image/jpeg" if size == "thumb" else found.content_type
    return FileResponse(file.open("rb"), content_type=content_type)


# QR code and check-in ------------------------------------------------------------------------


def checkin_url(request: HttpRequest, activity: Activity) -> str:
    return request.build_absolute_uri(reverse("activities:checkin", args=[qr.make_token(activity)]))


def _managed(request: HttpRequest, pk: int) -> Activity:
    activity = selectors.access_activity_for_user(request.user, pk)
    if not actions.may_manage(request.user, activity):
        raise PermissionDenied("只有活动组织人员可以查看签到码")
    return activity


@login_required
def qr_code(request: AuthedRequest, pk: int, kind: str) -> HttpResponse:
    activity = _managed(request, pk)
    content_type = "image/png" if kind == "png" else "image/svg+xml"
    response = HttpResponse(qr.qr_image(checkin_url(request, activity), kind), content_type)
    response["Cache-Control"] = "no-store"
    if kind == "png":
        response["Content-Disposition"] = f'attachment; filename="activity-{pk}-qr.png"'
    return response


@login_required
def door(request: AuthedRequest, pk: int) -> HttpResponse:
    """The page shown (or printed) at the door: the QR code, large."""
    activity = _managed(request, pk)
    return render(
        request,
        "activities/door.html",
        {
            "activity": activity,
            "url": checkin_url(request, activity),
            "closes_at": qr.closes_at(activity),
            "stamp": int(timezone.now().timestamp()),
        },
    )


@login_required
@require_POST
def renew_qr(request: AuthedRequest, pk: int) -> HttpResponse:
    activity = selectors.access_activity_for_user(request.user, pk)
    text = "已更换签到码，之前的二维码全部失效"
    return run_action(
        request,
        lambda: actions.do_renew_qr(activity, actor=request.user),
        done=lambda _: said(request, text, redirect("activities:door", pk=pk)),
        refused=lambda: redirect("activities:door", pk=pk),
    )


def checkin(request: HttpRequest, token: str) -> HttpResponse:
    """The page a phone camera opens from the QR code. No login needed: the signed token is
    the proof of being at the door."""
    try:
        found = qr.read_token(token)
    except qr.CheckinTokenError as exc:
        return render(request, "activities/checkin.html", {"error": str(exc)}, status=403)
    user = request.user
    signed_in = bool(user.is_authenticated and user.person_id)
    context: dict[str, Any] = {
        "activity": found.activity,
        "not_open_yet": found.not_open_yet,
        "signed_in": signed_in,
        "form": CheckinForm(),
    }
    if signed_in:
        context["already"] = found.activity.participations.filter(
            person_id=user.person_id or 0, checked_in_at__isnull=False
        ).first()
    if request.method != "POST":
        return render(request, "activities/checkin.html", context)
    form = CheckinForm(request.POST)
    context["form"] = form
    ip = client_ip(request)
    if not signed_in:
        if throttle.blocked(found.activity.pk, ip):
            context["error_inline"] = "核对失败次数过多，请稍后再试或找现场工作人员签到"
            return render(request, "activities/checkin.html", context, status=429)
        if not form.is_valid():
            return render(request, "activities/checkin.html", context, status=422)
    try:
        row, created = actions.do_check_in_with_token(
            token,
            user=user if signed_in else None,
            name=form.cleaned_data.get("name", "") if not signed_in else "",
            phone_suffix=form.cleaned_data.get("phone_suffix", "") if not signed_in else "",
            ip=ip,
        )
    except qr.CheckinTokenError as exc:
        return render(request, "activities/checkin.html", {"error": str(exc)}, status=403)
    except ValidationError as exc:
        if not signed_in:
            throttle.failed(found.activity.pk, ip)
        context["error_inline"] = "；".join(exc.messages)
        return render(request, "activities/checkin.html", context, status=422)
    return render(
        request,
        "activities/checkin_done.html",
        {"activity": found.activity, "row": row, "created": created},
    )


@login_required
def mine(request: AuthedRequest) -> HttpResponse:
    """A resident's or volunteer's phone page: activities open for sign-up, and their own."""
    mine_rows = list(selectors.my_participations(request.user)[:50])
    joined = {r.activity_id: r for r in mine_rows}
    open_rows = list(selectors.open_for_signup(request.user)[:50])
    for activity in open_rows:
        activity.my_row = joined.get(activity.pk)  # type: ignore[attr-defined]
    return render(
        request,
        "activities/mine.html",
        {
            "open": open_rows,
            "mine": mine_rows,
            "has_person": bool(request.user.person_id),
            "now": timezone.now(),
            "soon": timezone.now() + dt.timedelta(days=1),
        },
    )
