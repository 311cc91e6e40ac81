"""Ledger pages: the index (templates, exports, recent jobs), upload, a job's progress and
errors (refreshed by htmx while it runs), commit after a clean preview, error report."""

import tempfile
from collections.abc import Callable
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.requests import AuthedRequest

from .actions import (
    check_can_export,
    check_can_import,
    do_create_import_job,
    do_export_ledger,
    do_request_commit,
    do_retry_import_job,
)
from .exports import XLSX_TYPE, write_error_report, write_template
from .forms import ImportJobForm
from .models import ImportJob
from .readers import LedgerFileError
from .registry import all_kinds, kinds_for
from .selectors import access_import_job_for_user, import_job_list, live_job
from .specs import spec_for
from .streaming import csv_export_stream
from .tasks import enqueue_import_job


def _kind(kind: str) -> str:
    if kind not in dict(all_kinds()):
        raise Http404("没有这种台账")
    return kind


def _temp_xlsx() -> Path:
    with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as handle:
        return Path(handle.name)


def _send_file(path: Path, filename: str) -> FileResponse:
    response = FileResponse(
        open(path, "rb"),  # noqa: SIM115 — FileResponse closes it
        as_attachment=True,
        filename=filename,
        content_type=XLSX_TYPE,
    )
    path.unlink()  # the open handle keeps the data readable until the response is sent
    return response


@login_required
@require_GET
def ledger_index(request: AuthedRequest) -> HttpResponse:
    jobs = import_job_list(request.user)[:20]
    importable = dict(kinds_for(request.user))
    exportable = dict(kinds_for(request.user, export=True))
    cards = [(spec_for(kind), kind in importable, kind in exportable) for kind, _ in all_kinds()]
    return render(
        request,
        "ledgers/index.html",
        {"cards": cards, "jobs": jobs, "can_upload": bool(importable), "titles": dict(all_kinds())},
    )


@login_required
@require_GET
def ledger_template(request: AuthedRequest, kind: str) -> FileResponse:
    spec = spec_for(_kind(kind))
    path = _temp_xlsx()
    write_template(path, spec)
    return _send_file(path, f"{spec.title}模板.xlsx")


@login_required
@require_GET
def ledger_export(request: AuthedRequest, kind: str, file_format: str) -> HttpResponseBase:
    spec = spec_for(_kind(kind))
    check_can_export(request.user, kind)
    if file_format == "csv":
        response = StreamingHttpResponse(
            csv_export_stream(kind, request.user), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{spec.kind}.csv"
        return response
    path = _temp_xlsx()
    do_export_ledger(kind, path, actor=request.user)
    return _send_file(path, f"{spec.title}.xlsx")


@login_required
def import_job_create(request: AuthedRequest) -> HttpResponse:
    check_can_import(request.user)
    form = ImportJobForm(
        request.POST or None,
        request.FILES or None,
        initial={"kind": request.GET.get("kind")},
        kinds=kinds_for(request.user),
    )
    if request.method == "POST" and form.is_valid():
        job = do_create_import_job(
            actor=request.user,
            kind=form.cleaned_data["kind"],
            upload=form.cleaned_data["file"],
            dry_run=form.cleaned_data["dry_run"],
        )
        enqueue_import_job(job.pk)
        return redirect("ledgers:job", job_id=job.pk)
    return render(request, "ledgers/upload.html", {"form": form})


@login_required
@require_GET
def import_job_detail(request: AuthedRequest, job_id: int) -> HttpResponse:
    job = live_job(access_import_job_for_user(request.user, job_id))
    template = (
        "ledgers/_job_status.html" if request.headers.get("HX-Request") else ("ledgers/job.html")
    )
    return render(request, template, _job_context(request, job))


def _job_context(request: AuthedRequest, job: ImportJob, **extra: object) -> dict[str, object]:
    """A job's page: the job, its columns, and whether this account may import its kind."""
    can_import = job.kind in dict(kinds_for(request.user))
    return {"job": job, "spec": spec_for(job.kind), "can_import": can_import, **extra}


@login_required
@require_POST
def import_job_commit(request: AuthedRequest, job_id: int) -> HttpResponse:
    return _run_job(request, job_id, do_request_commit)


@login_required
@require_POST
def import_job_retry(request: AuthedRequest, job_id: int) -> HttpResponse:
    """Run a failed job again (its worker died, or the database was unavailable)."""
    return _run_job(request, job_id, do_retry_import_job)


def _run_job(request: AuthedRequest, job_id: int, action: Callable[..., ImportJob]) -> HttpResponse:
    """Commit or retry: the action moves the job, the task system runs it; a refusal (the
    job's state no longer allows it) is shown on the job's page with 409."""
    job = access_import_job_for_user(request.user, job_id)
    try:
        job = action(job, actor=request.user)
    except PermissionDenied as exc:
        return render(
            request,
            "ledgers/job.html",
            _job_context(request, job, problem=str(exc)),
            status=409,
        )
    enqueue_import_job(job.pk)
    return redirect("ledgers:job", job_id=job.pk)


@login_required
@require_GET
def import_job_error_report(request: AuthedRequest, job_id: int) -> FileResponse:
    job = access_import_job_for_user(request.user, job_id)
    if not job.error_count or not job.file:
        raise Http404("该任务没有错误")
    path = _temp_xlsx()
    try:
        write_error_report(job, path)
    except LedgerFileError as exc:  # the file itself was unreadable: nothing to annotate
        path.unlink()
        raise Http404(str(exc)) from exc
    return _send_file(path, f"错误报告-{Path(job.original_name).stem}.xlsx")
