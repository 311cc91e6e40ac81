"""Background job of the field app's outbox: staged photo uploads no record took are deleted
after OUTBOX_UPLOAD_RETENTION_DAYS (apps.outbox.uploads.do_purge_stale_uploads)."""

from apps.core.tasks import periodic

from .uploads import do_purge_stale_uploads


@periodic(seconds=6 * 3600, name="outbox.purge_stale_uploads")
def purge_stale_uploads() -> int:
    return do_purge_stale_uploads()
