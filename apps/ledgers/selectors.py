"""Reads of the ledgers app: the jobs an account may see and a job's live progress."""

from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet

from apps.accounts.scoping import get_in_scope

from .actions import progress_key
from .models import ImportJob


def import_job_list(user: Any) -> QuerySet[ImportJob]:
    """Jobs the user started; administrators without a scope see all."""
    qs = ImportJob.objects.select_related("created_by", "scope")
    if user.is_superuser and user.scope_id is None:
        return qs
    return qs.filter(created_by=user)


def access_import_job_for_user(user: Any, job_id: int) -> ImportJob:
    return get_in_scope(import_job_list(user), pk=job_id)


def rows_written(job: ImportJob) -> int:
    """Rows written so far: the job row once committed, else the cache during the write pass."""
    if job.status != ImportJob.Status.IMPORTING:
        return job.rows_imported
    return int(cache.get(progress_key(job.pk)) or 0)


def live_job(job: ImportJob) -> ImportJob:
    """The job with rows_imported set from the write pass's progress, for the progress bar."""
    job.rows_imported = rows_written(job)
    return job
