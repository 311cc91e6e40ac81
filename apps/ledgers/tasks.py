"""Background work of the ledgers app, through the project's task system (apps.core.tasks): a
`gongzhi worker` process in production (GONGZHI_TASKS=redis), the small in-process pool in the
embedded default, never an unbounded thread per upload. The reading itself is bounded in rows,
columns and time (readers.bounded); jobs whose worker died are failed by the sweep below and
can be run again (`do_retry_import_job`)."""

from functools import partial

from django.db import transaction

from apps.core.tasks import enqueue, periodic, task

from .actions import do_fail_stale_import_jobs, do_run_import
from .models import ImportJob


@task("ledgers.run_import")
def run_import_job(job_id: int) -> None:
    job = ImportJob.objects.select_related("scope", "created_by").get(pk=job_id)
    do_run_import(job)


def _spawn(job_id: int) -> None:
    enqueue(run_import_job, job_id)


def enqueue_import_job(job_id: int) -> None:
    transaction.on_commit(partial(_spawn, job_id))


@periodic(seconds=60, name="ledgers.fail_stale_jobs")
def fail_stale_jobs() -> int:
    return do_fail_stale_import_jobs()
