import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction

from apps.core import audit
from apps.core.audit import seal, verify_chain
from apps.core.models import AuditEvent, AuditHead

pytestmark = pytest.mark.django_db

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks and concurrent commits: PostgreSQL"
)


def _record(actor, i):
    return audit.record(
        actor=actor,
        verb="update",
        object_type="test.thing",
        object_id=i,
        object_repr=f"事物{i}",
        changes={"n": [i, i + 1]},
    )


def _three_events(actor, *, sealed=True):
    for i in range(3):
        _record(actor, i)
    if sealed:
        assert seal() == 3


def test_it_chains_events_and_verifies_clean(world):
    _three_events(world.user("admin"))
    assert list(verify_chain()) == []
    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[0].prev_hash == "0" * 64
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    head = AuditHead.objects.get()
    assert (head.count, head.last_seq, head.last_hash) == (3, 3, events[-1].hash)


def test_a_recorded_event_is_unsealed_until_the_sealer_chains_it(world):
    event = _record(world.user("admin"), 1)
    event.refresh_from_db()
    assert (event.seq, event.hash, event.prev_hash) == (None, None, "")
    assert AuditHead.objects.filter(pk=1, count__gt=0).exists() is False
    assert seal() == 1
    assert seal() == 0  # nothing left: a second sealer finds no work
    event.refresh_from_db()
    assert event.seq == 1 and event.prev_hash == "0" * 64 and len(event.hash) == 64


def test_verify_seals_the_unsealed_events_first(world, capsys):
    _three_events(world.user("admin"))
    _record(world.user("admin"), 9)
    assert audit.unsealed_count() == 1
    call_command("audit", "verify")
    assert "审计链完整：共 4 条记录（其中本次封存 1 条）" in capsys.readouterr().out
    assert audit.unsealed_count() == 0


def test_the_writer_queues_a_seal_when_its_transaction_commits(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        event = _record(world.user("admin"), 1)
    event.refresh_from_db()
    assert event.seq == 1  # the immediate backend of the tests seals at once


def test_it_detects_an_edited_event(world):
    _three_events(world.user("admin"))
    middle = AuditEvent.objects.order_by("seq")[1]
    AuditEvent.objects.filter(pk=middle.pk).update(object_repr="篡改")
    messages = [p.message for p in verify_chain()]
    assert messages == [f"第{middle.pk}条审计记录内容被修改"]


def test_it_detects_a_deleted_event(world):
    _three_events(world.user("admin"))
    _first, middle, last = AuditEvent.objects.order_by("seq")
    AuditEvent.objects.filter(pk=middle.pk).delete()
    messages = [p.message for p in verify_chain()]
    assert f"第{last.pk}条之前的审计记录被删除或替换" in messages


def test_it_detects_a_sealed_event_put_back_among_the_unsealed(world):
    """Clearing an event's seal does not launder it: it is sealed again at the end, and the
    hole it leaves breaks the chain."""
    _three_events(world.user("admin"))
    _first, middle, last = AuditEvent.objects.order_by("seq")
    AuditEvent.objects.filter(pk=middle.pk).update(
        seq=None, hash=None, prev_hash="", object_repr="篡改"
    )
    messages = [p.message for p in verify_chain()]
    assert f"第{last.pk}条之前的审计记录被删除或替换" in messages


def test_it_detects_a_truncated_tail(world):
    _three_events(world.user("admin"))
    AuditEvent.objects.order_by("-seq").first().delete()
    messages = [p.message for p in verify_chain()]
    assert "最新的审计记录被删除（链头与最后一条不符）" in messages


def test_it_fails_the_verify_command_on_tampering(world, capsys):
    _three_events(world.user("admin"))
    call_command("audit", "verify")
    assert "审计链完整：共 3 条记录" in capsys.readouterr().out
    AuditEvent.objects.filter(pk=AuditEvent.objects.order_by("seq").first().pk).update(verb="x")
    with pytest.raises(CommandError, match="审计链校验失败：发现 1 处问题"):
        call_command("audit", "verify")


# --- concurrency (PostgreSQL) ---------------------------------------------------------------


@pytest.fixture
def no_seal_on_commit(monkeypatch):
    """Seal only when the test says so (the tests' immediate backend seals on every commit)."""
    monkeypatch.setattr(audit, "seal_soon", lambda: None)


def _in_thread(target, *args):
    """Run `target` on a connection of its own; re-raise its exception here."""
    failure: list[BaseException] = []

    def body():
        try:
            target(*args)
        except BaseException as exc:  # handed to the test thread
            failure.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=body)
    thread.start()
    return thread, failure


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_the_chain_follows_commit_order_not_id_order(world, no_seal_on_commit):
    admin = world.user("admin")
    inserted, go_on = threading.Event(), threading.Event()
    slow_id: list[int] = []

    def slow_writer():
        with transaction.atomic():
            slow_id.append(_record(admin, 1).pk)  # takes the lower id …
            inserted.set()
            assert go_on.wait(10)
        # … and commits last

    thread, failure = _in_thread(slow_writer)
    assert inserted.wait(10)
    with transaction.atomic():
        fast = _record(admin, 2)
    assert fast.pk > slow_id[0]
    assert seal() == 1  # the uncommitted event is not visible, so not sealed
    go_on.set()
    thread.join(10)
    assert not failure
    assert seal() == 1
    order = list(AuditEvent.objects.order_by("seq").values_list("pk", flat=True))
    assert order == [fast.pk, slow_id[0]]
    assert list(verify_chain()) == []


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_a_writer_does_not_wait_for_a_sealer_holding_the_head(world, no_seal_on_commit):
    admin = world.user("admin")
    seal()  # the head row exists
    locked, release = threading.Event(), threading.Event()

    def sealer_holding_the_head():
        with transaction.atomic():
            AuditHead.objects.select_for_update().get(pk=1)
            locked.set()
            assert release.wait(10)

    thread, failure = _in_thread(sealer_holding_the_head)
    assert locked.wait(10)
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            _record(admin, 1)  # would fail with a lock timeout if writers locked the head
    finally:
        release.set()
        thread.join(10)
    assert not failure


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_and_sealers_make_one_unbroken_chain(world):
    admin = world.user("admin")
    writers, per_writer = 6, 15

    def writer(n):
        for i in range(per_writer):
            with transaction.atomic():
                _record(admin, n * 100 + i)
                if i % 5 == 0:
                    _record(admin, n * 100 + i + 50)  # two events in one transaction
            if i % 4 == 0:
                seal()

    threads = [_in_thread(writer, n) for n in range(writers)]
    for thread, failure in threads:
        thread.join(60)
        assert not failure
    seal()
    expected = writers * (per_writer + 3)
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, expected + 1))
    assert list(verify_chain()) == []
    assert AuditHead.objects.get().count == expected
