"""Volunteer services pages: a volunteer's hours, star and points; hours approvals for staff;
the service certificate PDF; batch dispatch of an area's service orders."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.accounts.permissions import Cap, require
from apps.accounts.scoping import get_in_scope
from apps.cases.models import Case
from apps.core import audit
from apps.core.choices import AuditVerb
from apps.core.refusals import form_error_text, run_action
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
    return volunteer_page(request, selectors.access_volunteer_for_user(request.user, pk))


def volunteer_page(request: HttpRequest, volunteer: Any, **forms: Any) -> HttpResponse:
    """The volunteer's page; `forms` are bound forms a refused change shows again (its
    views live here and in views_volunteers)."""
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
            **forms,
        },
    )


@login_required
@require_POST
def hours_record(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = selectors.access_volunteer_for_user(request.user, pk)
    form = HoursForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return redirect("services:volunteer", pk=pk)
    data = form.cleaned_data
    case = None
    if data["case"]:
        case = get_in_scope(Case.objects.visible_to(request.user), pk=data["case"])

    def done(_: object) -> HttpResponse:
        messages.success(request, "服务时长已登记，待审核")
        return redirect("services:volunteer", pk=pk)

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

        def done(_: object) -> HttpResponse:
            messages.success(request, "已审核")
            return redirect("services:approvals")

        return run_action(
            request,
            lambda: action(row, actor=request.user, note=form.cleaned_data["note"]),
            done=done,
            refused=lambda: redirect("services:approvals"),
        )
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
    require(user, Cap.CASES_DISPATCH)
    places = Place.objects.visible_to(request.user)
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
