"""Photos of cases: checked with Pillow (really an image, an allowed type, not too large),
stored with a JPEG thumbnail, and recorded as a step of the case."""

import io
import warnings
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from apps.accounts.models import User
from apps.core import audit
from apps.core.choices import AuditVerb

from . import rules
from .choices import Action
from .errors import InvalidTransitionData, NotAllowed
from .models import Case, CaseAttachment, CaseEvent

ALLOWED_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
THUMBNAIL_SIZE = (320, 320)
# A phone's photo is 12–24 Mpx; a 40 Mpx JPEG cost 243 MB to decode. The header gives the size
# before any pixel is decoded, so larger ones are refused at no cost (and Pillow's own bomb
# limit, apps.core.apps, is set to the same figure for every other opener).
MAX_PIXELS = 25_000_000


def max_bytes() -> int:
    return int(settings.CASES_ATTACHMENT_MAX_BYTES)


def check_image(upload: UploadedFile) -> tuple[str, int, int]:
    """(content type, width, height) of a valid photo; InvalidTransitionData otherwise."""
    if upload.size is None or upload.size > max_bytes():
        raise InvalidTransitionData(f"图片不能超过 {max_bytes() // (1024 * 1024)} MB")
    try:
        upload.seek(0)
        with warnings.catch_warnings():  # between MAX_PIXELS and twice that Pillow only warns
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(upload) as image:  # reads the header only
                fmt, (width, height) = image.format or "", image.size
        if width * height > MAX_PIXELS:
            raise InvalidTransitionData(
                f"图片尺寸过大（{width}×{height}），"
                f"请上传不超过 {MAX_PIXELS // 10_000} 万像素的照片"
            )
        upload.seek(0)
        with Image.open(upload) as image:
            image.verify()
    except Image.DecompressionBombError as exc:  # over twice MAX_PIXELS: refused by Pillow
        raise InvalidTransitionData(
            f"图片尺寸过大，请上传不超过 {MAX_PIXELS // 10_000} 万像素的照片"
        ) from exc
    except (UnidentifiedImageError, OSError) as exc:
        raise InvalidTransitionData("文件不是有效的图片") from exc
    if fmt not in ALLOWED_FORMATS:
        raise InvalidTransitionData("只能上传 JPEG、PNG 或 WebP 图片")
    upload.seek(0)
    return ALLOWED_FORMATS[fmt], width, height


def thumbnail(upload: UploadedFile) -> ContentFile:
    upload.seek(0)
    with Image.open(upload) as original:
        original.draft("RGB", (THUMBNAIL_SIZE[0] * 2, THUMBNAIL_SIZE[1] * 2))  # JPEG: decode at 1/8
        small = original.convert("RGB")
    small.thumbnail(THUMBNAIL_SIZE)
    out = io.BytesIO()
    small.save(out, "JPEG", quality=80)
    upload.seek(0)
    return ContentFile(out.getvalue())


def may_attach(user: Any, case: Case) -> bool:
    return (
        rules.is_dispatcher(user, case)
        or rules.is_assignee(user, case)
        or rules.is_supervisor(user, case)
        or case.created_by_id == getattr(user, "pk", -1)
    )


@transaction.atomic
def do_add_attachment(
    case: Case,
    upload: UploadedFile,
    *,
    actor: User | None,
    event: CaseEvent | None = None,
    note: str = "",
) -> CaseAttachment:
    """Attach a photo to `case`. `actor` None is the resident (the caller has checked the
    tracking token)."""
    if actor is not None and not may_attach(actor, case):
        raise NotAllowed("您不能为该事项上传图片")
    content_type, width, height = check_image(upload)
    now = timezone.now()
    if event is None:
        event = CaseEvent(
            case=case,
            at=now,
            actor=actor,
            action=Action.ATTACH,
            actor_label=str(actor) if actor else "居民（凭查询码）",
            from_status=case.status,
            to_status=case.status,
            note=note,
        )
        event.save()
    attachment = CaseAttachment(
        case=case,
        event=event,
        content_type=content_type,
        size=upload.size or 0,
        width=width,
        height=height,
        uploaded_by=actor,
    )
    stem = f"{now:%Y%m%d%H%M%S}-{case.pk}"
    ext = content_type.split("/")[1].replace("jpeg", "jpg")
    attachment.file.save(f"{stem}.{ext}", upload, save=False)
    attachment.thumbnail.save(f"{stem}-thumb.jpg", thumbnail(upload), save=False)
    attachment.save()
    audit.record(
        actor=actor or "居民（凭查询码）",
        verb=AuditVerb.CREATE,
        obj=attachment,
        object_repr=f"{case.number} 附件",
        scope_path=case.place.path,
        changes={"size": attachment.size, "type": content_type},
    )
    return attachment


@transaction.atomic
def do_create_case_with_photos(
    actor: User, fields: dict[str, Any], photos: list[UploadedFile]
) -> tuple[Case, bool]:
    """Register a case with the photos taken on the spot (the staff's 登记事项, online or from
    the outbox): the case and its photos, or nothing. The photos join the case's first step;
    a repeated request (same idempotency key) adds none."""
    from .actions import do_create_case

    case, created = do_create_case(actor=actor, **fields)
    if created:
        first = case.events.order_by("pk").first()
        for photo in photos:
            do_add_attachment(case, photo, actor=actor, event=first)
    return case, created
