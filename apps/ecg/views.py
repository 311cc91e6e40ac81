"""ECG pages: exam list and upload, reading queue, exam page with viewer and report, critical
values register with acknowledgement and referral, statistics, PDF."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from apps.accounts.permissions import Cap, can, require
from apps.accounts.requests import AuthedRequest
from apps.core.refusals import run_action

from . import selectors, storage
from .actions import (
    do_check_report,
    do_claim_exam,
    do_save_report,
    do_submit_report,
    do_unclaim_exam,
    do_upload_exam,
)
from .choices import ExamStatus, ReferralStep
from .critical import do_acknowledge_notice, do_record_referral_step
from .forms import AcknowledgeForm, CheckForm, ExamUploadForm, ReferralStepForm, ReportForm
from .models import CriticalNotice, Exam
from .terms import FLAG_TERMS

PAGE_SIZE = 30


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    if can(request.user, Cap.ECG_READ):
        return redirect("ecg:queue")
    return redirect("ecg:list")


@login_required
def exam_list(request: AuthedRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in ExamStatus.values else ""
    page = Paginator(selectors.exam_list(request.user, status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "ecg/list.html",
        {
            "page": page,
            "status": status,
            "statuses": ExamStatus.choices,
            "can_upload": can(request.user, Cap.ECG_UPLOAD),
            "notices": selectors.my_open_notices(request.user),
        },
    )


@login_required
def exam_upload(request: AuthedRequest) -> HttpResponse:
    require(request.user, Cap.ECG_UPLOAD)
    form = ExamUploadForm(request.POST or None, request.FILES or None, user=request.user)

    def page() -> HttpResponse:
        return render(request, "ecg/upload.html", {"form": form})

    if request.method != "POST" or not form.is_valid():
        return page()
    uploaded = {f.name: f.read() for f in form.cleaned_data["signal_files"]}

    def done(exam: Exam) -> HttpResponse:
        if exam.read_error:
            messages.error(request, f"文件无法读取：{exam.read_error}（原文件已保存备查）")
        else:
            messages.success(request, f"已上传 {exam.number}，自动筛查中")
        return redirect("ecg:detail", pk=exam.pk)

    return run_action(
        request,
        lambda: do_upload_exam(actor=request.user, **form.action_kwargs(uploaded)),
        done=done,
        refused=page,
        form=form,
    )


@login_required
def reading_queue(request: AuthedRequest) -> HttpResponse:
    if not can(request.user, Cap.ECG_READ):
        raise PermissionDenied("只有心电诊断医师可以查看阅片队列")
    exams = list(selectors.reading_queue(request.user)[:200])
    return render(request, "ecg/queue.html", {"exams": exams})


def _report_initial(exam: Exam) -> dict[str, Any]:
    report = getattr(exam, "report", None)
    if report is not None:
        initial: dict[str, Any] = {
            name: getattr(report, name)
            for name in (
                "heart_rate",
                "pr_ms",
                "qrs_ms",
                "qt_ms",
                "qtc_ms",
                "axis_deg",
                "free_text",
                "conclusion",
            )
        }
        initial["terms"] = [t.code for t in report.terms.all()]
        return initial
    m = exam.screening.get("measurements", {})
    codes = {FLAG_TERMS[f["code"]] for f in exam.flags() if f["code"] in FLAG_TERMS}
    return {
        "heart_rate": m.get("heart_rate"),
        "pr_ms": m.get("pr_ms"),
        "qrs_ms": m.get("qrs_ms"),
        "qt_ms": m.get("qt_ms"),
        "qtc_ms": m.get("qtc_ms"),
        "axis_deg": m.get("axis_deg"),
        "terms": sorted(codes),
    }


@login_required
def exam_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _detail_page(request, selectors.access_exam_for_user(request.user, pk))


def _detail_page(request: HttpRequest, exam: Exam, **forms: Any) -> HttpResponse:
    """The exam's page; `forms` are bound forms a refused change shows again."""
    report = getattr(exam, "report", None)
    reader = can(request.user, Cap.ECG_READ)
    mine = exam.status == ExamStatus.CLAIMED and exam.claimed_by_id == request.user.pk
    return render(
        request,
        "ecg/detail.html",
        {
            "exam": exam,
            "report": report,
            "reader": reader,
            "mine": mine,
            "report_form": ReportForm(initial=_report_initial(exam)) if mine else None,
            "check_form": CheckForm()
            if reader
            and exam.status == ExamStatus.CHECKING
            and report is not None
            and report.author_id != request.user.pk
            else None,
            "measurements": exam.screening.get("measurements", {}),
            "quality": exam.screening.get("quality", []),
            "flags": exam.flags(),
            "critical": getattr(exam, "critical", None),
            "show_report": report is not None and (reader or exam.status == ExamStatus.RELEASED),
            **forms,
        },
    )


@login_required
def exam_signal(request: AuthedRequest, pk: int) -> JsonResponse:
    """The normalised signal for the viewer (integer µV), with beats and flags."""
    exam = selectors.access_exam_for_user(request.user, pk)
    if not exam.signal_file:
        return JsonResponse({"error": exam.read_error or "没有信号"}, status=404)
    sig = storage.load_signal(exam.signal_file)
    try:
        start = max(0.0, float(request.GET.get("start", 0)))
        seconds = min(60.0, max(1.0, float(request.GET.get("seconds", 10))))
    except ValueError:
        start, seconds = 0.0, 10.0
    payload = storage.viewer_payload(sig, start, seconds)
    a, b = int(payload["start_s"] * sig.fs), int((payload["start_s"] + seconds) * sig.fs)
    payload["beats"] = [x - a for x in exam.screening.get("beats", []) if a <= x < b]
    payload["flags"] = exam.flags()
    return JsonResponse(payload)


def _post_action(
    request: HttpRequest, pk: int, run: Any, ok: str, **forms: Form | None
) -> HttpResponse:
    """Run an action on the exam; a refusal shows the exam's page again with `forms` as typed
    (a button with no form goes back to it)."""
    exam = selectors.access_exam_for_user(request.user, pk)

    def done(_: object) -> HttpResponse:
        messages.success(request, ok)
        return redirect("ecg:detail", pk=exam.pk)

    def refused() -> HttpResponse:
        if not forms:
            return redirect("ecg:detail", pk=exam.pk)
        return _detail_page(request, exam, **forms)

    return run_action(request, lambda: run(exam), done=done, refused=refused)


@login_required
@require_POST
def exam_claim(request: AuthedRequest, pk: int) -> HttpResponse:
    return _post_action(request, pk, lambda e: do_claim_exam(e, actor=request.user), "已认领")


@login_required
@require_POST
def exam_unclaim(request: AuthedRequest, pk: int) -> HttpResponse:
    return _post_action(
        request, pk, lambda e: do_unclaim_exam(e, actor=request.user), "已放弃认领，检查回到队列"
    )


@login_required
@require_POST
def exam_report(request: AuthedRequest, pk: int) -> HttpResponse:
    exam = selectors.access_exam_for_user(request.user, pk)
    form = ReportForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            "报告内容有误："
            + "；".join(
                f"{form.fields[f].label if f in form.fields else ''}{' '.join(map(str, e))}"
                for f, e in form.errors.items()
            ),
        )
        return redirect("ecg:detail", pk=exam.pk)
    submit = request.POST.get("submit") == "1"

    def run(e: Exam) -> None:
        do_save_report(e, actor=request.user, **form.action_kwargs())
        if submit:
            do_submit_report(e, actor=request.user)

    ok = "报告已提交" if submit else "报告已保存"
    return _post_action(request, pk, run, ok, report_form=form)


@login_required
@require_POST
def exam_check(request: AuthedRequest, pk: int) -> HttpResponse:
    form = CheckForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择审核意见")
        return redirect("ecg:detail", pk=pk)
    return _post_action(
        request,
        pk,
        lambda e: do_check_report(
            e,
            actor=request.user,
            approve=form.cleaned_data["approve"],
            note=form.cleaned_data["note"],
        ),
        "审核完成",
        check_form=form,
    )


@login_required
def exam_pdf(request: AuthedRequest, pk: int) -> FileResponse:
    from .pdf import report_pdf

    exam = selectors.access_exam_for_user(request.user, pk)
    report = getattr(exam, "report", None)
    if report is None or exam.status != ExamStatus.RELEASED:
        raise PermissionDenied("报告尚未发布")
    response = FileResponse(iter([report_pdf(exam)]), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{exam.number}.pdf"'
    return response


@login_required
def critical_list(request: AuthedRequest) -> HttpResponse:
    page = Paginator(selectors.critical_register(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "ecg/critical_list.html", {"page": page})


@login_required
def critical_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _critical_page(request, selectors.access_critical_for_user(request.user, pk))


def _critical_page(request: HttpRequest, critical: Any, **forms: Any) -> HttpResponse:
    """A critical value's page; `forms` are bound forms a refused change shows again."""
    notices = list(critical.notices.select_related("recipient"))
    my_notice = next(
        (n for n in notices if n.recipient_id == request.user.pk and n.acked_at is None), None
    )
    return render(
        request,
        "ecg/critical_detail.html",
        {
            "critical": critical,
            "exam": critical.exam,
            "notices": notices,
            "my_notice": my_notice,
            "ack_form": AcknowledgeForm() if my_notice else None,
            "referral": getattr(critical, "referral", None),
            "referral_form": ReferralStepForm(),
            "steps": ReferralStep.choices,
            **forms,
        },
    )


@login_required
@require_POST
def notice_acknowledge(request: AuthedRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(CriticalNotice, pk=pk, recipient_id=request.user.pk)
    form = AcknowledgeForm(request.POST)

    def acknowledge() -> None:
        if not form.is_valid():
            raise ValidationError("请复述危急值内容")
        do_acknowledge_notice(notice, actor=request.user, read_back=form.cleaned_data["read_back"])

    return run_action(
        request,
        acknowledge,
        done=lambda _: _said(request, "已确认接收危急值", notice.critical_id),
        refused=lambda: _critical_page(
            request,
            selectors.access_critical_for_user(request.user, notice.critical_id),
            ack_form=form,
        ),
    )


def _said(request: HttpRequest, text: str, critical_pk: int) -> HttpResponse:
    messages.success(request, text)
    return redirect("ecg:critical_detail", pk=critical_pk)


@login_required
@require_POST
def referral_step(request: AuthedRequest, pk: int) -> HttpResponse:
    critical = selectors.access_critical_for_user(request.user, pk)
    form = ReferralStepForm(request.POST)

    def record() -> None:
        if not form.is_valid():
            raise ValidationError("；".join(" ".join(map(str, e)) for e in form.errors.values()))
        do_record_referral_step(critical, actor=request.user, **form.action_kwargs())

    return run_action(
        request,
        record,
        done=lambda _: _said(request, "已记录", critical.pk),
        refused=lambda: _critical_page(request, critical, referral_form=form),
    )


@login_required
def statistics(request: AuthedRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "ecg/stats.html",
        {
            "per_year": selectors.exams_per_year(user),
            "per_clinic_month": selectors.exams_per_clinic_month(user),
            "turnaround": selectors.turnaround(user),
            "alerts": selectors.alert_times(user),
            "critical_per_year": selectors.critical_per_year(user),
        },
    )
