from datetime import time

import pytest
from django.urls import reverse

from apps.accounts.choices import Role
from apps.core.models import AuditEvent
from apps.core.testing.factories import make_user
from apps.notifications.choices import ChannelKind
from apps.notifications.forms import PreferencesForm
from apps.notifications.models import Channel, Delivery, Notification, Preference, QuietHours


def note(user, title="通知", **fields) -> Notification:
    return Notification.objects.create(recipient=user, title=title, **fields)


@pytest.fixture
def admin_a(world):
    return make_user("admin_a", Role.ADMIN, world.community_a)


@pytest.fixture
def as_admin_a(admin_a):
    from django.test import Client

    client = Client()
    client.force_login(admin_a)
    return client


class TestInbox:
    def test_it_shows_only_my_notifications_unread_first(self, world, client_as):
        me, other = world.user("community_a"), world.user("outsider_b")
        old_unread = note(me, "旧的未读")
        read = note(me, "已读的", read_at=old_unread.created_at)
        new_unread = note(me, "新的未读")
        note(other, "别人的通知")
        response = client_as("community_a").get(reverse("notifications:inbox"))
        assert response.status_code == 200
        assert list(response.context["page"]) == [new_unread, old_unread, read]
        assert "别人的通知" not in response.content.decode()
        assert response.context["unread"] == 2

    def test_it_lists_in_a_bounded_number_of_queries(
        self, world, client_as, django_assert_max_num_queries
    ):
        for i in range(40):
            note(world.user("community_a"), f"通知{i}")
        client = client_as("community_a")
        with django_assert_max_num_queries(10):  # session, user, scope, 2 counts, page
            client.get(reverse("notifications:inbox"))

    def test_it_marks_read_with_htmx_and_updates_the_badge(self, world, client_as):
        client = client_as("community_a")
        n = note(world.user("community_a"), "新派单")
        badge = client.get(reverse("notifications:badge")).content.decode()
        assert '<span class="tag">1</span>' in badge
        response = client.post(
            reverse("notifications:mark_read", args=[n.pk]), HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 200
        assert response["HX-Trigger"] == "notifications-changed"
        assert 'id="notification-' in response.content.decode()
        n.refresh_from_db()
        assert n.read_at is not None
        assert 'class="tag"' not in client.get(reverse("notifications:badge")).content.decode()

    def test_it_does_not_let_me_read_someone_elses(self, world, client_as):
        n = note(world.user("outsider_b"))
        response = client_as("community_a").post(reverse("notifications:mark_read", args=[n.pk]))
        assert response.status_code == 404
        n.refresh_from_db()
        assert n.read_at is None

    def test_open_follows_local_links_only(self, world, client_as):
        client = client_as("community_a")
        local = note(world.user("community_a"), url="/cases/5/")
        foreign = note(world.user("community_a"), url="https://evil.example.com/")
        assert (
            client.post(reverse("notifications:open", args=[local.pk]))["Location"] == "/cases/5/"
        )
        response = client.post(reverse("notifications:open", args=[foreign.pk]))
        assert response["Location"] == reverse("notifications:inbox")

    def test_mark_all_read(self, world, client_as):
        for _ in range(3):
            note(world.user("community_a"))
        note(world.user("outsider_b"))
        client_as("community_a").post(reverse("notifications:mark_all_read"))
        assert Notification.objects.filter(read_at=None).count() == 1


class TestPreferences:
    def test_it_saves_choices_and_quiet_hours_with_an_audit_row(self, world, client_as):
        user = world.user("grid_worker_a")
        # As a browser posts it: every row's boxes; all rows but one left as the default.
        data = {PreferencesForm.field_name(kind): ["email"] for kind, _ in PreferencesForm.ROWS}
        data |= {
            "kind__case_overdue": ["email", "sms"],
            "quiet_start": "22:00",
            "quiet_end": "07:00",
        }
        response = client_as("grid_worker_a").post(reverse("notifications:preferences"), data)
        assert response.status_code == 302
        rows = dict(Preference.objects.filter(user=user).values_list("kind", "channels"))
        # Kinds left equal to the default keep no row of their own.
        assert rows == {"": ["email"], "case.overdue": ["email", "sms"]}
        quiet = QuietHours.objects.get(user=user)
        assert (quiet.start, quiet.end) == (time(22), time(7))
        event = AuditEvent.objects.get(object_type="notifications.preference")
        assert event.changes["quiet_hours"] == [None, "22:00-07:00"]

    def test_it_wants_both_ends_of_quiet_hours(self, world, client_as):
        response = client_as("grid_worker_a").post(
            reverse("notifications:preferences"), {"quiet_start": "22:00"}
        )
        assert response.status_code == 422  # refused by the action: the form again, as typed
        assert "免打扰时段请同时填写开始和结束时间" in response.content.decode()

    def test_it_shows_the_defaults(self, world, client_as):
        response = client_as("grid_worker_a").get(reverse("notifications:preferences"))
        html = response.content.decode()
        assert response.status_code == 200
        assert 'name="kind__default" value="wecom" id="id_kind__default_2" checked' in html
        assert 'name="kind__default" value="sms" id="id_kind__default_4" checked' not in html


class TestChannels:
    def test_it_is_for_administrators_only(self, world, client_as):
        response = client_as("community_a").get(reverse("notifications:channels"))
        assert response.status_code == 403

    def test_an_admin_sees_only_channels_in_their_area(self, world, as_admin_a, make_channel):
        mine = make_channel(
            ChannelKind.WECOM, world.community_a, "http://127.0.0.1:9/a", name="红门群"
        )
        theirs = make_channel(
            ChannelKind.WECOM, world.community_b, "http://127.0.0.1:9/b", name="将军群"
        )
        make_channel(ChannelKind.EMAIL, None, name="全局邮件")
        response = as_admin_a.get(reverse("notifications:channels"))
        assert list(response.context["channels"]) == [mine]
        for name in ("channel_edit", "channel_test"):
            url = reverse(f"notifications:{name}", args=[theirs.pk])
            assert as_admin_a.get(url).status_code in (404, 405)
            assert as_admin_a.post(url, {"name": "改名", "kind": "wecom"}).status_code == 404
        theirs.refresh_from_db()
        assert theirs.name == "将军群"
        assert not Delivery.objects.exists()

    def test_it_creates_a_channel_with_its_secret_encrypted(self, world, as_admin_a, admin_a):
        response = as_admin_a.post(
            reverse("notifications:channel_create"),
            {
                "name": "红门社区钉钉群",
                "kind": "dingtalk",
                "place": world.community_a.pk,
                "enabled": "on",
                "message_format": "markdown",
                "endpoint": "https://oapi.dingtalk.com/robot/send?access_token=abc123",
                "secret": "SECxyz",
                "sms_gateway": "log",
            },
        )
        assert response.status_code == 302
        channel = Channel.objects.get()
        assert channel.secret == "SECxyz" and "SECxyz" not in channel.secret_enc
        assert "abc123" not in channel.endpoint_enc + channel.endpoint_hint
        assert channel.endpoint_hint == "https://oapi.dingtalk.com/robot/send?…"
        event = AuditEvent.objects.get(object_type="notifications.channel")
        assert (event.actor, event.verb) == (admin_a, "create")
        assert "SECxyz" not in str(event.changes) and "abc123" not in str(event.changes)

    def test_it_refuses_a_place_outside_the_admins_area(self, world, as_admin_a):
        response = as_admin_a.post(
            reverse("notifications:channel_create"),
            {
                "name": "越权",
                "kind": "wecom",
                "place": world.community_b.pk,
                "message_format": "text",
                "endpoint": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
                "sms_gateway": "log",
            },
        )
        assert response.status_code == 200
        assert "所选区域不存在或不在您的管辖范围内" in response.content.decode()
        assert not Channel.objects.exists()

    def test_editing_keeps_the_endpoint_and_secret_when_left_blank(
        self, world, as_admin_a, make_channel
    ):
        channel = make_channel(
            ChannelKind.WEBHOOK, world.community_a, "https://hooks.example.cn/x", secret="k1"
        )
        as_admin_a.post(
            reverse("notifications:channel_edit", args=[channel.pk]),
            {
                "name": "改名",
                "kind": "webhook",
                "place": world.community_a.pk,
                "message_format": "text",
                "sms_gateway": "log",
            },
        )
        channel.refresh_from_db()
        assert (channel.name, channel.endpoint, channel.secret) == (
            "改名",
            "https://hooks.example.cn/x",
            "k1",
        )
        assert channel.enabled is False  # the unchecked box
        assert AuditEvent.objects.get(verb="update").changes["name"] == ["webhook 渠道", "改名"]

    def test_the_test_button_sends_and_reports(self, world, as_admin_a, make_channel, http_server):
        channel = make_channel(ChannelKind.WECOM, world.community_a, http_server.url("/robot"))
        response = as_admin_a.post(
            reverse("notifications:channel_test", args=[channel.pk]), follow=True
        )
        assert "测试消息已发出（响应码 200）" in response.content.decode()
        assert "测试消息" in http_server.requests[0].json["text"]["content"]
        http_server.answer((200, {"errcode": 93000, "errmsg": "invalid webhook url"}))
        response = as_admin_a.post(
            reverse("notifications:channel_test", args=[channel.pk]), follow=True
        )
        assert "测试消息发送失败：第1次：机器人返回错误 errcode=93000" in response.content.decode()


class TestDeliveryLog:
    def test_it_filters_and_stays_in_scope(self, world, as_admin_a, make_channel):
        mine = make_channel(ChannelKind.WECOM, world.community_a, "http://127.0.0.1:9/")
        theirs = make_channel(ChannelKind.WECOM, world.community_b, "http://127.0.0.1:9/")
        n = note(world.user("community_a"), "事项超时", kind="case.overdue")
        failed = Delivery.objects.create(notification=n, channel=mine, status="failed", attempts=2)
        Delivery.objects.create(notification=n, channel=mine, status="sent")
        Delivery.objects.create(notification=n, channel=theirs, status="failed")
        response = as_admin_a.get(reverse("notifications:deliveries"), {"status": "failed"})
        assert list(response.context["page"]) == [failed]
        response = as_admin_a.get(reverse("notifications:deliveries"), {"status": "gave_up"})
        assert list(response.context["page"]) == [failed]
        response = as_admin_a.get(reverse("notifications:deliveries"))
        assert len(response.context["page"]) == 2
