from datetime import time, timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from apps.accounts.choices import Role
from apps.core.tasks import capture_tasks, run_task
from apps.core.testing.factories import make_user
from apps.notifications.choices import ChannelKind, DeliveryStatus, NotificationKind
from apps.notifications.models import Delivery, Notification, Preference, QuietHours
from apps.notifications.services import notify


@pytest.fixture
def staff(world):
    a, grid, b = world.user("community_a"), world.user("grid_worker_a"), world.user("outsider_b")
    for user in (a, grid, b):
        user.email = f"{user.username}@example.cn"
        user.save(update_fields=["email"])
    return a, grid, b


def send(users, title="新派单", kind="general", **kwargs):
    """Run the task the way a worker does, with the arguments other apps pass."""
    with capture_tasks() as queued:
        created = run_task(
            "notifications.send",
            ([u.pk for u in users], title, "请及时处理"),
            {"kind": kind, **kwargs},
        )
    return created, queued


class TestSend:
    def test_it_puts_one_notification_in_each_active_inbox(self, world, staff):
        a, grid, b = staff
        b.is_active = False
        b.save(update_fields=["is_active"])
        created, _ = send([a, grid, b], url="/cases/7/", object_type="cases.case", object_id=7)
        assert created == 2
        rows = Notification.objects.order_by("recipient_id")
        assert [(n.recipient, n.title, n.url, n.object_id) for n in rows] == [
            (a, "新派单", "/cases/7/", "7"),
            (grid, "新派单", "/cases/7/", "7"),
        ]
        assert len({n.batch for n in rows}) == 1

    @pytest.mark.parametrize("with_channel", [False, True])
    def test_a_long_list_of_recipients_is_read_as_a_short_one(
        self, world, staff, make_channel, with_channel
    ):
        """Lists of up to 8 ids are read by compiled queries, longer ones by the ORM: the
        same inboxes either way (an inactive account left out)."""
        if with_channel:
            make_channel(ChannelKind.WEBHOOK, world.county)
        users = [make_user(f"many{i}", Role.VOLUNTEER, world.community_a) for i in range(10)]
        users[3].is_active = False
        users[3].save(update_fields=["is_active"])
        for group in (users[:2], users[:9], users):
            Notification.objects.all().delete()
            created, _ = send(group)
            active = [u.pk for u in group if u.is_active]
            assert created == len(active)
            assert sorted(Notification.objects.values_list("recipient_id", flat=True)) == active

    def test_it_posts_once_per_group_channel_for_the_users_it_covers(
        self, world, staff, make_channel
    ):
        a, grid, _ = staff
        robot_a = make_channel(ChannelKind.WECOM, world.community_a, "http://127.0.0.1:9/a")
        make_channel(ChannelKind.DINGTALK, world.community_b, "http://127.0.0.1:9/b")
        _, queued = send([a, grid])
        deliveries = list(Delivery.objects.all())
        assert [(d.channel, d.audience) for d in deliveries] == [(robot_a, [str(a), str(grid)])]
        assert queued == [("notifications.deliver", (deliveries[0].pk,), {})]

    def test_it_sends_personal_channels_per_user_from_the_nearest_channel(
        self, world, staff, make_channel
    ):
        a, _, b = staff
        make_channel(ChannelKind.EMAIL, world.county, name="县邮件")
        town_mail = make_channel(ChannelKind.EMAIL, world.town, name="镇邮件")
        send([a, b])
        rows = Delivery.objects.order_by("recipient_id")
        assert [(d.recipient, d.channel) for d in rows] == [(a, town_mail), (b, town_mail)]

    def test_it_skips_personal_channels_without_an_address(self, world, staff, make_channel):
        a, grid, _ = staff
        grid.email = ""
        grid.save(update_fields=["email"])
        make_channel(ChannelKind.EMAIL, world.county)
        make_channel(ChannelKind.SMS, world.county)
        Preference.objects.create(user=a, kind="", channels=["email", "sms"])
        send([a, grid])
        assert [(d.recipient, d.channel.kind) for d in Delivery.objects.all()] == [(a, "email")]

    def test_it_follows_the_users_preferences(self, world, staff, make_channel):
        a, grid, _ = staff
        make_channel(ChannelKind.WECOM, world.community_a, "http://127.0.0.1:9/a")
        make_channel(ChannelKind.EMAIL, world.county)
        Preference.objects.create(user=grid, kind="", channels=["email"])
        Preference.objects.create(user=a, kind="case.overdue", channels=[])
        send([a, grid], kind="case.overdue")
        send([a, grid], kind="general")
        got = sorted(
            (d.notification.kind, d.channel.kind, ",".join(d.audience))
            for d in Delivery.objects.select_related("notification", "channel")
        )
        assert got == [
            ("case.overdue", "email", str(grid)),
            ("general", "email", str(grid)),
            ("general", "email", str(a)),
            ("general", "wecom", str(a)),
        ]

    def test_it_forwards_only_the_kinds_a_channel_takes(self, world, staff, make_channel):
        a, _, _ = staff
        make_channel(
            ChannelKind.WEBHOOK, world.community_a, "http://127.0.0.1:9/", kinds=["case.overdue"]
        )
        send([a], kind="general")
        assert not Delivery.objects.exists()
        send([a], kind="case.overdue")
        assert Delivery.objects.count() == 1

    def test_it_ignores_disabled_channels(self, world, staff, make_channel):
        make_channel(ChannelKind.WECOM, world.community_a, "http://127.0.0.1:9/", enabled=False)
        send([staff[0]])
        assert not Delivery.objects.exists()

    def test_it_holds_personal_deliveries_until_quiet_hours_end(self, world, staff, make_channel):
        a, _, _ = staff
        make_channel(ChannelKind.EMAIL, world.county)
        now = timezone.localtime()
        start = (now - timedelta(hours=1)).time().replace(second=0, microsecond=0)
        end = (now + timedelta(hours=2)).time().replace(second=0, microsecond=0)
        QuietHours.objects.create(user=a, start=start, end=end)
        _, queued = send([a])
        delivery = Delivery.objects.get()
        assert queued == []
        assert delivery.status == DeliveryStatus.PENDING
        assert timezone.localtime(delivery.next_attempt_at).time() == end
        send([a], kind="ecg.critical")
        urgent = Delivery.objects.get(notification__kind="ecg.critical")
        assert urgent.next_attempt_at <= timezone.now()

    def test_it_treats_a_window_past_midnight(self, world):
        from apps.notifications.routing import in_quiet_hours

        quiet = QuietHours(start=time(22, 0), end=time(7, 0))
        tz = timezone.get_current_timezone()
        late = timezone.datetime(2026, 3, 2, 23, 30, tzinfo=tz)
        noon = timezone.datetime(2026, 3, 2, 12, 0, tzinfo=tz)
        assert in_quiet_hours(quiet, "general", late) == timezone.datetime(
            2026, 3, 3, 7, 0, tzinfo=tz
        )
        assert in_quiet_hours(quiet, "general", noon) is None


class TestNotify:
    def test_it_queues_the_send_task_when_the_write_commits(
        self, world, staff, django_capture_on_commit_callbacks
    ):
        a, grid, _ = staff
        with django_capture_on_commit_callbacks() as callbacks:
            notify([a, grid.pk], "事项超时", "请处理", url="/cases/1/", obj=world.community_a)
        with capture_tasks() as queued:
            for callback in callbacks:
                callback()
        assert queued == [
            (
                "notifications.send",
                (
                    sorted([a.pk, grid.pk]),
                    "事项超时",
                    "请处理",
                    "/cases/1/",
                    "places.place",
                    world.community_a.pk,
                ),
                {"kind": "general"},
            )
        ]

    def test_it_reads_a_query_of_users_after_the_commit(
        self, world, staff, django_capture_on_commit_callbacks
    ):
        from apps.accounts.models import User

        _, grid, _ = staff
        with django_capture_on_commit_callbacks() as callbacks:
            notify(
                User.objects.filter(scope=world.grid_a),
                "新事项",
                "",
                kind=NotificationKind.CASE_STATUS,
            )
            grid.scope = world.community_a  # moved before the commit: no longer in the query
            grid.save(update_fields=["scope"])
        with capture_tasks() as queued:
            for callback in callbacks:
                callback()
        assert queued == []

    def test_it_takes_only_the_kinds_of_the_enum(self, staff):
        with pytest.raises(ValueError):
            notify([staff[0]], "标题", "", kind="case.whatever")  # type: ignore[arg-type]

    def test_every_app_notifies_through_the_one_function(self):
        from pathlib import Path

        apps_dir = Path(__file__).resolve().parents[2]
        senders = sorted(
            str(p.relative_to(apps_dir))
            for p in apps_dir.rglob("*.py")
            if "tests" not in p.parts and '"notifications.send"' in p.read_text()
        )
        assert senders == ["notifications/services.py", "notifications/tasks.py"]

    def test_it_sends_nothing_for_a_rolled_back_write(
        self, world, staff, django_capture_on_commit_callbacks
    ):
        with (
            django_capture_on_commit_callbacks() as callbacks,
            pytest.raises(RuntimeError),
            transaction.atomic(),
        ):
            notify([staff[0]], "不会发出", "")
            raise RuntimeError("rollback")
        assert callbacks == []

    def test_it_delivers_end_to_end_with_the_immediate_backend(
        self, world, staff, make_channel, http_server, django_capture_on_commit_callbacks
    ):
        make_channel(ChannelKind.WECOM, world.community_a, http_server.url("/wecom"))
        with django_capture_on_commit_callbacks(execute=True):
            notify([staff[0]], "新派单", "幸福小区漏水")
        assert Notification.objects.get().title == "新派单"
        assert Delivery.objects.get().status == DeliveryStatus.SENT
        assert "幸福小区漏水" in http_server.requests[0].json["text"]["content"]
