"""Payloads, signatures and answers of every channel, checked by a real HTTP server."""

import base64
import hashlib
import hmac
import json

import pytest
from django.core import mail

from apps.notifications.choices import ChannelKind, DeliveryStatus, MessageFormat
from apps.notifications.delivery import deliver
from apps.notifications.models import Delivery, Notification
from apps.notifications.sms import LoggingSmsGateway


@pytest.fixture
def delivery_to(world):
    """A fresh notification for the community A staff member, delivered through `channel`."""

    def make(channel, **notification_fields) -> Delivery:
        user = world.user("community_a")
        fields = {"title": "事项超时", "body": "幸福小区1栋漏水，已超过办结时限", "url": ""}
        notification = Notification.objects.create(
            recipient=user, kind="case.overdue", **(fields | notification_fields)
        )
        return Delivery.objects.create(
            notification=notification,
            channel=channel,
            recipient=None if channel.is_group else user,
            audience=[str(user)],
            next_attempt_at=notification.created_at,
        )

    return make


def sent(delivery: Delivery) -> Delivery:
    assert deliver(delivery.pk) == DeliveryStatus.SENT
    delivery.refresh_from_db()
    return delivery


class TestWebhook:
    def test_it_posts_the_notification_as_json(self, world, make_channel, delivery_to, http_server):
        channel = make_channel(ChannelKind.WEBHOOK, world.community_a, http_server.url("/in"))
        delivery = sent(delivery_to(channel, url="/cases/9/"))
        request = http_server.requests[0]
        assert request.path == "/in"
        assert request.headers["Content-Type"] == "application/json; charset=utf-8"
        assert request.headers["X-Gongzhi-Delivery"] == str(delivery.pk)
        assert "X-Gongzhi-Signature" not in request.headers
        assert request.json | {"created_at": "—"} == {
            "event": "notification",
            "delivery_id": delivery.pk,
            "notification_id": delivery.notification_id,
            "kind": "case.overdue",
            "title": "事项超时",
            "body": "幸福小区1栋漏水，已超过办结时限",
            "url": "/cases/9/",
            "object_type": "",
            "object_id": "",
            "created_at": "—",
            "audience": ["staff_a"],
        }
        assert delivery.response_code == 200 and delivery.attempts == 1

    def test_it_signs_the_timestamp_and_body_with_the_secret(
        self, world, make_channel, delivery_to, http_server
    ):
        channel = make_channel(
            ChannelKind.WEBHOOK, world.community_a, http_server.url(), secret="s3cret"
        )
        sent(delivery_to(channel))
        request = http_server.requests[0]
        timestamp = request.headers["X-Gongzhi-Timestamp"]
        expected = hmac.new(
            b"s3cret", timestamp.encode() + b"." + request.body, hashlib.sha256
        ).hexdigest()
        assert request.headers["X-Gongzhi-Signature"] == f"sha256={expected}"

    def test_it_fails_on_a_non_2xx_answer(self, world, make_channel, delivery_to, http_server):
        http_server.answer((503, {"message": "busy"}))
        channel = make_channel(ChannelKind.WEBHOOK, world.community_a, http_server.url())
        delivery = delivery_to(channel)
        assert deliver(delivery.pk) == DeliveryStatus.FAILED
        delivery.refresh_from_db()
        assert delivery.response_code == 503
        assert delivery.last_error == '第1次：HTTP 503：{"message": "busy"}'


class TestWeCom:
    def test_it_sends_text_as_the_robot_api_expects(
        self, world, make_channel, delivery_to, http_server
    ):
        channel = make_channel(
            ChannelKind.WECOM,
            world.community_a,
            http_server.url("/cgi-bin/webhook/send?key=KEY-1"),
            options={"mentioned_mobile_list": ["@all"]},
        )
        sent(delivery_to(channel, url="https://gz.example.cn/cases/9/"))
        request = http_server.requests[0]
        assert request.query == {"key": "KEY-1"}
        assert request.json == {
            "msgtype": "text",
            "text": {
                "content": "【共治】事项超时\n幸福小区1栋漏水，已超过办结时限\n接收人：staff_a\n"
                "https://gz.example.cn/cases/9/",
                "mentioned_mobile_list": ["@all"],
            },
        }

    def test_it_sends_markdown(self, world, make_channel, delivery_to, http_server):
        channel = make_channel(
            ChannelKind.WECOM,
            world.community_a,
            http_server.url(),
            message_format=MessageFormat.MARKDOWN,
        )
        sent(delivery_to(channel, url="https://gz.example.cn/cases/9/"))
        body = http_server.requests[0].json
        assert body["msgtype"] == "markdown"
        assert body["markdown"]["content"] == (
            "### 事项超时\n\n幸福小区1栋漏水，已超过办结时限\n\n> 类别：事项已超时（红灯）\n"
            "> 接收人：staff_a\n\n[查看详情](https://gz.example.cn/cases/9/)"
        )

    def test_it_cuts_text_to_the_robots_limit(self, world, make_channel, delivery_to, http_server):
        channel = make_channel(ChannelKind.WECOM, world.community_a, http_server.url())
        sent(delivery_to(channel, body="漏" * 3000))
        assert len(http_server.requests[0].json["text"]["content"].encode()) <= 2048

    def test_it_fails_on_an_errcode(self, world, make_channel, delivery_to, http_server):
        http_server.answer((200, {"errcode": 93000, "errmsg": "invalid webhook url"}))
        channel = make_channel(ChannelKind.WECOM, world.community_a, http_server.url())
        delivery = delivery_to(channel)
        assert deliver(delivery.pk) == DeliveryStatus.FAILED
        delivery.refresh_from_db()
        assert delivery.last_error == "第1次：机器人返回错误 errcode=93000：invalid webhook url"


class TestDingTalk:
    def test_it_signs_the_url_as_dingtalk_checks_it(
        self, world, make_channel, delivery_to, http_server
    ):
        secret = "SECa1b2c3"
        channel = make_channel(
            ChannelKind.DINGTALK,
            world.community_a,
            http_server.url("/robot/send?access_token=TOKEN"),
            secret=secret,
        )
        sent(delivery_to(channel))
        request = http_server.requests[0]
        # What DingTalk does on its side: recompute the signature from the timestamp.
        timestamp = request.query["timestamp"]
        digest = hmac.new(
            secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256
        ).digest()
        assert request.query["access_token"] == "TOKEN"
        assert request.query["sign"] == base64.b64encode(digest).decode()
        assert request.json == {
            "msgtype": "text",
            "text": {
                "content": "【共治】事项超时\n幸福小区1栋漏水，已超过办结时限\n接收人：staff_a"
            },
        }

    def test_it_sends_markdown_with_a_title(self, world, make_channel, delivery_to, http_server):
        channel = make_channel(
            ChannelKind.DINGTALK,
            world.community_a,
            http_server.url("/robot/send?access_token=T"),
            message_format=MessageFormat.MARKDOWN,
        )
        sent(delivery_to(channel))
        request = http_server.requests[0]
        assert "sign" not in request.query
        assert request.json["msgtype"] == "markdown"
        assert request.json["markdown"]["title"] == "事项超时"
        assert request.json["markdown"]["text"].startswith("### 事项超时")

    def test_it_fails_on_an_errcode(self, world, make_channel, delivery_to, http_server):
        http_server.answer((200, {"errcode": 310000, "errmsg": "sign not match"}))
        channel = make_channel(ChannelKind.DINGTALK, world.community_a, http_server.url())
        delivery = delivery_to(channel)
        assert deliver(delivery.pk) == DeliveryStatus.FAILED
        delivery.refresh_from_db()
        assert "errcode=310000：sign not match" in delivery.last_error


class TestEmail:
    def test_it_sends_through_djangos_email_backend(self, world, make_channel, delivery_to):
        user = world.user("community_a")
        user.email = "staff_a@example.cn"
        user.save(update_fields=["email"])
        channel = make_channel(
            ChannelKind.EMAIL, world.county, options={"from_email": "gongzhi@example.cn"}
        )
        sent(delivery_to(channel, url="https://gz.example.cn/cases/9/"))
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert (message.subject, message.from_email, message.to) == (
            "【共治】事项超时",
            "gongzhi@example.cn",
            ["staff_a@example.cn"],
        )
        assert message.body == "幸福小区1栋漏水，已超过办结时限\n\nhttps://gz.example.cn/cases/9/"


class TestSms:
    @pytest.fixture
    def with_phone(self, world, resident_a):
        user = world.user("community_a")
        user.person = resident_a  # phone 13812345678
        user.save(update_fields=["person"])
        return user

    def test_it_posts_the_template_to_an_http_gateway(
        self, world, make_channel, delivery_to, http_server, with_phone
    ):
        channel = make_channel(
            ChannelKind.SMS,
            world.county,
            http_server.url("/sms"),
            secret="tok",
            options={
                "gateway": "http",
                "template": '{"to": "{phone}", "content": "{text}", "sign": "{sign}"}',
                "sign": "共治",
                "success_field": "code",
            },
        )
        http_server.answer((200, {"code": 0}))
        sent(delivery_to(channel, body='含"引号"'))
        request = http_server.requests[0]
        assert request.headers["Authorization"] == "Bearer tok"
        assert request.json == {
            "to": "13812345678",
            "content": '【共治】事项超时：含"引号"',
            "sign": "共治",
        }

    def test_it_fails_when_the_gateway_says_so(
        self, world, make_channel, delivery_to, http_server, with_phone
    ):
        channel = make_channel(
            ChannelKind.SMS,
            world.county,
            http_server.url("/sms"),
            options={"gateway": "http", "success_field": "code"},
        )
        http_server.answer((200, {"code": 17, "msg": "余额不足"}))
        delivery = delivery_to(channel)
        assert deliver(delivery.pk) == DeliveryStatus.FAILED
        delivery.refresh_from_db()
        assert delivery.last_error == "第1次：短信网关返回 code=17"

    def test_the_logging_gateway_only_logs(self, world, make_channel, delivery_to, with_phone):
        LoggingSmsGateway.outbox.clear()
        channel = make_channel(ChannelKind.SMS, world.county, options={"gateway": "log"})
        sent(delivery_to(channel, body=""))
        assert LoggingSmsGateway.outbox == [("13812345678", "【共治】事项超时")]


def test_payloads_are_plain_json_utf8(world, make_channel, delivery_to, http_server):
    channel = make_channel(ChannelKind.WECOM, world.community_a, http_server.url())
    sent(delivery_to(channel))
    assert json.loads(http_server.requests[0].body.decode("utf-8"))["text"]["content"]
    assert "事项超时".encode() in http_server.requests[0].body
