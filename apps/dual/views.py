"""双报到双报告 pages: registrations of units and in-service party members with a community
(list, register, approve), what they picked and served, and the monthly report to their
units (page and Excel)."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.accounts.scoping import get_in_scope, scope_q
from apps.cases.models import Case
from apps.core import audit
from apps.core.choices import AuditVerb
from apps.core.refusals import form_error_text, run_action
from apps.orgs.models import Organisation
from apps.people.models import PartyMember
from apps.places.choices import PlaceKind
from apps.places.models import Place

from .actions_dual import (
    do_complete_dual_service,
    do_decide_dual,
    do_pick_need,
    do_register_dual,
    is_community_staff,
    open_needs,
    report_lines,
)
from .exports import dual_report_workbook
from .forms import CompleteForm, DualRegistrationForm, MonthForm, PickForm
from .models import DualRegistration, DualReport, DualService

LIST_LIMIT = 200


def registrations_visible_to(user: Any) -> Any:
    qs = DualRegistration.objects.select_related(
        "organisation", "community", "party_member__person", "contact"
    )
    return qs.visible_to(user)


def _communities(user: Any) -> list[tuple[int, str]]:
    rows = Place.objects.visible_to(user).filter(kind=PlaceKind.COMMUNITY).order_by("path")
    return [(p.pk, p.name) for p in rows[:500]]


@login_required
def dual_list(request: HttpRequest) -> HttpResponse:
    form = DualRegistrationForm(request.POST or None, initial={})
    form.fields["community"].choices = _communities(request.user)  # type: ignore[attr-defined]

    def page() -> HttpResponse:
        rows = list(
            registrations_visible_to(request.user).order_by("status", "-registered_on")[:LIST_LIMIT]
        )
        return render(request, "services/dual_list.html", {"rows": rows, "form": form})

    if request.method != "POST":
        return page()
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return page()
    return run_action(
        request,
        lambda: _register(request, form.cleaned_data),
        done=lambda _: _said(request, "已报到", redirect("services:dual_list")),
        refused=page,
    )


def _said(request: HttpRequest, text: str, response: HttpResponse) -> HttpResponse:
    """`response`, with `text` shown on the page it leads to."""
    messages.success(request, text)
    return response


def _register(request: HttpRequest, d: dict[str, Any]) -> DualRegistration:
    community = get_in_scope(
        Place.objects.visible_to(request.user).filter(kind=PlaceKind.COMMUNITY), pk=d["community"]
    )
    organisation = Organisation.objects.filter(pk=d["organisation"]).first()
    member = None
    if d["party_member"]:
        member = PartyMember.objects.select_related("person").filter(pk=d["party_member"]).first()
    contact = None
    if d["contact"]:
        contact = get_user_model().objects.filter(username=d["contact"].strip()).first()
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
def dual_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, get_in_scope(registrations_visible_to(request.user), pk=pk))


def _detail_page(request: HttpRequest, registration: Any, **forms: Any) -> HttpResponse:
    """The registration's page; `forms` are bound forms a refused change shows again."""
    services = list(registration.services.select_related("case").order_by("-id")[:LIST_LIMIT])
    return render(
        request,
        "services/dual_detail.html",
        {
            "registration": registration,
            "services": services,
            "needs": list(open_needs(registration.community)[:50]),
            "is_staff": is_community_staff(request.user, registration.community),
            "pick_form": PickForm(),
            "complete_form": CompleteForm(),
            **forms,
        },
    )


@login_required
@require_POST
def dual_decide(request: HttpRequest, pk: int) -> HttpResponse:
    registration = get_in_scope(registrations_visible_to(request.user), pk=pk)
    back = redirect("services:dual_detail", pk=pk)
    return run_action(
        request,
        lambda: do_decide_dual(
            registration,
            actor=request.user,
            approve=request.POST.get("decision") == "approve",
            note=request.POST.get("note", ""),
        ),
        done=lambda _: _said(request, "已审核", back),
        refused=lambda: back,
    )


@login_required
@require_POST
def dual_pick(request: HttpRequest, pk: int) -> HttpResponse:
    registration = get_in_scope(registrations_visible_to(request.user), pk=pk)
    form = PickForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return redirect("services:dual_detail", pk=pk)
    d = form.cleaned_data
    case = None
    if d["case"]:
        case = get_in_scope(Case.objects.visible_to(request.user), pk=d["case"])
    back = redirect("services:dual_detail", pk=pk)
    return run_action(
        request,
        lambda: do_pick_need(
            registration,
            actor=request.user,
            case=case,
            activity_id=d["activity_id"],
            title=d["title"],
        ),
        done=lambda _: _said(request, "已认领", back),
        refused=lambda: _detail_page(request, registration, pick_form=form),
    )


@login_required
@require_POST
def dual_complete(request: HttpRequest, pk: int) -> HttpResponse:
    service = get_in_scope(
        DualService.objects.visible_to(request.user).select_related("registration"),
        pk=pk,
    )
    form = CompleteForm(request.POST)
    back = redirect("services:dual_detail", pk=service.registration_id)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return back
    return run_action(
        request,
        lambda: do_complete_dual_service(service, actor=request.user, **form.cleaned_data),
        done=lambda _: _said(request, "已确认完成", back),
        refused=lambda: back,
    )


@dataclass
class ReportRow:
    organisation: Organisation
    community: Place
    members: int
    services: int
    hours: Decimal
    notified: bool


@login_required
def dual_reports(request: HttpRequest) -> HttpResponse:
    """双报告 of one month for the units registered in the user's scope: computed from the
    services done that month (the same count the month-end job writes), with whether the
    unit's contact was notified."""
    month = MonthForm(request.GET).first_day()
    lines = report_lines(month, scope_q(request.user, "registration__community"))
    orgs = Organisation.objects.in_bulk({line.organisation_id for line in lines})
    places = Place.objects.in_bulk({line.community_id for line in lines})
    notified = set(
        DualReport.objects.filter(month=month, notified_at__isnull=False).values_list(
            "organisation_id", "community_id"
        )
    )
    rows = [
        ReportRow(
            orgs[line.organisation_id],
            places[line.community_id],
            line.members,
            line.services,
            line.hours,
            (line.organisation_id, line.community_id) in notified,
        )
        for line in lines
    ]
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
        "services/dual_reports.html",
        {"rows": rows, "month": label, "totals": totals},
    )
