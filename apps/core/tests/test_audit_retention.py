"""Audit retention (MLPS 2.0 level 3, 网络安全法 art. 21): at least six months in the database,
then archive files whose chain still verifies, end to end with the database's chain."""

import gzip
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from apps.core import audit
from apps.core.checks import audit_retention
from apps.core.models import AuditEvent, AuditHead

pytestmark = pytest.mark.django_db


def _events(actor, ages_in_days):
    now = timezone.now()
    for i, age in enumerate(ages_in_days):
        event = audit.record(actor=actor, verb="update", object_type="test.thing", object_id=i)
        AuditEvent.objects.filter(pk=event.pk).update(at=now - timedelta(days=age))
    audit.seal()


def test_a_retention_under_six_months_is_refused(settings, tmp_path, world):
    settings.AUDIT_RETENTION_DAYS = 90
    assert [e.id for e in audit_retention()] == ["gongzhi.E001"]
    with pytest.raises(CommandError, match="少于法定的六个月"):
        call_command("audit", "archive", "--dir", str(tmp_path))
    settings.AUDIT_RETENTION_DAYS = 186
    assert audit_retention() == []


def test_archiving_keeps_the_young_events_and_the_chain_verifiable(settings, tmp_path, world):
    settings.AUDIT_RETENTION_DAYS = 200
    _events(world.user("admin"), [400, 300, 250, 100, 10, 0])
    call_command("audit", "archive", "--dir", str(tmp_path))
    assert AuditEvent.objects.count() == 3  # 100, 10 and 0 days old stay
    files = sorted(tmp_path.glob("audit-*.jsonl.gz"))
    assert len(files) == 1
    with gzip.open(files[0], "rt") as lines:
        assert [json.loads(line)["seq"] for line in lines] == [1, 2, 3]
    assert list(audit.verify_chain()) == []
    assert list(audit.verify_archive(files)) == []
    call_command("audit", "verify")
    call_command("audit", "verify-archive", "--dir", str(tmp_path))
    head = AuditHead.objects.get(pk=1)
    assert (head.archived_seq, head.archived_count, head.count) == (3, 3, 6)
    # 191 days later the 100- and 10-day-old events are old too: a second file links on
    later = audit.archive(tmp_path, now=timezone.now() + timedelta(days=191))
    assert (later.first_seq, later.last_seq, later.count) == (4, 5, 2)
    files = sorted(tmp_path.glob("audit-*.jsonl.gz"))
    assert len(files) == 2 and AuditEvent.objects.count() == 1
    assert list(audit.verify_archive(files)) == [] and list(audit.verify_chain()) == []


def test_a_tampered_or_missing_archive_is_found(settings, tmp_path, world):
    settings.AUDIT_RETENTION_DAYS = 200
    _events(world.user("admin"), [400, 300, 0])
    call_command("audit", "archive", "--dir", str(tmp_path))
    [path] = tmp_path.glob("audit-*.jsonl.gz")
    with gzip.open(path, "rt") as lines:
        rows = [json.loads(line) for line in lines]
    rows[0]["object_repr"] = "改过"
    with gzip.open(path, "wt") as out:
        out.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    with pytest.raises(CommandError, match="归档校验失败"):
        call_command("audit", "verify-archive", "--dir", str(tmp_path))
    path.unlink()  # and a missing file: the database's chain no longer links to any
    assert any("衔接" in p.message or "接不上" in p.message for p in audit.verify_archive([]))


def test_removing_old_events_without_archiving_is_still_detected(settings, world):
    _events(world.user("admin"), [400, 300, 0])
    AuditEvent.objects.filter(seq=1).delete()
    assert list(audit.verify_chain())
