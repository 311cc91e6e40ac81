import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.core import audit
from apps.core.audit import verify_chain
from apps.core.models import AuditEvent, AuditHead

pytestmark = pytest.mark.django_db


def _three_events(actor):
    for i in range(3):
        audit.record(
            actor=actor,
            verb="update",
            object_type="test.thing",
            object_id=i,
            object_repr=f"事物{i}",
            changes={"n": [i, i + 1]},
        )


def test_it_chains_events_and_verifies_clean(world):
    _three_events(world.user("admin"))
    assert list(verify_chain()) == []
    events = list(AuditEvent.objects.order_by("id"))
    assert events[0].prev_hash == "0" * 64
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert AuditHead.objects.get().count == 3


def test_it_detects_an_edited_event(world):
    _three_events(world.user("admin"))
    middle = AuditEvent.objects.order_by("id")[1]
    AuditEvent.objects.filter(pk=middle.pk).update(object_repr="篡改")
    messages = [p.message for p in verify_chain()]
    assert messages == [f"第{middle.pk}条审计记录内容被修改"]


def test_it_detects_a_deleted_event(world):
    _three_events(world.user("admin"))
    _first, middle, last = AuditEvent.objects.order_by("id")
    AuditEvent.objects.filter(pk=middle.pk).delete()
    messages = [p.message for p in verify_chain()]
    assert f"第{last.pk}条之前的审计记录被删除或替换" in messages


def test_it_detects_a_truncated_tail(world):
    _three_events(world.user("admin"))
    AuditEvent.objects.order_by("-id").first().delete()
    messages = [p.message for p in verify_chain()]
    assert "最新的审计记录被删除（链头与最后一条不符）" in messages


def test_it_fails_the_verify_command_on_tampering(world, capsys):
    _three_events(world.user("admin"))
    call_command("audit", "verify")
    assert "审计链完整：共 3 条记录" in capsys.readouterr().out
    AuditEvent.objects.filter(pk=AuditEvent.objects.order_by("id").first().pk).update(verb="x")
    with pytest.raises(CommandError, match="审计链校验失败：发现 1 处问题"):
        call_command("audit", "verify")
