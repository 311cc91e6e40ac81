"""The auditor's page (三员分立): the audit trail's verification and its export (CSV or Excel,
through apps.core.cells), within the auditor's scope. Nobody else may open it."""

import io
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from openpyxl import Workbook

from apps.core import audit
from apps.core.cells import SafeWriter, safe_row
from apps.core.choices import AuditVerb
from apps.core.models import AuditEvent, AuditHead
from apps.core.net import client_ip

from .permissions import Cap, require

HEADER = [
    "序号",
    "时间",
    "操作人",
    "动作",
    "对象类型",
    "对象编号",
    "对象",
    "区域路径",
    "变更内容",
    "IP",
    "前一哈希",
    "哈希",
]
MAX_DAYS = 400  # one export covers at most this many days


def events_visible_to(user: Any) -> QuerySet[AuditEvent]:
    """The events an auditor may read: those inside the scope, and those of no place (login
    failures, settings)."""
    if not user.scope_id:
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(Q(scope_path__startswith=user.scope.path) | Q(scope_path=""))


def _day(text: str, default: date) -> date:
    try:
        return date.fromisoformat(text) if text else default
    except ValueError:
        return default


def _period(request: HttpRequest) -> tuple[date, date]:
    today = timezone.localdate()
    start = _day(request.GET.get("from", ""), today - timedelta(days=30))
    end = _day(request.GET.get("to", ""), today)
    if end < start:
        start, end = end, start
    return max(start, end - timedelta(days=MAX_DAYS)), end


def _row(event: AuditEvent) -> list[Any]:
    return [
        event.seq,
        timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S"),
        event.actor_label,
        event.get_verb_display(),
        event.object_type,
        event.object_id,
        event.object_repr,
        event.scope_path,
        str(event.changes),
        event.ip or "",
        event.prev_hash,
        event.hash or "",
    ]


@login_required
def audit_home(request: HttpRequest) -> HttpResponse:
    require(request.user, Cap.AUDIT_READ)
    problems = list(audit.verify_chain())
    head = AuditHead.objects.filter(pk=1).first()
    start, end = _period(request)
    return render(
        request,
        "accounts/audit.html",
        {"problems": problems, "head": head, "start": start, "end": end},
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
def audit_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    require(request.user, Cap.AUDIT_EXPORT)
    start, end = _period(request)
    tz = timezone.get_current_timezone()
    since = datetime.combine(start, time.min, tzinfo=tz)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
    events = events_visible_to(request.user).filter(at__gte=since, at__lt=until).order_by("id")
    problems = len(list(audit.verify_chain()))
    audit.record(
        actor=request.user,
        verb=AuditVerb.EXPORT,
        object_type="core.auditevent",
        object_repr=f"审计记录 {start}–{end}",
        changes={"from": str(start), "to": str(end), "chain_problems": problems},
        ip=client_ip(request),
    )
    verdict = "审计链校验：完整" if not problems else f"审计链校验：发现 {problems} 处问题"
    name = f"audit-{start}-{end}"
    if request.GET.get("format") == "xlsx":
        book = Workbook(write_only=True)
        sheet = book.create_sheet("审计记录")
        sheet.append(HEADER)
        for event in events.iterator(chunk_size=2000):
            sheet.append(safe_row(_row(event)))
        book.create_sheet("校验").append(safe_row([verdict]))
        out = io.BytesIO()
        book.save(out)
        response = HttpResponse(
            out.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    writer = SafeWriter(_Echo())

    def lines() -> Any:
        yield "\ufeff" + writer.writerow([verdict])
        yield writer.writerow(HEADER)
        for event in events.iterator(chunk_size=2000):
            yield writer.writerow(_row(event))

    stream = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    stream["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return stream
