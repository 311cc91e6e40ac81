"""Which activity photo a request may fetch (apps.core.media serves /media/activities/…)."""

from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.http import Http404, HttpRequest

from apps.accounts.media import staff_user

from .models import ActivityPhoto


def owned_file(request: HttpRequest, name: str) -> FieldFile:
    """An activity's photo or thumbnail, for staff who may see the activity; 404 otherwise."""
    user = staff_user(request)
    if user is None:
        raise Http404("文件不存在")
    qs = ActivityPhoto.objects.filter(Q(file=name) | Q(thumbnail=name)).order_by("id")
    photo = qs.visible_to(user).first()
    if photo is None:
        raise Http404("文件不存在")
    return photo.file if photo.file.name == name else photo.thumbnail
