"""Notification pages: my inbox (with the htmx badge), my preferences, and for administrators
the channels of their area, test messages and the delivery log."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.accounts.requests import AuthedRequest
from apps.core.paging import query_without_page
from apps.core.redirects import is_safe_next
from apps.core.refusals import run_action, said

from . import selectors
from .actions import (
    do_mark_all_read,
    do_mark_read,
    do_save_channel,
    do_save_preferences,
    do_send_test_message,
)
from .choices import DEFAULT_CHANNELS, IN_APP_LABEL, KIND_LABELS, DeliveryStatus
from .delivery import deliver
from .filters import DeliveryFilter
from .forms import ChannelForm, PreferencesForm
from .models import Delivery

PAGE_SIZE = 30


def _page(request: HttpRequest, qs: Any) -> Any:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


# --- inbox ----------------------------------------------------------------------------------


@login_required
def inbox(request: AuthedRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    page = _page(request, selectors.inbox(request.user, unread_only=unread_only))
    return render(
        request,
        "notifications/inbox.html",
        {
            "page": page,
            "unread_only": unread_only,
            "unread": selectors.unread_count(request.user),
            "query": query_without_page(request),
        },
    )


@login_required
def badge(request: AuthedRequest) -> HttpResponse:
    return render(
        request, "notifications/_badge.html", {"unread": selectors.unread_count(request.user)}
    )


@login_required
@require_POST
def mark_read(request: AuthedRequest, pk: int) -> HttpResponse:
    notification = selectors.access_notification_for_user(request.user, pk)
    do_mark_read(notification, actor=request.user)
    if _is_htmx(request):
        response = render(request, "notifications/_item.html", {"n": notification})
        response["HX-Trigger"] = "notifications-changed"
        return response
    return redirect("notifications:inbox")


@login_required
@require_POST
def open_notification(request: AuthedRequest, pk: int) -> HttpResponse:
    """Mark read and follow the notification's link (only to this site)."""
    notification = selectors.access_notification_for_user(request.user, pk)
    do_mark_read(notification, actor=request.user)
    target = notification.url
    return redirect(target if is_safe_next(request, target) else "notifications:inbox")


@login_required
@require_POST
def mark_all_read(request: AuthedRequest) -> HttpResponse:
    count = do_mark_all_read(actor=request.user)
    messages.success(request, f"已将 {count} 条通知标为已读")
    return redirect("notifications:inbox")


# --- preferences ----------------------------------------------------------------------------


@login_required
def preferences(request: AuthedRequest) -> HttpResponse:
    defaults = [str(k) for k in DEFAULT_CHANNELS]
    form = PreferencesForm(
        request.POST or None,
        current=selectors.preferences_of(request.user),
        defaults=defaults,
        quiet=selectors.quiet_hours_of(request.user),
    )

    def page() -> HttpResponse:
        context = {"form": form, "in_app_label": IN_APP_LABEL}
        return render(request, "notifications/preferences.html", context)

    if request.method != "POST" or not form.is_valid():
        return page()
    chosen = form.channels_by_kind()
    default_row = set(chosen[""])
    # A kind that matches the default keeps no row of its own and follows later changes.
    by_kind: dict[str, list[str] | None] = {
        kind: (None if kind and set(value) == default_row else value)
        for kind, value in chosen.items()
    }
    return run_action(
        request,
        lambda: do_save_preferences(
            request.user,
            by_kind,
            form.cleaned_data["quiet_start"],
            form.cleaned_data["quiet_end"],
            actor=request.user,
        ),
        done=lambda _: said(request, "通知设置已保存", redirect("notifications:preferences")),
        refused=page,
        form=form,
    )


# --- channels (administrators) ----------------------------------------------------------------


@login_required
def channel_list(request: AuthedRequest) -> HttpResponse:
    channels = selectors.channel_list(request.user)
    return render(request, "notifications/channel_list.html", {"channels": channels})


@login_required
def channel_create(request: AuthedRequest) -> HttpResponse:
    selectors.visible_channels(request.user)  # administrators only
    form = ChannelForm(request.POST or None, user=request.user)

    def page() -> HttpResponse:
        context = {"form": form, "channel": None}
        return render(request, "notifications/channel_form.html", context)

    if request.method != "POST" or not form.is_valid():
        return page()
    return run_action(
        request,
        lambda: do_save_channel(None, actor=request.user, **form.action_kwargs()),
        done=lambda channel: said(
            request,
            f"已添加渠道「{channel.name}」",
            redirect("notifications:channel_edit", pk=channel.pk),
        ),
        refused=page,
        form=form,
    )


@login_required
def channel_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    channel = selectors.access_channel_for_user(request.user, pk)
    form = ChannelForm(request.POST or None, user=request.user, channel=channel)

    def page() -> HttpResponse:
        recent = Delivery.objects.filter(channel=channel).select_related("notification")[:10]
        context = {"form": form, "channel": channel, "recent": recent}
        return render(request, "notifications/channel_form.html", context)

    if request.method != "POST" or not form.is_valid():
        return page()
    return run_action(
        request,
        lambda: do_save_channel(channel, actor=request.user, **form.action_kwargs()),
        done=lambda _: said(
            request, "渠道已保存", redirect("notifications:channel_edit", pk=channel.pk)
        ),
        refused=page,
        form=form,
    )


@login_required
@require_POST
def channel_test(request: AuthedRequest, pk: int) -> HttpResponse:
    channel = selectors.access_channel_for_user(request.user, pk)
    delivery = do_send_test_message(channel, actor=request.user)
    status = deliver(delivery.pk)
    delivery.refresh_from_db()
    if status == DeliveryStatus.SENT:
        messages.success(request, f"测试消息已发出（响应码 {delivery.response_code or '—'}）")
    else:
        messages.error(request, f"测试消息发送失败：{delivery.last_error}")
    return redirect("notifications:channel_edit", pk=channel.pk)


@login_required
def delivery_list(request: AuthedRequest) -> HttpResponse:
    filters = DeliveryFilter(request.GET or None)
    page = _page(request, selectors.delivery_list(request.user, filters))
    return render(
        request,
        "notifications/delivery_list.html",
        {
            "filters": filters,
            "page": page,
            "query": query_without_page(request),
            "kind_labels": KIND_LABELS,
        },
    )
