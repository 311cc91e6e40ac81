"""双报到双报告 pages: registrations of units and in-service party members with a community
(list, register, approve), what they picked and served, and the monthly report to their
units (page and Excel)."""

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.accounts.requests import AuthedRequest
from apps.core import audit
from apps.core.choices import AuditVerb
from apps.core.refusals import form_error_text, run_action, said

from . import selectors
from .actions import (
    do_complete_dual_service,
    do_decide_dual,
    do_pick_need,
    do_register_dual,
    is_community_staff,
)
from .exports import dual_report_workbook
from .forms import CompleteForm, DualRegistrationForm, MonthForm, PickForm
from .models import DualRegistration

LIST_LIMIT = 200


@login_required
def registration_list(request: AuthedRequest) -> HttpResponse:
    form = DualRegistrationForm(request.POST or None, initial={})
    form.fields["community"].choices = selectors.community_choices(request.user)  # type: ignore[attr-defined]

    def page() -> HttpResponse:
        rows = list(
            selectors.registrations_visible_to(request.user).order_by("status", "-registered_on")[
                :LIST_LIMIT
            ]
        )
        return render(request, "dual/list.html", {"rows": rows, "form": form})

    if request.method != "POST":
        return page()
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return page()
    return run_action(
        request,
        lambda: _register(request, form.cleaned_data),
        done=lambda _: said(request, "已报到", redirect("dual:list")),
        refused=page,
    )


def _register(request: AuthedRequest, d: dict[str, Any]) -> DualRegistration:
    community = selectors.community_in_scope(request.user, d["community"])
    organisation = selectors.organisation_by_pk(d["organisation"])
    member = selectors.party_member_by_pk(d["party_member"]) if d["party_member"] else None
    contact = selectors.account_by_username(d["contact"]) if d["contact"] else None
    if organisation is None:
        raise ValidationError("报到单位不存在")
    if d["party_member"] and member is None:
        raise ValidationError("该党员不存在")
    if d["contact"] and contact is None:
        raise ValidationError("联系人账号不存在")
    return do_register_dual(
        actor=request.user,
        organisation=organisation,
        community=community,
        party_member=member,
        contact=contact,
        registered_on=d["registered_on"],
        note=d["note"],
    )


@login_required
def registration_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _detail_page(request, selectors.access_registration_for_user(request.user, pk))


def _detail_page(
    request: HttpRequest, registration: DualRegistration, **forms: Any
) -> HttpResponse:
    """The registration's page; `forms` are bound forms a refused change shows again."""
    services = selectors.services_of(registration, LIST_LIMIT)
    return render(
        request,
        "dual/detail.html",
        {
            "registration": registration,
            "services": services,
            "needs": list(selectors.open_needs(registration.community)[:50]),
            "is_staff": is_community_staff(request.user, registration.community),
            "pick_form": PickForm(),
            "complete_form": CompleteForm(),
            **forms,
        },
    )


@login_required
@require_POST
def registration_decide(request: AuthedRequest, pk: int) -> HttpResponse:
    registration = selectors.access_registration_for_user(request.user, pk)
    back = redirect("dual:detail", pk=pk)
    return run_action(
        request,
        lambda: do_decide_dual(
            registration,
            actor=request.user,
            approve=request.POST.get("decision") == "approve",
            note=request.POST.get("note", ""),
        ),
        done=lambda _: said(request, "已审核", back),
        refused=lambda: back,
    )


@login_required
@require_POST
def pick(request: AuthedRequest, pk: int) -> HttpResponse:
    registration = selectors.access_registration_for_user(request.user, pk)
    form = PickForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return redirect("dual:detail", pk=pk)
    d = form.cleaned_data
    case = None
    if d["case"]:
        case = selectors.order_for(request.user, d["case"])
    back = redirect("dual:detail", pk=pk)
    return run_action(
        request,
        lambda: do_pick_need(
            registration,
            actor=request.user,
            case=case,
            activity_id=d["activity_id"],
            title=d["title"],
        ),
        done=lambda _: said(request, "已认领", back),
        refused=lambda: _detail_page(request, registration, pick_form=form),
    )


@login_required
@require_POST
def complete(request: AuthedRequest, pk: int) -> HttpResponse:
    service = selectors.access_service_for_user(request.user, pk)
    form = CompleteForm(request.POST)
    back = redirect("dual:detail", pk=service.registration_id)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return back
    return run_action(
        request,
        lambda: do_complete_dual_service(service, actor=request.user, **form.cleaned_data),
        done=lambda _: said(request, "已确认完成", back),
        refused=lambda: back,
    )


@login_required
def reports(request: AuthedRequest) -> HttpResponse:
    """双报告 of one month for the units registered in the user's scope (page and Excel)."""
    month = MonthForm(request.GET).first_day()
    rows = selectors.report_rows(request.user, month)
    label = f"{month:%Y-%m}"
    if request.GET.get("format") == "xlsx":
        if not request.user.can_export:
            raise PermissionDenied("您的角色不能导出")
        audit.record(
            actor=request.user,
            verb=AuditVerb.EXPORT,
            object_type="services.dualreport",
            object_repr=f"双报告 {label}",
            scope_path=request.user.audit_scope_path,
            changes={"month": label, "rows": len(rows)},
        )
        response = HttpResponse(
            dual_report_workbook(rows, label),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="dual-report-{label}.xlsx"'
        return response
    totals = {
        "members": sum(r.members for r in rows),
        "services": sum(r.services for r in rows),
        "hours": sum((r.hours for r in rows), Decimal("0")),
    }
    return render(
        request,
        "dual/reports.html",
        {"rows": rows, "month": label, "totals": totals},
    )
