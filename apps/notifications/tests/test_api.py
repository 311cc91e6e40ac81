from apps.notifications.models import Notification


def note(user, title="通知", **fields) -> Notification:
    return Notification.objects.create(recipient=user, title=title, kind="case.overdue", **fields)


class TestInboxApi:
    def test_it_lists_my_notifications_unread_first(self, world, client_as):
        me = world.user("community_a")
        read = note(me, "已读", read_at="2026-01-01T00:00:00+08:00")
        unread = note(me, "未读", url="/cases/3/")
        note(world.user("outsider_b"), "别人的")
        response = client_as("community_a").get("/api/v1/notifications/")
        assert response.status_code == 200
        body = response.json()
        assert body["count"] == 2
        assert [(i["id"], i["is_read"]) for i in body["items"]] == [
            (unread.pk, False),
            (read.pk, True),
        ]
        assert body["items"][0]["kind_label"] == "事项已超时（红灯）"
        assert body["items"][0]["url"] == "/cases/3/"
        only_unread = client_as("community_a").get("/api/v1/notifications/?unread=true").json()
        assert [i["id"] for i in only_unread["items"]] == [unread.pk]

    def test_it_counts_and_marks_read(self, world, client_as):
        client = client_as("community_a")
        n = note(world.user("community_a"))
        assert client.get("/api/v1/notifications/unread-count").json() == {"unread": 1}
        first = client.post(f"/api/v1/notifications/{n.pk}/read").json()
        again = client.post(f"/api/v1/notifications/{n.pk}/read").json()
        assert (first["changed"], again["changed"]) == (True, False)
        assert first["read_at"] == again["read_at"] is not None
        assert client.get("/api/v1/notifications/unread-count").json() == {"unread": 0}

    def test_it_hides_other_peoples_notifications(self, world, client_as):
        n = note(world.user("outsider_b"))
        response = client_as("community_a").post(f"/api/v1/notifications/{n.pk}/read")
        assert response.status_code == 404
        n.refresh_from_db()
        assert n.read_at is None

    def test_it_wants_a_login(self, db, client):
        assert client.get("/api/v1/notifications/unread-count").status_code == 401
