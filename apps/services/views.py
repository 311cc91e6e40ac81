"""Volunteer services pages: a volunteer's hours, star and points; hours approvals for staff;
the service certificate PDF; batch dispatch of an area's service orders."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.accounts.scoping import get_in_scope, scoped
from apps.cases.choices import DISPATCH_ROLES
from apps.cases.models import Case
from apps.core import audit
from apps.core.choices import AuditVerb
from apps.core.refusals import form_error_text, refusal_text
from apps.places.models import Place

from . import selectors
from .actions import do_approve_hours, do_decline_hours, do_record_hours, is_service_staff
from .batch import BatchDispatchFailed, do_confirm_batch_dispatch, propose
from .choices import COMMON_CERTIFICATES
from .forms import (
    BatchForm,
    CertificateForm,
    ConfirmForm,
    DecisionForm,
    ExceptionForm,
    HoursForm,
    NoShowForm,
    PeriodForm,
    PointsForm,
    TrainingForm,
)
from .pdf import certificate_pdf


@login_required
def volunteer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = selectors.access_volunteer_for_user(request.user, pk)
    is_self = request.user.person_id == volunteer.person_id
    no_shows = selectors.no_shows(volunteer)
    return render(
        request,
        "services/volunteer.html",
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
        },
    )


@login_required
@require_POST
def hours_record(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = selectors.access_volunteer_for_user(request.user, pk)
    form = HoursForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        case = None
        if data["case"]:
            case = get_in_scope(scoped(Case.objects.all(), request.user, "place"), pk=data["case"])
        try:
            do_record_hours(
                volunteer,
                actor=request.user,
                hours=data["hours"],
                served_on=data["served_on"],
                case=case,
                activity=data["activity"],
                note=data["note"],
            )
            messages.success(request, "服务时长已登记，待审核")
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, refusal_text(exc))
    else:
        messages.error(request, form_error_text(form))
    return redirect("services:volunteer", pk=pk)


@login_required
def approvals(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.pending_hours_list(request.user)[:200])
    return render(request, "services/approvals.html", {"rows": rows})


@login_required
@require_POST
def hours_decide(request: HttpRequest, pk: int) -> HttpResponse:
    row = selectors.access_hours_for_user(request.user, pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        action = (
            do_approve_hours if form.cleaned_data["decision"] == "approve" else do_decline_hours
        )
        try:
            action(row, actor=request.user, note=form.cleaned_data["note"])
            messages.success(request, "已审核")
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, refusal_text(exc))
    return redirect("services:approvals")


@login_required
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
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


def _area(request: HttpRequest) -> Place:
    user: Any = request.user
    if user.role not in DISPATCH_ROLES and not user.is_superuser:
        raise PermissionDenied("只有派单人员可以一键派单")
    places = scoped(Place.objects.all(), request.user, "")
    area_id = request.GET.get("area") or request.POST.get("area") or request.user.scope_id
    return get_in_scope(places, pk=area_id)


@login_required
def batch_dispatch(request: HttpRequest) -> HttpResponse:
    area = _area(request)
    form = BatchForm(request.GET if "radius_km" in request.GET else None)
    proposal = None
    if form.is_valid():
        proposal = propose(area, k=form.cleaned_data["k"], radius_km=form.cleaned_data["radius_km"])
    pairs = ",".join(f"{p.case.pk}:{p.user.pk}" for p in proposal.pairs) if proposal else ""
    return render(
        request,
        "services/batch.html",
        {"area": area, "form": form, "proposal": proposal, "pairs": pairs},
    )


@login_required
@require_POST
def batch_confirm(request: HttpRequest) -> HttpResponse:
    area = _area(request)
    form = ConfirmForm(request.POST)
    back = f"{reverse('services:batch')}?area={area.pk}"
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return redirect(back)
    try:
        result = do_confirm_batch_dispatch(area, form.cleaned_data["pairs"], actor=request.user)
    except BatchDispatchFailed as exc:
        messages.error(request, str(exc))
        return redirect(back)
    messages.success(request, f"已派出 {len(result.dispatched)} 件工单")
    return redirect(back)
