"""Reads on notifications. A user's inbox holds only their own rows; channels and the delivery
log start from the administrator's place subtree."""

from typing import Any

from django.db.models import Count, F, Q, QuerySet

from apps.accounts.permissions import Cap, require
from apps.accounts.scoping import get_in_scope

from .choices import DeliveryStatus
from .filters import DeliveryFilter
from .models import Channel, Delivery, Notification, Preference, QuietHours


def inbox(user: Any, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's notifications, unread first, newest first within each group."""
    qs = Notification.objects.filter(recipient=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by(F("read_at").desc(nulls_first=True), "-created_at", "-id")


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def access_notification_for_user(user: Any, pk: Any) -> Notification:
    """The user's own notification; 404 for anyone else's."""
    return get_in_scope(Notification.objects.filter(recipient=user), pk=pk)


def visible_channels(user: Any) -> QuerySet[Channel]:
    """Channels whose place lies in the administrator's subtree (global channels only for an
    unscoped superuser)."""
    require(user, Cap.NOTIFICATIONS_CONFIGURE)
    return Channel.objects.visible_to(user)


def channel_list(user: Any) -> QuerySet[Channel]:
    return (
        visible_channels(user)
        .select_related("place")
        .annotate(
            failed_count=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED))
        )
        .order_by("kind", "place__path", "name", "id")
    )


def access_channel_for_user(user: Any, pk: Any) -> Channel:
    return get_in_scope(visible_channels(user).select_related("place"), pk=pk)


def delivery_list(user: Any, filters: DeliveryFilter | None = None) -> QuerySet[Delivery]:
    qs: QuerySet[Delivery] = Delivery.objects.filter(channel__in=visible_channels(user))
    if filters is not None:
        qs = filters.filter(qs)
    return qs.select_related("notification", "channel", "channel__place", "recipient").order_by(
        "-created_at", "-id"
    )


def preferences_of(user: Any) -> dict[str, list[str]]:
    return {row.kind: list(row.channels) for row in Preference.objects.filter(user=user).order_by()}


def quiet_hours_of(user: Any) -> QuietHours | None:
    return QuietHours.objects.filter(user=user).first()
