"""Which case photo a request may fetch (apps.core.media serves /media/cases/…)."""

from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.http import Http404, HttpRequest

from apps.accounts.media import staff_user
from apps.core.media import MAX_OWNERS

from .models import CaseAttachment
from .selectors import access_case_for_user, case_by_token


def owned_file(request: HttpRequest, name: str) -> FieldFile:
    """The photo or thumbnail `name` of a case: for staff who may see the case, or for the
    holder of its tracking token (`?t=`); 404 for anyone else and for an unknown name. A file
    shared by several records (the demo's pictures) is served if any of them is visible."""
    attachments = list(
        CaseAttachment.objects.filter(Q(file=name) | Q(thumbnail=name))
        .only("id", "case_id", "file", "thumbnail")
        .order_by("id")[:MAX_OWNERS]
    )
    token = request.GET.get("t", "")
    user = staff_user(request)
    if token:
        tracked = case_by_token(token).pk
        allowed = [a for a in attachments if a.case_id == tracked]
    elif user is not None:
        allowed = [a for a in attachments if _visible(user, a.case_id)]
    else:
        allowed = []
    if not allowed:
        raise Http404("文件不存在")
    found = allowed[0]
    return found.file if found.file.name == name else found.thumbnail


def _visible(user, case_id: int) -> bool:
    try:
        access_case_for_user(user, case_id)
    except Http404:
        return False
    return True
