"""Writes of the ledgers app: creating an import job, running it (check, then commit all or
nothing), and recording exports. Each committed import and each export is one audit event."""

import hashlib
import logging
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.permissions import Cap, require
from apps.core import audit
from apps.core.choices import AuditVerb
from apps.places.models import Place

from .choices import PROGRESS_EVERY
from .errors import RowError
from .exports import export_to_path
from .importer import Progress, check_file, write_spool
from .kinds import ledger_for
from .kinds.base import LedgerAbort
from .kinds.ledger import ExportScope
from .models import ImportJob
from .readers import LedgerFileError, file_kind
from .registry import export_cap, import_cap, kinds_for

log = logging.getLogger(__name__)
COMMAND_LINE = "命令行"
PERSONAL_DATA_FULL = "完整身份证号、电话和出生日期"
PERSONAL_DATA_MASKED = "脱敏：身份证号仅首尾各1位，电话仅前3后4位，出生日期仅年份"
Status = ImportJob.Status


def actor_scope(actor: User) -> Place | None:
    """The place an account's imports and exports are limited to; None means everywhere."""
    if actor is None or (actor.is_superuser and actor.scope_id is None):
        return None
    return actor.scope


def check_can_import(actor: User, kind: str | None = None) -> None:
    """The built-in ledgers need LEDGERS_IMPORT, a registered kind its own capability; with no
    kind, the actor must be able to import at least one kind (the upload page)."""
    if actor is None:
        return
    if kind is None:
        if not kinds_for(actor):
            require(actor, Cap.LEDGERS_IMPORT)
        return
    require(actor, import_cap(kind))


def check_can_export(actor: User, kind: str | None = None) -> None:
    if actor is not None:
        require(actor, export_cap(kind) if kind else Cap.LEDGERS_EXPORT)


@transaction.atomic
def do_create_import_job(*, actor: User, kind: str, upload: Any, dry_run: bool) -> ImportJob:
    """Store an uploaded (or command-line) file as a queued job; `actor` None is the system."""
    ledger_for(kind)
    check_can_import(actor, kind)
    name = Path(upload.name).name
    file_kind(name)
    job = ImportJob(
        kind=kind,
        original_name=name[:200],
        created_by=actor,
        scope=actor_scope(actor),
        dry_run=dry_run,
    )
    # Stored under a random name (the clerk's file name stays in original_name only).
    stored = secrets.token_hex(16) + Path(name).suffix.lower()
    job.file.save(stored, upload if isinstance(upload, File) else File(upload), save=False)
    job.save()
    return job


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def progress_key(job_id: int) -> str:
    return f"ledgers:import:{job_id}:written"


def job_progress(job: ImportJob) -> Progress:
    """Checking updates the job row (small autocommit updates, visible at once); writing runs
    inside the import's transaction, so its count goes to the cache instead."""
    marks = {"check": 0, "write": 0}

    def report(phase: str, rows: int) -> None:
        if phase == "total":
            ImportJob.objects.filter(pk=job.pk).update(rows_total=rows)
            job.rows_total = rows
            return
        if rows - marks[phase] < PROGRESS_EVERY:
            return
        marks[phase] = rows
        if phase == "check":
            ImportJob.objects.filter(pk=job.pk).update(rows_done=rows, updated_at=timezone.now())
        else:
            cache.set(progress_key(job.pk), rows, 3600)
            cache.set(heartbeat_key(job.pk), 1, stale_minutes() * 60)

    return report


def heartbeat_key(job_id: int) -> str:
    """Set while an import writes (inside its transaction, where the row cannot show it)."""
    return f"ledgers:import-heartbeat:{job_id}"


def stale_minutes() -> int:
    return int(settings.LEDGER_STALE_MINUTES)


STALE_MESSAGE = "处理中断：后台进程{minutes}分钟没有进展（可能已退出），未写入任何数据，可以重试"


def do_fail_stale_import_jobs() -> int:
    """Jobs 'checking' or 'importing' with no sign of life for LEDGER_STALE_MINUTES (the row
    untouched and no write heartbeat) had their worker die: mark them failed so the page says
    so and offers a retry. A compare-and-set update, so a job that moves on is left alone."""
    cutoff = timezone.now() - timedelta(minutes=stale_minutes())
    running = ImportJob.objects.filter(
        status__in=[Status.CHECKING, Status.IMPORTING], updated_at__lt=cutoff
    )
    failed = 0
    for job in running.only("pk", "status", "updated_at"):
        if cache.get(heartbeat_key(job.pk)) is not None:
            continue
        failed += ImportJob.objects.filter(
            pk=job.pk, status=job.status, updated_at=job.updated_at
        ).update(
            status=Status.FAILED,
            message=STALE_MESSAGE.format(minutes=stale_minutes()),
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
    return failed


def do_retry_import_job(job: ImportJob, *, actor: User) -> ImportJob:
    """Run a failed job again on the same file (queued by the caller after commit)."""
    check_can_import(actor, job.kind)
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status != Status.FAILED:
            raise PermissionDenied("只有失败的导入任务可以重试")
        _update(job, status=Status.QUEUED, rows_done=0, message="", finished_at=None)
        audit.record(
            actor=actor,
            verb=AuditVerb.UPDATE,
            obj=job,
            changes={"retry": True, "file": job.original_name},
        )
    return job


def _update(job: ImportJob, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(job, name, value)
    job.save(update_fields=[*fields, "updated_at"])


def do_run_import(job: ImportJob, *, progress: Progress | None = None) -> ImportJob:
    """Check the job's file and, unless it is a dry run and if no row has an error, import it
    in one transaction. Never raises for a bad file: the outcome is on the job."""
    report = progress or job_progress(job)
    path = job.file.path
    scope_path = job.scope.path if job.scope_id else ""
    _update(
        job,
        status=Status.CHECKING,
        sha256=file_sha256(path),
        rows_done=0,
        rows_imported=0,
        error_count=0,
        errors=[],
        message="",
        rows_total=0,
    )
    try:
        with tempfile.TemporaryFile(prefix="gongzhi-import-") as spool:
            ctx, total = check_file(
                job.kind,
                path,
                job.original_name,
                scope_path=scope_path,
                actor=job.created_by,
                spool=None if job.dry_run else spool,
                progress=report,
            )
            _record_check(job, ctx.errors, total)
            if job.dry_run or ctx.errors:
                return job
            _update(job, status=Status.IMPORTING)
            _commit(job, ctx, spool, report)
    except LedgerFileError as exc:
        _fail(job, str(exc), [RowError(0, "", "", str(exc))])
    except LedgerAbort as exc:
        _fail(job, f"导入失败，未写入任何数据：{exc}")
    except Exception:  # the details go to the log: their text may name server paths
        log.exception("import job %s failed", job.pk)
        _fail(job, "导入出错，未写入任何数据；请稍后重试，或把任务编号告诉管理员")
    return job


def _record_check(job: ImportJob, errors: Any, total: int) -> None:
    if errors:
        message = f"发现{errors.count}处错误" + ("" if job.dry_run else "，未导入任何数据")
    else:
        message = f"校验通过，共{total}行" + ("，可以导入" if job.dry_run else "")
    status = Status.CHECKED if job.dry_run else (Status.FAILED if errors else Status.CHECKING)
    _update(
        job,
        status=status,
        rows_total=total,
        rows_done=total,
        error_count=errors.count,
        errors=[e.as_dict() for e in errors.in_order()],
        message=message,
        finished_at=timezone.now() if status != Status.CHECKING else None,
    )


def _commit(job: ImportJob, ctx: Any, spool: Any, report: Progress) -> None:
    with transaction.atomic():
        written = write_spool(job.kind, ctx, spool, report)
        _update(
            job,
            status=Status.DONE,
            rows_imported=written,
            finished_at=timezone.now(),
            message=f"导入完成，共{written}行",
        )
        audit.record(
            actor=job.created_by or COMMAND_LINE,
            verb=AuditVerb.IMPORT,
            obj=job,
            changes={
                "kind": job.kind,
                "file": job.original_name,
                "sha256": job.sha256,
                "rows_total": job.rows_total,
                "rows_imported": written,
            },
        )
    cache.delete(progress_key(job.pk))


def _fail(job: ImportJob, message: str, errors: list[RowError] | None = None) -> None:
    job.refresh_from_db(fields=["rows_total", "rows_done"])
    fields: dict[str, Any] = {
        "status": Status.FAILED,
        "message": message[:500],
        "finished_at": timezone.now(),
        "rows_imported": 0,
    }
    if errors is not None:
        fields.update(errors=[e.as_dict() for e in errors], error_count=len(errors))
    _update(job, **fields)


def do_request_commit(job: ImportJob, *, actor: User) -> ImportJob:
    """Turn a clean dry run into a real import of the same file (re-checked when it runs)."""
    check_can_import(actor, job.kind)
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if not (job.dry_run and job.status == Status.CHECKED and job.error_count == 0):
            raise PermissionDenied("只有校验通过的预览可以导入")
        _update(job, dry_run=False, status=Status.QUEUED, rows_done=0, message="")
    return job


def do_record_export(
    *,
    actor: User,
    kind: str,
    rows: int,
    revealed: int,
    file_format: str,
    scope: Place | None,
    masked: int = 0,
) -> None:
    """One audit event per export, and one reveal event when full numbers were exported. The
    event says what the file shows of persons: full numbers, or the masks and birth years that
    cannot be rebuilt into a number (ADR 0016)."""
    changes: dict[str, Any] = {
        "kind": kind,
        "rows": rows,
        "format": file_format,
        "revealed_persons": revealed,
        "masked_persons": masked,
    }
    if revealed:
        changes["shown"] = PERSONAL_DATA_FULL
    elif masked:
        changes["shown"] = PERSONAL_DATA_MASKED
    who = actor or COMMAND_LINE
    label = f"{ledger_for(kind).spec.title}导出"
    scope_path = scope.path if scope else ""
    with transaction.atomic():
        audit.record(
            actor=who,
            verb=AuditVerb.EXPORT,
            object_type="ledgers.export",
            object_repr=label,
            scope_path=scope_path,
            changes=changes,
        )
        if revealed:
            audit.record(
                actor=who,
                verb=AuditVerb.REVEAL,
                object_type="ledgers.export",
                object_repr=f"{label}（{revealed}人完整身份证号和电话）",
                scope_path=scope_path,
                changes={"kind": kind, "persons": revealed},
            )


def do_export_ledger(kind: str, path: str | Path, *, actor: User) -> int:
    """Write the actor's scope of a ledger to `path` and audit it; the system (actor None) and
    roles allowed to reveal personal data get full ID and phone numbers, others masks."""
    check_can_export(actor, kind)
    where = ExportScope(
        scope=actor_scope(actor), reveal=actor is None or actor.can_reveal_personal_data
    )
    count = export_to_path(kind, path, where)
    do_record_export(
        actor=actor,
        kind=kind,
        rows=count,
        revealed=where.revealed,
        masked=where.masked,
        file_format=Path(path).suffix.lstrip(".").lower(),
        scope=where.scope,
    )
    return count
