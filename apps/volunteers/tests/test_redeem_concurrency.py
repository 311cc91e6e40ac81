"""Concurrent redemptions never overdraw a balance or a stock: 20 threads, each on its own
database connection (real transactions, real row locks on PostgreSQL)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from apps.volunteers.actions import do_grant_points, do_redeem
from apps.volunteers.models import PointsAccount, PointsEntry, RewardItem

from .helpers import volunteer

THREADS = 20


@pytest.mark.django_db(transaction=True)
def test_it_never_overdraws_under_concurrency(world):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip(
            "in-memory SQLite fails concurrent writers instead of waiting; runs on PostgreSQL"
        )
    v, user = volunteer(world, "王芳")
    do_grant_points(v, 100, actor=world.user("community_a"), note="奖励")
    item = RewardItem.objects.create(community=world.community_a, name="毛巾", cost=30, stock=50)
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def redeem() -> None:
        try:
            barrier.wait(timeout=60)
            try:
                do_redeem(v, item, actor=user)
                result = "ok"
            except ValidationError as exc:
                result = exc.messages[0]
            with lock:
                outcomes.append(result)
        finally:
            connection.close()

    threads = [threading.Thread(target=redeem) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("ok") == 3
    assert outcomes.count("积分不足：余额 10 分，需要 30 分") == THREADS - 3
    assert PointsAccount.objects.get(volunteer=v).balance == 10
    assert PointsEntry.objects.filter(account__volunteer=v, kind="redeemed").count() == 3
    item.refresh_from_db()
    assert item.stock == 47
