"""Pages: the archive of briefings (list, 生成简报) and the downloads (audited)."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from apps.accounts.permissions import Cap, has_role_for
from apps.accounts.requests import AuthedRequest
from apps.core.refusals import run_action
from apps.stats.selectors import access_place_for_user

from .actions import do_record_download, do_request_report
from .choices import ReportKind, ReportStatus
from .forms import RequestForm
from .models import Report
from .selectors import area_choices, get_report, reports_for

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _can_request(user: Any) -> bool:
    return has_role_for(user, Cap.REPORTS_REQUEST)


@login_required
def archive(request: AuthedRequest) -> HttpResponse:
    qs = reports_for(request.user)
    kind = request.GET.get("kind", "")
    if kind in ReportKind.values:
        qs = qs.filter(kind=kind)
    place_id = request.GET.get("place", "")
    if place_id:
        qs = qs.filter(place=access_place_for_user(request.user, place_id))
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    last = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    busy = any(r.status in (ReportStatus.PENDING, ReportStatus.RUNNING) for r in page)
    context = {
        "page": page,
        "kinds": ReportKind.choices,
        "kind": kind,
        "place_id": place_id,
        "areas": area_choices(request.user) if _can_request(request.user) else [],
        "can_request": _can_request(request.user),
        "default_period": last,
        "busy": busy,
        "ReportStatus": ReportStatus,  # reports stands above portal's shared choices
    }
    template = "reports/_rows.html" if request.headers.get("HX-Request") else "reports/archive.html"
    return render(request, template, context)


@login_required
@require_POST
def request_report(request: AuthedRequest) -> HttpResponse:
    form = RequestForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("reports:archive")
    place = access_place_for_user(request.user, form.cleaned_data["place"])

    def done(report: Any) -> HttpResponse:
        messages.success(request, f"已开始生成：{report}")
        return redirect("reports:archive")

    # The form sits on the archive page, whose three choices keep their defaults on return.
    return run_action(
        request,
        lambda: do_request_report(
            place, form.cleaned_data["kind"], form.cleaned_data["period"], actor=request.user
        ),
        done=done,
        refused=lambda: redirect("reports:archive"),
    )


@login_required
def download(request: AuthedRequest, pk: int, fmt: str) -> FileResponse:
    report: Report = get_report(request.user, pk)
    field = {"pdf": report.pdf, "xlsx": report.xlsx}.get(fmt)
    if field is None or not field or report.status != ReportStatus.DONE:
        raise Http404("简报尚未生成")
    do_record_download(report, fmt, actor=request.user)
    filename = f"{report.place.name}{report.title}.{fmt}"
    return FileResponse(
        field.open("rb"), as_attachment=True, filename=filename, content_type=CONTENT_TYPES[fmt]
    )


@login_required
def view(request: AuthedRequest, pk: int) -> HttpResponse:
    """The briefing on a page (a phone at month's end): the body kept when it was generated."""
    report: Report = get_report(request.user, pk)
    if report.status != ReportStatus.DONE or not report.html:
        raise Http404("简报尚未生成")
    with report.html.open("rb") as f:
        body = f.read().decode()
    do_record_download(report, "html", actor=request.user)
    # The body is our own template's output (autoescaped), stored by the generation job.
    return render(request, "reports/view.html", {"report": report, "body": mark_safe(body)})
