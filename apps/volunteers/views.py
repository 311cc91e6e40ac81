"""Volunteer pages: the resident's self-registration (no login, phone first), the staff's
review of applications, the volunteer list with filters and Excel export, a volunteer's record
(hours, star and points; certificates, training, availability exceptions, no-shows, points,
redemption catalogue), hours approvals, the service certificate PDF and the catalogues."""

import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.actions import client_ip
from apps.accounts.permissions import Cap, has_role_for, require
from apps.accounts.requests import AuthedRequest
from apps.core import audit, throttle
from apps.core.choices import AuditVerb
from apps.core.refusals import form_error_text, run_action, said

from . import selectors
from .actions import (
    do_add_availability_exception,
    do_add_certificate,
    do_add_reward_item,
    do_approve_application,
    do_approve_hours,
    do_decline_application,
    do_decline_hours,
    do_donate_points,
    do_grant_points,
    do_record_hours,
    do_record_no_show,
    do_record_training,
    do_redeem,
    do_remove_certificate,
    do_restock_reward_item,
    do_submit_application,
    is_service_staff,
)
from .choices import COMMON_CERTIFICATES, ApplicationStatus
from .exports import volunteers_workbook
from .filters import VolunteerFilter
from .forms import (
    ApplicationDecisionForm,
    ApplicationForm,
    CertificateForm,
    DecisionForm,
    ExceptionForm,
    HoursForm,
    NoShowForm,
    PeriodForm,
    PointsForm,
    RestockForm,
    RewardItemForm,
    TrainingForm,
    availability_from,
)
from .models import RewardItem, Volunteer
from .pdf import certificate_pdf

LIST_LIMIT = 200


def _is_staff(user: Any) -> bool:
    return has_role_for(user, Cap.SERVICES_REVIEW_HOURS)


# --- the resident's self-registration ------------------------------------------------------


def join(request: HttpRequest) -> HttpResponse:
    """志愿者注册: a resident fills this in on a phone; staff of the community review it."""
    if request.method != "POST":
        form = ApplicationForm(initial={"form_token": secrets.token_urlsafe(24)})
        return render(request, "volunteers/join.html", {"form": form})
    form = ApplicationForm(request.POST)
    if not throttle.allow(client_ip(request)):
        return render(
            request, "volunteers/join.html", {"form": form, "throttled": True}, status=429
        )
    if not form.is_valid():
        return render(request, "volunteers/join.html", {"form": form}, status=422)
    d = form.cleaned_data
    community = selectors.community_by_pk(d["community"])
    if community is None:
        form.add_error("community", "请选择所在社区/村")
        return render(request, "volunteers/join.html", {"form": form}, status=422)
    return run_action(
        request,
        lambda: do_submit_application(
            community=community,
            name=d["name"],
            phone=d["phone"],
            address=d["address"],
            skills=list(d["skills"]),
            availability=availability_from(d["availability"]),
            certificates=form.certificate_names(),
            motivation=d["motivation"],
            form_token=d["form_token"],
        ),
        done=lambda submitted: redirect("volunteers:join_status", token=submitted[0].form_token),
        refused=lambda: render(request, "volunteers/join.html", {"form": form}),
        form=form,
    )


@require_GET
def join_status(request: HttpRequest, token: str) -> HttpResponse:
    application = selectors.application_by_token(token)
    if application is None:
        raise Http404("未找到该申请")
    response = render(request, "volunteers/join_status.html", {"application": application})
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "no-store"
    return response


@login_required
def me(request: AuthedRequest) -> HttpResponse:
    """我的志愿服务: the signed-in person's own volunteer record, or the sign-up page."""
    volunteer = selectors.own_volunteer(request.user)
    if volunteer is None:
        return redirect("volunteers:join")
    return redirect("volunteers:detail", pk=volunteer.pk)


# --- staff: applications -------------------------------------------------------------------


@login_required
def applications(request: AuthedRequest) -> HttpResponse:
    if not _is_staff(request.user):
        raise PermissionDenied("只有社区、街道工作人员可以审核志愿者注册申请")
    status = request.GET.get("status") or ApplicationStatus.PENDING
    rows = list(selectors.applications_visible_to(request.user).filter(status=status)[:LIST_LIMIT])
    return render(
        request,
        "volunteers/applications.html",
        {"rows": rows, "status": status, "statuses": ApplicationStatus.choices},
    )


@login_required
@require_POST
def application_decide(request: AuthedRequest, pk: int) -> HttpResponse:
    application = selectors.access_application_for_user(request.user, pk)
    form = ApplicationDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return redirect("volunteers:applications")
    d = form.cleaned_data

    def decide() -> str:
        if d["decision"] != "approve":
            do_decline_application(application, actor=request.user, note=d["note"])
            return "已标记为未通过"
        place = None
        if d["place"]:
            place = selectors.place_under(application.community, d["place"])
        approval = do_approve_application(
            application, actor=request.user, place=place, note=d["note"]
        )
        text = f"已通过：{approval.volunteer.person.name} 已登记为志愿者，账号 {approval.username}"
        if approval.initial_password:
            text += f"，初始密码 {approval.initial_password}（仅显示一次，请告知本人登录后修改）"
        return text

    back = redirect("volunteers:applications")
    return run_action(
        request, decide, done=lambda text: said(request, text, back), refused=lambda: back
    )


# --- staff: the volunteer list and its export ---------------------------------------------


@login_required
def volunteer_list(request: AuthedRequest) -> HttpResponse:
    require(request.user, Cap.SERVICES_LIST_VOLUNTEERS)
    form = VolunteerFilter(request.GET, user=request.user)
    rows = form.apply(selectors.volunteer_rows(request.user))
    if request.GET.get("format") == "xlsx":
        if not request.user.can_export:
            raise PermissionDenied("您的角色不能导出")
        audit.record(
            actor=request.user,
            verb=AuditVerb.EXPORT,
            object_type="people.volunteer",
            object_repr="志愿者名册",
            scope_path=request.user.audit_scope_path,
            changes={"filter": request.GET.dict()},
        )
        response = HttpResponse(
            volunteers_workbook(rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="volunteers.xlsx"'
        return response
    total = rows.count()
    return render(
        request,
        "volunteers/volunteer_list.html",
        {
            "form": form,
            "rows": list(rows[:LIST_LIMIT]),
            "total": total,
            "limit": LIST_LIMIT,
            "query": request.GET.urlencode(),
        },
    )


# --- the volunteer record: hours, approvals, the certificate PDF ---------------------------


@login_required
def volunteer_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return volunteer_page(request, selectors.access_volunteer_for_user(request.user, pk))


def volunteer_page(request: AuthedRequest, volunteer: Volunteer, **forms: Any) -> HttpResponse:
    """The volunteer's page; `forms` are bound forms a refused change shows again."""
    is_self = request.user.person_id == volunteer.person_id
    no_shows = selectors.no_shows(volunteer)
    return render(
        request,
        "volunteers/volunteer.html",
        {
            "summary": selectors.volunteer_summary(volunteer),
            "form": HoursForm(),
            "is_staff": is_service_staff(request.user, volunteer),
            "is_self": is_self,
            "period": PeriodForm(),
            "certificates": volunteer.certificates or [],
            "certificate_form": CertificateForm(),
            "common_certificates": COMMON_CERTIFICATES,
            "trainings": selectors.trainings(volunteer),
            "training_totals": selectors.training_totals(volunteer),
            "training_form": TrainingForm(),
            "exceptions": selectors.upcoming_exceptions(volunteer),
            "exception_form": ExceptionForm(),
            "no_shows": no_shows,
            "no_show_form": NoShowForm(),
            "points_form": PointsForm(),
            **forms,
        },
    )


@login_required
@require_POST
def hours_record(request: AuthedRequest, pk: int) -> HttpResponse:
    volunteer = selectors.access_volunteer_for_user(request.user, pk)
    form = HoursForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return redirect("volunteers:detail", pk=pk)
    data = form.cleaned_data
    case = None
    if data["case"]:
        case = selectors.order_for(request.user, data["case"])

    def done(_: object) -> HttpResponse:
        messages.success(request, "服务时长已登记，待审核")
        return redirect("volunteers:detail", pk=pk)

    return run_action(
        request,
        lambda: do_record_hours(
            volunteer,
            actor=request.user,
            hours=data["hours"],
            served_on=data["served_on"],
            case=case,
            activity=data["activity"],
            note=data["note"],
        ),
        done=done,
        refused=lambda: volunteer_page(request, volunteer, form=form),
    )


@login_required
def approvals(request: AuthedRequest) -> HttpResponse:
    rows = list(selectors.pending_hours_list(request.user)[:200])
    return render(request, "volunteers/approvals.html", {"rows": rows})


@login_required
@require_POST
def hours_decide(request: AuthedRequest, pk: int) -> HttpResponse:
    row = selectors.access_hours_for_user(request.user, pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        action = (
            do_approve_hours if form.cleaned_data["decision"] == "approve" else do_decline_hours
        )

        def done(_: object) -> HttpResponse:
            messages.success(request, "已审核")
            return redirect("volunteers:approvals")

        return run_action(
            request,
            lambda: action(row, actor=request.user, note=form.cleaned_data["note"]),
            done=done,
            refused=lambda: redirect("volunteers:approvals"),
        )
    return redirect("volunteers:approvals")


@login_required
def certificate(request: AuthedRequest, pk: int) -> HttpResponse:
    volunteer = selectors.access_volunteer_for_user(request.user, pk)
    if not (
        is_service_staff(request.user, volunteer) or request.user.person_id == volunteer.person_id
    ):
        raise PermissionDenied("只有社区工作人员或志愿者本人可以开具服务证明")
    start, end = PeriodForm(request.GET).period()
    audit.record(
        actor=request.user,
        verb=AuditVerb.EXPORT,
        obj=volunteer,
        changes={"certificate": [str(start), str(end)]},
    )
    response = HttpResponse(certificate_pdf(volunteer, start, end), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{volunteer.pk}.pdf"'
    return response


# --- the volunteer record: certificates, training, exceptions, no-shows, points ------------


def _posted(
    request: AuthedRequest, pk: int, form_class: Any, key: str, run: Any, done: str
) -> HttpResponse:
    """Shared shape of the record's small forms: validate, run the action, say what happened,
    back to the volunteer's page; a refusal shows the page again with the form as typed
    (`key` names the form on the page)."""
    volunteer = selectors.access_volunteer_for_user(request.user, pk)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return redirect("volunteers:detail", pk=pk)
    return run_action(
        request,
        lambda: run(volunteer, form.cleaned_data),
        done=lambda _: said(request, done, redirect("volunteers:detail", pk=pk)),
        refused=lambda: volunteer_page(request, volunteer, **{key: form}),
    )


@login_required
@require_POST
def certificate_add(request: AuthedRequest, pk: int) -> HttpResponse:
    return _posted(
        request,
        pk,
        CertificateForm,
        "certificate_form",
        lambda v, d: do_add_certificate(
            v, actor=request.user, name=d["name"], number=d["number"], issued_on=d["issued_on"]
        ),
        "证书已登记",
    )


@login_required
@require_POST
def certificate_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    volunteer = selectors.access_volunteer_for_user(request.user, pk)
    back = redirect("volunteers:detail", pk=pk)
    return run_action(
        request,
        lambda: do_remove_certificate(
            volunteer, actor=request.user, name=request.POST.get("name", "")
        ),
        done=lambda _: said(request, "证书已移除", back),
        refused=lambda: back,
    )


@login_required
@require_POST
def training_add(request: AuthedRequest, pk: int) -> HttpResponse:
    return _posted(
        request,
        pk,
        TrainingForm,
        "training_form",
        lambda v, d: do_record_training(v, actor=request.user, **d),
        "培训记录已登记",
    )


@login_required
@require_POST
def exception_add(request: AuthedRequest, pk: int) -> HttpResponse:
    return _posted(
        request,
        pk,
        ExceptionForm,
        "exception_form",
        lambda v, d: do_add_availability_exception(v, actor=request.user, **d),
        "可服务时间例外已登记",
    )


@login_required
@require_POST
def no_show_add(request: AuthedRequest, pk: int) -> HttpResponse:
    def run(volunteer: Volunteer, d: dict[str, Any]) -> None:
        case = None
        if d["case"]:
            case = selectors.order_for(request.user, d["case"])
        do_record_no_show(
            volunteer,
            actor=request.user,
            happened_on=d["happened_on"],
            case=case,
            activity=d["activity"],
            note=d["note"],
        )

    return _posted(request, pk, NoShowForm, "no_show_form", run, "爽约已登记")


@login_required
@require_POST
def points_grant(request: AuthedRequest, pk: int) -> HttpResponse:
    return _posted(
        request,
        pk,
        PointsForm,
        "points_form",
        lambda v, d: do_grant_points(v, d["amount"], actor=request.user, note=d["note"]),
        "积分已发放",
    )


@login_required
@require_POST
def points_donate(request: AuthedRequest, pk: int) -> HttpResponse:
    return _posted(
        request,
        pk,
        PointsForm,
        "points_form",
        lambda v, d: do_donate_points(v, d["amount"], actor=request.user, note=d["note"]),
        "积分已捐赠",
    )


def _catalogue_for(volunteer: Volunteer) -> list[RewardItem]:
    community = selectors.community_of(volunteer.person.place)
    return list(selectors.reward_items([community.pk] if community else []))


@login_required
def rewards(request: AuthedRequest, pk: int) -> HttpResponse:
    """The volunteer's redemption catalogue: the items of their community, with stock."""
    volunteer = selectors.access_volunteer_for_user(request.user, pk)
    if not (
        is_service_staff(request.user, volunteer) or request.user.person_id == volunteer.person_id
    ):
        raise PermissionDenied("只有社区工作人员或志愿者本人可以兑换")
    return render(
        request,
        "volunteers/rewards.html",
        {"summary": selectors.volunteer_summary(volunteer), "items": _catalogue_for(volunteer)},
    )


@login_required
@require_POST
def redeem(request: AuthedRequest, pk: int, item_pk: int) -> HttpResponse:
    volunteer = selectors.access_volunteer_for_user(request.user, pk)
    item = selectors.reward_item_for(volunteer, item_pk)
    back = redirect("volunteers:rewards", pk=pk)
    return run_action(
        request,
        lambda: do_redeem(volunteer, item, actor=request.user),
        done=lambda _: said(request, f"已兑换“{item.name}”", back),
        refused=lambda: back,
    )


# --- staff: the catalogues of their communities -------------------------------------------


@login_required
def catalogue(request: AuthedRequest) -> HttpResponse:
    if not _is_staff(request.user):
        raise PermissionDenied("只有社区、街道工作人员可以管理兑换物品")
    communities = selectors.communities_of(request.user)
    form = RewardItemForm(request.POST or None)
    form.fields["community"].choices = [(c.pk, c.name) for c in communities]  # type: ignore[attr-defined]

    def page() -> HttpResponse:
        items = list(selectors.catalogue_items(request.user)[:LIST_LIMIT])
        return render(request, "volunteers/catalogue.html", {"form": form, "items": items})

    if request.method != "POST" or not form.is_valid():
        return page()
    d = form.cleaned_data
    community = selectors.community_in_scope(request.user, d["community"])
    return run_action(
        request,
        lambda: do_add_reward_item(
            community, actor=request.user, name=d["name"], cost=d["cost"], stock=d["stock"]
        ),
        done=lambda _: said(request, "已上架", redirect("volunteers:catalogue")),
        refused=page,
    )


@login_required
@require_POST
def restock(request: AuthedRequest, item_pk: int) -> HttpResponse:
    item = selectors.access_reward_item_for_user(request.user, item_pk)
    form = RestockForm(request.POST)
    back = redirect("volunteers:catalogue")
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return back
    return run_action(
        request,
        lambda: do_restock_reward_item(item, actor=request.user, add=form.cleaned_data["add"]),
        done=lambda _: said(request, f"“{item.name}”已补充库存", back),
        refused=lambda: back,
    )
