"""Chunked, resumable photo uploads from the phone (issue 18, item 4; ADR 0059).

A photo (already resized on the phone) travels apart from its record, in chunks of at most
`MAX_CHUNK` bytes: `POST /outbox/upload/` with the upload's UUID, the record's client UUID,
the file's size and name, the chunk's index and SHA-256. The server keeps each chunk once
(by upload and index); `GET /outbox/upload/<uuid>/` says which it has, so a phone cut off in
the middle of twenty photos sends only the missing chunks. The last chunk assembles the file,
which is checked like every photo (apps.cases.images: type, bytes, pixels) and kept under a
random name until the record (`outbox_photos`) takes it.
"""

import datetime as dt
import hashlib
import io
import logging
import math
import uuid as uuidlib
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import InMemoryUploadedFile, UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from apps.cases import images
from apps.cases.errors import CaseError
from apps.core import audit
from apps.core.choices import AuditVerb

from .models import Upload, UploadChunk

MAX_CHUNK = 512 * 1024  # the phone sends 256 KB; a little room for another client
MAX_PHOTOS_PER_RECORD = 20
log = logging.getLogger("gongzhi.outbox")


def upload_state(upload: Upload) -> dict[str, Any]:
    return {
        "upload": str(upload.uuid),
        "received": sorted(upload.parts.values_list("index", flat=True))
        if upload.completed_at is None
        else list(range(upload.chunks)),
        "chunks": upload.chunks,
        "complete": upload.completed_at is not None,
    }


def find_upload(actor: Any, uuid: uuidlib.UUID) -> Upload | None:
    upload = Upload.objects.filter(uuid=uuid).first()
    if upload is not None and upload.user_id != actor.pk:
        raise PermissionDenied("该上传属于其他账号")
    return upload


def _positive(value: Any, what: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError({what: f"{what} 应为整数"}) from None
    if number < 0:
        raise ValidationError({what: f"{what} 不能为负数"})
    return number


def do_receive_chunk(
    *,
    actor: Any,
    uuid: uuidlib.UUID,
    record_uuid: uuidlib.UUID,
    filename: str,
    size: Any,
    chunk_size: Any,
    index: Any,
    sha256: str,
    data: bytes,
) -> Upload:
    """Keep one chunk (once); assemble and check the file when the last one is in."""
    size, chunk_size, index = (
        _positive(size, "size"),
        _positive(chunk_size, "chunk_size"),
        _positive(index, "index"),
    )
    if not 0 < size <= images.max_bytes():
        raise ValidationError(
            {"size": f"照片不能超过 {images.max_bytes() // (1024 * 1024)} MB（本张 {size} 字节）"}
        )
    if not 0 < chunk_size <= MAX_CHUNK:
        raise ValidationError({"chunk_size": f"分片大小应在 1—{MAX_CHUNK} 字节之间"})
    chunks = math.ceil(size / chunk_size)
    if index >= chunks:
        raise ValidationError({"index": f"分片序号 {index} 超出范围（共 {chunks} 片）"})
    expected = chunk_size if index < chunks - 1 else size - chunk_size * (chunks - 1)
    if len(data) != expected:
        raise ValidationError(
            {"chunk": f"第 {index + 1} 片长度 {len(data)} 字节，应为 {expected} 字节"}
        )
    if hashlib.sha256(data).hexdigest() != sha256.lower():
        raise ValidationError({"chunk": f"第 {index + 1} 片校验和不符（传输中损坏），请重传"})
    with transaction.atomic():
        upload = _upload_for(actor, uuid, record_uuid, filename, size, chunk_size, chunks)
        if (upload.size, upload.chunk_size, upload.record_uuid) != (size, chunk_size, record_uuid):
            raise ValidationError({"upload": "同一上传编号的文件大小、分片或所属记录不一致"})
        Upload.objects.filter(pk=upload.pk).update(posts=F("posts") + 1)
        if upload.completed_at is not None:
            upload.refresh_from_db()
            return upload
        try:
            with transaction.atomic():
                UploadChunk.objects.create(upload=upload, index=index, sha256=sha256, data=data)
        except IntegrityError:  # this chunk is already in: nothing to add
            upload.refresh_from_db()
            return upload
        Upload.objects.filter(pk=upload.pk).update(received=F("received") + 1)
        upload.refresh_from_db()
        if upload.received == upload.chunks:
            _assemble(upload, actor)
        return upload


def _upload_for(
    actor: Any,
    uuid: uuidlib.UUID,
    record_uuid: uuidlib.UUID,
    filename: str,
    size: int,
    chunk_size: int,
    chunks: int,
) -> Upload:
    upload = Upload.objects.select_for_update().filter(uuid=uuid).first()
    if upload is None:
        pending = Upload.objects.filter(record_uuid=record_uuid).exclude(uuid=uuid).count()
        if pending >= MAX_PHOTOS_PER_RECORD:
            raise ValidationError({"upload": f"每条记录最多 {MAX_PHOTOS_PER_RECORD} 张照片"})
        try:
            with transaction.atomic():
                upload = Upload.objects.create(
                    uuid=uuid,
                    user=actor,
                    record_uuid=record_uuid,
                    filename=(filename or "photo.jpg")[-120:],
                    size=size,
                    chunk_size=chunk_size,
                    chunks=chunks,
                )
        except IntegrityError:  # the same upload started from the page and the worker at once
            upload = Upload.objects.select_for_update().get(uuid=uuid)
    if upload.user_id != actor.pk:
        raise PermissionDenied("该上传属于其他账号")
    return upload


def _assemble(upload: Upload, actor: Any) -> None:
    parts = list(upload.parts.order_by("index").values_list("data", flat=True))
    content = b"".join(bytes(p) for p in parts)
    if len(content) != upload.size:
        raise ValidationError({"upload": "分片拼接后的大小不符，请重传"})
    probe = ContentFile(content, name=upload.filename)
    try:
        content_type, width, height = images.check_image(probe)  # type: ignore[arg-type]
    except CaseError as exc:
        raise ValidationError({"photos": f"{upload.filename}：{exc.message}"}) from exc
    upload.content_type = content_type
    upload.file.save(upload.filename, probe, save=False)
    upload.completed_at = timezone.now()
    upload.save(update_fields=["content_type", "file", "completed_at"])
    upload.parts.all().delete()
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE,
        obj=upload,
        changes={"size": upload.size, "type": content_type, "pixels": f"{width}×{height}"},
    )


def photos_for(actor: Any, record_uuid: uuidlib.UUID, ids: list[str]) -> list[UploadedFile]:
    """The assembled photos named by a queued record, as uploaded files for the record's own
    action; ValidationError (status 425: not yet) when one is missing or not complete."""
    wanted: list[uuidlib.UUID] = []
    for raw in ids:
        try:
            wanted.append(uuidlib.UUID(raw))
        except ValueError:
            raise ValidationError({"photos": f"无效的照片上传编号：{raw}"}) from None
    found = {
        u.uuid: u
        for u in Upload.objects.filter(uuid__in=wanted, user=actor, record_uuid=record_uuid)
    }
    missing = [u for u in wanted if u not in found or found[u].completed_at is None]
    if missing:
        raise PhotosPending(len(missing))
    files: list[UploadedFile] = []
    for key in wanted:
        upload = found[key]
        with upload.file.open("rb") as handle:
            content = handle.read()
        files.append(
            InMemoryUploadedFile(
                io.BytesIO(content),
                "photos",
                upload.filename,
                upload.content_type,
                len(content),
                None,
            )
        )
    return files


def mark_attached(record_uuid: uuidlib.UUID, ids: list[str]) -> None:
    """The record took its photos (each stored again by its app under its own random name):
    the staged copies are deleted once the transaction commits."""
    uploads = list(Upload.objects.filter(record_uuid=record_uuid, uuid__in=ids))
    Upload.objects.filter(pk__in=[u.pk for u in uploads]).update(attached_at=timezone.now())
    names = [u.file.name for u in uploads if u.file and u.file.name]
    storage = Upload._meta.get_field("file").storage  # type: ignore[union-attr]

    def delete() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete)


def do_purge_stale_uploads() -> int:
    """Delete the staged uploads no record took within OUTBOX_UPLOAD_RETENTION_DAYS (a record
    abandoned on the phone, a photo of an entry the worker dropped): the rows, their chunks and
    their files. An upload a record took (`attached_at`) is never touched; its photo lives in
    the record's own app. A record arriving after the purge gets 425 and the phone, which still
    has the photo, sends it again. One audit event and one log line per run that deleted
    anything. Returns how many uploads went."""
    # at least a day: a photo still arriving must not be deleted under the phone
    days = max(1, settings.OUTBOX_UPLOAD_RETENTION_DAYS)
    cutoff = timezone.now() - dt.timedelta(days=days)
    with transaction.atomic():
        stale = list(
            Upload.objects.select_for_update(skip_locked=True)
            .filter(attached_at__isnull=True, created_at__lt=cutoff)
            .order_by("pk")
        )
        if not stale:
            return 0
        names = [u.file.name for u in stale if u.file and u.file.name]
        total = sum(u.size for u in stale)
        Upload.objects.filter(pk__in=[u.pk for u in stale]).delete()
        audit.record(
            actor=None,
            verb=AuditVerb.DELETE,
            object_type="outbox.upload",
            object_id="stale",
            object_repr=f"过期未归入记录的离线照片 {len(stale)} 张",
            changes={
                "uploads": [str(u.uuid) for u in stale],
                "bytes": total,
                "retention_days": days,
            },
        )
        storage = Upload._meta.get_field("file").storage  # type: ignore[union-attr]

        def delete() -> None:
            for name in names:
                storage.delete(name)

        transaction.on_commit(delete)
    log.info(
        "outbox: deleted %d staged uploads older than %d days never attached to a record "
        "(%d bytes, %d files)",
        len(stale),
        days,
        total,
        len(names),
    )
    return len(stale)


class PhotosPending(Exception):
    def __init__(self, missing: int) -> None:
        super().__init__(f"还有 {missing} 张照片未传完，传完后自动补交本条")
        self.missing = missing
