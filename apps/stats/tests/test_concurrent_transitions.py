"""Rollups stay right when many transactions change cases of the same rollup row at once
(each thread its own connection: real transactions; PostgreSQL and file SQLite)."""

import threading

import pytest
from django.db import connection

from apps.cases.actions import do_transition
from apps.cases.models import Case
from apps.cases.tests.helpers import make_case
from apps.stats.models import CaseRollup
from apps.stats.rollups import verify

THREADS = 12


@pytest.mark.django_db(transaction=True)
def test_it_keeps_counts_under_concurrent_transitions(world):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("in-memory SQLite fails concurrent writers instead of waiting")
    staff = world.user("community_a")
    cases = [make_case(world, title=f"并发{i}") for i in range(THREADS * 2)]
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def work(mine: list[Case]) -> None:
        try:
            barrier.wait(timeout=60)
            for case in mine:
                case = do_transition(case, "accept", actor=staff)
                do_transition(case, "dispatch", actor=staff)
            make_case(world, title="并发新建")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(cases[i::THREADS],)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert errors == []
    assert verify() == []
    dispatched = CaseRollup.objects.filter(status="dispatched").values_list("n", "responded")
    assert sum(n for n, _ in dispatched) == THREADS * 2
    assert sum(r for _, r in dispatched) == THREADS * 2
    assert sum(CaseRollup.objects.values_list("n", flat=True)) == THREADS * 3
