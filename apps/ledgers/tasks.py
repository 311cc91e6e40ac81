"""Background work of the ledgers app. `run_import_job` takes an id so it can move to the
project's task queue unchanged; until then `enqueue_import_job` starts a daemon thread once
the transaction that created the job commits."""

import threading
from functools import partial

from django.db import close_old_connections, transaction

from .actions import do_run_import
from .models import ImportJob


def run_import_job(job_id: int) -> None:
    job = ImportJob.objects.select_related("scope", "created_by").get(pk=job_id)
    do_run_import(job)


def _in_thread(job_id: int) -> None:
    try:
        run_import_job(job_id)
    finally:
        close_old_connections()


def _spawn(job_id: int) -> None:
    threading.Thread(
        target=_in_thread, args=(job_id,), daemon=True, name=f"ledger-import-{job_id}"
    ).start()


def enqueue_import_job(job_id: int) -> None:
    transaction.on_commit(partial(_spawn, job_id))
