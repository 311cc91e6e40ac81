"""The field app offline (issue 18, items 1 and 3) on a phone in Chromium: visits recorded with
the network off arrive exactly once, with the time they were recorded, when it returns; a
logout with records still queued warns and keeps them; a new version of the app (a new service
worker, new caches) still sends what the old one queued.

Clocks: the frozen_clock fixture freezes the page's clock (Playwright's clock) and the server's;
the service worker keeps the real clock, and nothing here depends on it: the times that count
are taken by the page when the form is submitted. The network is cut with
`context.set_offline` (pages and the service worker), or, where the test needs the site
reachable but the outbox failing, by answering /outbox/submit/ with 503 through
`context.route` (which also sees the service worker's requests)."""

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from apps.accounts.choices import Role
from apps.core.testing.factories import DutyFactory, PersonFactory, make_place, make_user
from apps.outbox.models import Receipt
from apps.places.choices import PlaceKind
from apps.visits.actions import do_create_plan, do_generate_cycle
from apps.visits.models import VisitRecord, VisitTask

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tasks(frozen_clock, world):
    """party_a's three Friday household visits of the frozen week."""
    member = PersonFactory(name="刘党员", place=world.household_a)
    make_user("party_a", Role.PARTY_MEMBER, world.community_a, person=member)
    households = [
        world.household_a,
        make_place(PlaceKind.HOUSEHOLD, "201室", world.unit_a),
        make_place(PlaceKind.HOUSEHOLD, "301室", world.unit_a),
    ]
    for household in households:
        DutyFactory(person=member, place=household, kind="baolian")
    plan = do_create_plan(
        actor=world.user("community_a"),
        name="周五入户",
        kind="household",
        scope=world.community_a,
        rule="FREQ=WEEKLY;BYDAY=FR",
        start_date=dt.date(2025, 1, 3),
        duty_kinds=["baolian"],
        checklist=["政策宣传"],
        window_days=6,
    )
    today = frozen_clock.today
    do_generate_cycle(plan, today - dt.timedelta(days=(today.weekday() - 4) % 7))
    return [VisitTask.objects.get(place=h) for h in households]


def controlled(page: Page) -> None:
    """Wait until the service worker is active and controls the page."""
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.ready")
    if not page.evaluate("!!navigator.serviceWorker.controller"):
        page.reload()
    page.wait_for_function("!!navigator.serviceWorker.controller")


def record_visit(page: Page, base: str, task: VisitTask, notes: str) -> None:
    page.goto(f"{base}/visits/tasks/{task.pk}/")
    page.get_by_label("政策宣传").check()
    page.fill("#id_notes", notes)
    page.get_by_role("button", name="完成走访").click()


def queued(page: Page) -> int:
    return page.evaluate("GongzhiOutbox.list().then(all => all.length)")


def test_visits_recorded_offline_arrive_once_with_the_times_they_were_recorded(
    frozen_clock, page: Page, live_server, login, tasks
):
    base = live_server.url
    login(page, live_server, "party_a")
    page.goto(f"{base}/visits/")
    controlled(page)
    # 今日任务 keeps its tasks' pages on the phone and says when
    expect(page.locator("#outbox-synced")).to_contain_text("本机数据同步于")

    page.context.set_offline(True)
    times = []
    for i, task in enumerate(tasks):
        moment = frozen_clock.moment - dt.timedelta(minutes=40 - 10 * i)  # 09:20, 09:30, 09:40
        page.clock.set_system_time(moment)
        times.append(moment)
        record_visit(page, base, task, f"第{i + 1}户，离线登记")
        expect(page.locator(".outbox-notice")).to_contain_text("已保存在本机")
        expect(page.locator("#outbox-status")).to_contain_text(f"{i + 1} 条待上传")
    expect(page.locator("#outbox-status")).to_contain_text("网络不通")
    assert VisitRecord.objects.count() == 0

    page.context.set_offline(False)  # the page's `online` event (and Background Sync) send them
    expect(page.locator("#outbox-status")).to_be_hidden(timeout=20_000)
    assert queued(page) == 0
    records = list(VisitRecord.objects.order_by("visited_at"))
    # each at the moment the page recorded it (the page's clock ticks on for a few hundred ms)
    for record, moment in zip(records, times, strict=True):
        assert moment <= record.visited_at < moment + dt.timedelta(seconds=30)
    assert [r.task_id for r in records] == [t.pk for t in tasks]
    assert [r.notes for r in records] == ["第1户，离线登记", "第2户，离线登记", "第3户，离线登记"]
    assert Receipt.objects.count() == 3
    # opening the app again sends nothing twice
    page.goto(f"{base}/visits/")
    page.wait_for_load_state("networkidle")
    assert VisitRecord.objects.count() == 3


def fail_outbox(page: Page) -> None:
    page.context.route(
        "**/outbox/submit/",
        lambda route: route.fulfill(
            status=503,
            content_type="application/json",
            body='{"error": "服务器维护中，稍后自动重试"}',
        ),
    )


def test_logout_with_a_queue_warns_and_keeps_it_for_the_same_account(
    frozen_clock, page: Page, live_server, login, tasks
):
    base = live_server.url
    login(page, live_server, "party_a")
    page.goto(f"{base}/visits/")
    controlled(page)
    fail_outbox(page)
    record_visit(page, base, tasks[0], "服务器维护时登记")
    expect(page.locator("#outbox-status")).to_contain_text(
        "1 条待上传（服务器维护中，稍后自动重试）"
    )

    dialogs: list[str] = []

    def answer(dialog) -> None:  # type: ignore[no-untyped-def]
        dialogs.append(dialog.message)
        dialog.dismiss() if len(dialogs) == 1 else dialog.accept()

    page.on("dialog", answer)
    page.locator(".nav-burger").click()  # the menu of a phone
    page.get_by_role("button", name="退出").click()  # first: cancelled, still signed in
    expect(page.locator("#outbox-status")).to_be_visible()
    assert "/accounts/login/" not in page.url
    with page.expect_navigation():
        page.get_by_role("button", name="退出").click()  # then: confirmed
    assert len(dialogs) == 2
    assert "本机还有 1 条记录未上传" in dialogs[0] and "party_a" in dialogs[0]
    page.wait_for_load_state("networkidle")
    count = page.evaluate(
        """() => new Promise(ok => {
             const r = indexedDB.open("gongzhi-outbox");
             r.onsuccess = () => {
               const q = r.result.transaction("entries").objectStore("entries").count();
               q.onsuccess = () => ok(q.result);
             };
           })"""
    )
    assert count == 1 and VisitRecord.objects.count() == 0

    page.context.unroute("**/outbox/submit/")
    login(page, live_server, "party_a")  # the same account: sent at the app's start
    expect(page.locator("#outbox-status")).to_be_hidden(timeout=20_000)
    record = VisitRecord.objects.get()
    assert record.notes == "服务器维护时登记"
    assert abs(record.visited_at - frozen_clock.moment) < dt.timedelta(minutes=5)  # the page's time
    # what was sent is listed on the phone for this account, until its logout
    assert page.evaluate("GongzhiOutbox.history().then(h => h.map(x => x.state))") == ["sent"]
    page.locator(".nav-burger").click()
    with page.expect_navigation():
        page.get_by_role("button", name="退出").click()
    page.wait_for_load_state("networkidle")
    left = page.evaluate(
        """() => new Promise(ok => {
             const r = indexedDB.open("gongzhi-outbox");
             r.onsuccess = () => {
               const q = r.result.transaction("meta").objectStore("meta").get("history");
               q.onsuccess = () => ok((q.result || []).length);
             };
           })"""
    )
    assert left == 0 and len(dialogs) == 2  # nothing waited: no question


def sw_version(page: Page, base: str) -> str:
    found = re.search(r'var VERSION = "(\w+)"', page.request.get(f"{base}/sw.js").text())
    assert found
    return found.group(1)


def cache_names(page: Page) -> list[str]:
    return sorted(page.evaluate("caches.keys()"))


def test_a_new_version_of_the_app_still_sends_what_the_old_one_queued(
    frozen_clock, page: Page, live_server, login, tasks, settings
):
    base = live_server.url
    login(page, live_server, "party_a")
    page.goto(f"{base}/visits/")
    controlled(page)
    old = sw_version(page, base)
    page.wait_for_function(f"caches.keys().then(n => n.includes('gongzhi-shell-{old}'))")
    fail_outbox(page)
    record_visit(page, base, tasks[1], "旧版本排队的记录")
    expect(page.locator("#outbox-status")).to_contain_text("1 条待上传")

    settings.GONGZHI_APP_VERSION = "2026-12-05"  # a deployment
    new = sw_version(page, base)
    assert new != old
    page.goto(f"{base}/visits/")
    page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.update())")
    page.wait_for_function(  # the new version's caches, none of the old one's
        f"caches.keys().then(n => n.includes('gongzhi-shell-{new}')"
        f" && !n.some(c => c.endsWith('{old}')))"
    )
    assert f"gongzhi-shell-{new}" in cache_names(page)
    assert VisitRecord.objects.count() == 0

    page.context.unroute("**/outbox/submit/")
    page.reload()  # the app starts again: the new version sends the old entry
    expect(page.locator("#outbox-status")).to_be_hidden(timeout=20_000)
    assert VisitRecord.objects.get().notes == "旧版本排队的记录"
    assert VisitRecord.objects.get().task_id == tasks[1].pk
