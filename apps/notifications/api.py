"""/api/v1/notifications/: the signed-in user's inbox. Handlers call selectors and actions only."""

from typing import Any

from ninja import Router
from ninja.pagination import paginate

from apps.accounts.requests import AuthedRequest
from apps.core.paging import PageNumberPagination

from . import selectors
from .actions import do_mark_read
from .schemas import NotificationOut, ReadOut, UnreadCountOut

router = Router(tags=["通知"])


@router.get("/", response=list[NotificationOut], summary="我的通知（未读在前）")
@paginate(PageNumberPagination, page_size=50)
def list_notifications(request: AuthedRequest, unread: bool = False) -> Any:
    return selectors.inbox(request.user, unread_only=unread)


@router.get("/unread-count", response=UnreadCountOut, summary="我的未读通知数")
def unread_count(request: AuthedRequest) -> Any:
    return {"unread": selectors.unread_count(request.user)}


@router.post("/{int:pk}/read", response=ReadOut, summary="标为已读")
def read_notification(request: AuthedRequest, pk: int) -> Any:
    notification = selectors.access_notification_for_user(request.user, pk)
    changed = do_mark_read(notification, actor=request.user)
    return {"id": notification.pk, "read_at": notification.read_at, "changed": changed}
