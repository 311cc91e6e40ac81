"""Which visit or patrol photo a request may fetch (apps.core.media serves /media/visits/…)."""

from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.http import Http404, HttpRequest

from apps.accounts.media import staff_user
from apps.core.media import MAX_OWNERS

from .models import VisitPhoto
from .selectors import visible_tasks


def owned_file(request: HttpRequest, name: str) -> FieldFile:
    """The photo or thumbnail `name` of a visit record, for staff who may see its task (the
    visitor's own tasks included); 404 otherwise. A file shared by several records (the
    demo's pictures) is served if any of them is visible."""
    user = staff_user(request)
    if user is None:
        raise Http404("文件不存在")
    photos = list(
        VisitPhoto.objects.filter(Q(file=name) | Q(thumbnail=name))
        .select_related("record")
        .only("id", "file", "thumbnail", "record__task_id")
        .order_by("id")[:MAX_OWNERS]
    )
    task_ids = {p.record.task_id for p in photos}
    seen = set(visible_tasks(user).filter(pk__in=task_ids).values_list("pk", flat=True))
    allowed = [p for p in photos if p.record.task_id in seen]
    if not allowed:
        raise Http404("文件不存在")
    return allowed[0].file if allowed[0].file.name == name else allowed[0].thumbnail
