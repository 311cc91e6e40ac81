"""The field app offline, the issue's checks (issue 18): visits with photos, a need and a
finding recorded offline all arrive once, with their photos and times, and the coverage page
counts them; a 20-photo upload cut off in the middle sends only the missing chunks after the
network returns. Also through the outbox offline: the hazard form on a task page drawn from
the synced data (and that page's list of what the phone recorded for the task), 待上传's list of
what was sent, an errand step (办完) and a forest patrol event (上报事件) on pages kept on the
phone, and 未能入户 on a task page drawn from the synced data.

The task pages are never opened online here: offline, the service worker draws them from the
compact sync (/outbox/sync/, kept in IndexedDB) — except the page of the finding, opened once
online (kept by the worker). Clocks: frozen (conftest `frozen_clock`); the times that count are
the page's, taken at the tap."""

import datetime as dt
import io
import random
import re

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from apps.accounts.choices import Role
from apps.cases.models import Case
from apps.cases.tests.helpers import make_category
from apps.core.testing import client_as
from apps.core.testing.factories import DutyFactory, PersonFactory, make_place, make_user
from apps.outbox.models import Receipt, Upload
from apps.places.choices import PlaceKind
from apps.visits.actions import do_create_plan, do_generate_cycle
from apps.visits.models import VisitPhoto, VisitRecord, VisitTask

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tasks(frozen_clock, world):
    """party_a's Friday household visits of the frozen week, in four households."""
    member = PersonFactory(name="刘党员", place=world.household_a)
    make_user("party_a", Role.PARTY_MEMBER, world.community_a, person=member)
    households = [
        world.household_a,
        *(make_place(PlaceKind.HOUSEHOLD, f"{n}01室", world.unit_a) for n in (2, 3, 4)),
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
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.ready")
    if not page.evaluate("!!navigator.serviceWorker.controller"):
        page.reload()
    page.wait_for_function("!!navigator.serviceWorker.controller")


def queued(page: Page) -> int:
    return int(page.evaluate("GongzhiOutbox.list().then(all => all.length)"))


def photo(seed: int, side: int = 500) -> dict[str, object]:
    """A JPEG of noise (it does not shrink when the phone re-encodes it: several chunks)."""
    rng = random.Random(seed)
    image = Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    return {"name": f"现场{seed}.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


def synced(page: Page) -> None:
    page.evaluate(
        """async () => {
          const end = Date.now() + 60000;
          while (!(await GongzhiOutbox.synced())) {
            if (Date.now() > end) throw new Error("没有同步数据");
            await new Promise(r => setTimeout(r, 100));
          }
        }"""
    )


def visit_offline(page: Page, base: str, task_pk: int, notes: str, photos=()) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/visits/tasks/{task_pk}/")
    page.get_by_label("政策宣传").check()
    page.fill("#id_notes", notes)
    if photos:
        page.set_input_files("#id_photos", list(photos))
    page.get_by_role("button", name="完成走访").click()
    expect(page.locator("#visit-form .outbox-notice")).to_contain_text("已保存在本机")


def test_visits_with_photos_a_need_and_a_finding_recorded_offline_arrive_once(
    frozen_clock, page: Page, live_server, login, tasks, world
):
    base = live_server.url
    page.set_default_timeout(60_000)  # the loaded machine: a page may take long to answer
    category = make_category()
    login(page, live_server, "party_a")
    page.goto(f"{base}/visits/")
    controlled(page)
    synced(page)
    expect(page.locator("#outbox-synced")).to_contain_text("本机数据同步于")
    page.goto(f"{base}/visits/tasks/{tasks[2].pk}/")  # opened once online: kept on the phone
    page.goto(f"{base}/visits/")

    page.context.set_offline(True)
    moments = [frozen_clock.moment - dt.timedelta(minutes=m) for m in (50, 40, 30, 20, 10)]
    page.clock.set_system_time(moments[0])
    visit_offline(page, base, tasks[0].pk, "第一户，两张照片", [photo(1), photo(2)])
    expect(page.locator("h1")).to_have_text("101室")  # drawn from the synced data
    page.clock.set_system_time(moments[1])
    page.goto(f"{base}/visits/tasks/{tasks[0].pk}/")
    page.locator("#need summary").click()
    page.select_option("#id_category", str(category.pk))
    page.fill("#id_title", "老人想申请居家养老上门服务")
    page.get_by_role("button", name="登记为诉求").click()
    expect(page.locator("#need-form .outbox-notice")).to_contain_text("已保存在本机")
    # the hazard form on the page drawn from the synced data, and what this phone recorded
    page.locator("#hazard summary").click()
    page.select_option("#id_hazard-category", str(category.pk))
    page.fill("#id_hazard-title", "院墙开裂有倒塌危险")
    page.get_by_role("button", name="登记隐患").click()
    expect(page.locator("#hazard-form .outbox-notice")).to_contain_text("已保存在本机")
    history = page.locator("#ot-history .ot-queued")
    expect(history).to_have_count(3)
    expect(history.first).to_contain_text("待上传 · 入户走访 · 本机记录于")
    page.clock.set_system_time(moments[2])
    visit_offline(page, base, tasks[1].pk, "第二户")
    page.clock.set_system_time(moments[3])
    page.goto(f"{base}/visits/tasks/{tasks[2].pk}/")  # the kept page
    page.locator("#hazard summary").click()
    page.select_option("#id_hazard-category", str(category.pk))
    page.fill("#id_hazard-title", "楼道堆放杂物堵塞消防通道")
    page.get_by_role("button", name="登记隐患").click()
    expect(page.locator("#hazard-form .outbox-notice")).to_contain_text("已保存在本机")
    page.clock.set_system_time(moments[4])
    visit_offline(page, base, tasks[2].pk, "第三户")
    expect(page.locator("#outbox-status")).to_contain_text("6 条待上传")
    assert VisitRecord.objects.count() == 0 and Receipt.objects.count() == 0

    page.context.set_offline(False)
    expect(page.locator("#outbox-status")).to_be_hidden(timeout=60_000)
    assert queued(page) == 0
    records = {r.task_id: r for r in VisitRecord.objects.all()}
    assert set(records) == {t.pk for t in tasks[:3]}
    for task, moment in zip(tasks[:3], (moments[0], moments[2], moments[4]), strict=True):
        assert moment <= records[task.pk].visited_at < moment + dt.timedelta(seconds=30)
    photos = VisitPhoto.objects.filter(record=records[tasks[0].pk])
    assert photos.count() == 2 and {p.content_type for p in photos} == {"image/jpeg"}
    assert Upload.objects.filter(attached_at__isnull=False).count() == 2
    need = Case.objects.get(title="老人想申请居家养老上门服务")
    assert moments[1] <= need.created_at < moments[1] + dt.timedelta(seconds=30)
    hazard = Case.objects.get(title="楼道堆放杂物堵塞消防通道")
    assert hazard.kind == "hazard"
    assert moments[3] <= hazard.created_at < moments[3] + dt.timedelta(seconds=30)
    assert Case.objects.get(title="院墙开裂有倒塌危险").kind == "hazard"
    assert Receipt.objects.count() == 6

    page.goto(f"{base}/visits/")  # the app starts again: nothing sent twice
    page.wait_for_load_state("networkidle")
    assert VisitRecord.objects.count() == 3 and Receipt.objects.count() == 6
    assert Case.objects.filter(kind="hazard").count() == 2
    # 待上传 keeps what was sent, with the times
    page.goto(f"{base}/outbox/")
    sent = page.locator("#outbox-history-list .outbox-past-sent")
    expect(sent).to_have_count(6)
    expect(sent.filter(has_text="发现隐患 · 101室")).to_have_count(1)
    expect(sent.first).to_contain_text("上传于")

    # the coverage page counts them (read over HTTP by the community's staff)
    coverage = client_as(world.user("community_a")).get("/visits/coverage/")
    assert coverage.status_code == 200
    assert re.search(r'id="cov-visited">\s*3 / 4\s*<', coverage.content.decode())


def test_an_upload_cut_off_in_the_middle_sends_only_the_missing_chunks(
    frozen_clock, page: Page, live_server, login, tasks
):
    base = live_server.url
    page.set_default_timeout(60_000)
    login(page, live_server, "party_a")
    page.goto(f"{base}/visits/")
    controlled(page)
    synced(page)
    page.context.set_offline(True)
    # 20 photos, five on each of four visits (a visit takes at most six)
    split = [range(0, 5), range(5, 10), range(10, 15), range(15, 20)]
    for task, seeds in zip(tasks, split, strict=True):
        visit_offline(page, base, task.pk, "二十张照片", [photo(s) for s in seeds])
    expect(page.locator("#outbox-status")).to_contain_text("4 条待上传")
    chunks_needed = page.evaluate(
        """async () => (await GongzhiOutbox.list()).reduce((n, e) =>
             n + e.uploads.reduce((m, u) => m + Math.ceil(u.blob.size / (256 * 1024)), 0), 0)"""
    )
    assert chunks_needed > 30

    passed = {"n": 0, "cut": False, "aborted": 0}

    def chunks(route) -> None:  # type: ignore[no-untyped-def]
        if route.request.method != "POST":
            route.continue_()
        elif passed["cut"]:
            passed["aborted"] += 1
            route.abort("internetdisconnected")
        else:
            passed["n"] += 1
            if passed["n"] == chunks_needed // 2:
                passed["cut"] = True  # the network drops here
            route.continue_()

    page.context.route("**/outbox/upload/**", chunks)
    page.context.set_offline(False)
    for _ in range(2400):  # until the phone meets the cut (sending stops there)
        if passed["aborted"]:
            break
        page.wait_for_timeout(100)
    assert passed["aborted"], "the upload never reached the cut"
    expect(page.locator("#outbox-status")).to_contain_text("网络不通")
    received = sum(u.received for u in Upload.objects.all())
    assert 0 < received < chunks_needed and VisitRecord.objects.count() < 4

    passed["cut"] = False  # back: the page's `online` event resumes
    page.context.set_offline(True)
    page.context.set_offline(False)
    expect(page.locator("#outbox-status")).to_be_hidden(timeout=240_000)
    uploads = list(Upload.objects.all())
    assert len(uploads) == 20 and all(u.completed_at and u.attached_at for u in uploads)
    # every chunk reached the server exactly once: none sent again after the cut
    assert sum(u.posts for u in uploads) == chunks_needed == sum(u.chunks for u in uploads)
    assert VisitPhoto.objects.count() == 20 and VisitRecord.objects.count() == 4


def test_an_errand_step_recorded_offline_arrives_once_with_the_phones_time(
    frozen_clock, page: Page, live_server, login, world
):
    """办完 on an errand page kept on the phone, offline: queued, sent once when the network
    returns, the step done at the time of the tap."""
    from apps.cases.choices import CaseKind
    from apps.cases.tests.helpers import make_case, walk
    from apps.errands.actions import do_add_steps
    from apps.errands.models import ErrandStep

    # live-server tests flush the database, seeded categories included: one of its own
    category = make_category("errand-payment")
    worker = world.user("grid_worker_a")
    worker.person = PersonFactory(name="刘网格", place=world.grid_a)
    worker.save()
    resident = PersonFactory(name="钟奶奶", place=world.household_a)
    case = make_case(
        world, category=category, kind=CaseKind.ERRAND, title="代缴医保", reporter=resident
    )
    case = walk(
        case,
        world,
        ("accept", "community_a", None),
        ("dispatch", "community_a", {"assignee": worker.pk}),
        ("claim", "grid_worker_a", None),
    )
    first, second = do_add_steps(case, actor=worker, steps=[("开具证明", "村委会"), ("缴费", "")])
    base = live_server.url
    page.set_default_timeout(60_000)
    login(page, live_server, worker.get_username())
    page.goto(f"{base}/errands/{case.pk}/")
    controlled(page)
    page.goto(f"{base}/errands/{case.pk}/")  # through the worker: kept on the phone

    page.context.set_offline(True)
    moment = frozen_clock.moment - dt.timedelta(minutes=25)
    page.clock.set_system_time(moment)
    page.goto(f"{base}/errands/{case.pk}/")  # the kept page
    page.locator("#steps form").first.get_by_role("button", name="办完").click()
    expect(page.locator("#steps .outbox-notice")).to_contain_text("已保存在本机")
    expect(page.locator("#outbox-status")).to_contain_text("1 条待上传")
    assert ErrandStep.objects.get(pk=first.pk).status == "todo"

    page.context.set_offline(False)
    expect(page.locator("#outbox-status")).to_be_hidden(timeout=60_000)
    done = ErrandStep.objects.get(pk=first.pk)
    assert done.status == "done" and done.done_by == worker and done.helper.name == "刘网格"
    assert moment <= done.done_at < moment + dt.timedelta(seconds=30)
    assert ErrandStep.objects.get(pk=second.pk).status == "todo"
    assert Receipt.objects.get().kind == "errand"


def test_a_forest_patrol_event_recorded_offline_arrives_once_with_its_position_and_time(
    frozen_clock, page: Page, live_server, login, world
):
    """上报事件 on the patrol page kept on the phone, offline: queued with the last fix,
    sent once when the network returns; its case is dated at the tap."""
    from apps.cases.choices import Level
    from apps.cases.models import Category
    from apps.duties.choices import DutyKind
    from apps.forestry.actions import do_start_patrol
    from apps.forestry.models import ForestEvent

    lat0, lng0 = 26.95, 115.20
    ring = [[lng0, lat0], [lng0 + 0.02, lat0], [lng0 + 0.02, lat0 + 0.02], [lng0, lat0 + 0.02]]
    square = {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}
    hazard, _ = Category.objects.update_or_create(
        code="hazard", defaults={"name": "安全隐患", "default_level": Level.TOWN}
    )
    Category.objects.update_or_create(
        code="forest-logging",
        defaults={"name": "盗伐滥伐", "default_level": Level.TOWN, "parent": hazard},
    )
    zone = make_place(PlaceKind.FOREST_ZONE, "潋江镇第一林区", world.town, geometry=square)
    person = PersonFactory(name="钟护林", place=world.household_a)
    DutyFactory(person=person, place=zone, kind=DutyKind.RANGER, start_date=dt.date(2024, 1, 1))
    ranger = make_user("ranger_a", Role.RANGER, zone, person=person)
    patrol = do_start_patrol(zone, actor=ranger)
    base = live_server.url
    page.set_default_timeout(60_000)
    page.context.grant_permissions(["geolocation"], origin=base)
    page.context.set_geolocation({"latitude": lat0 + 0.004, "longitude": lng0 + 0.006})
    login(page, live_server, "ranger_a")
    page.goto(f"{base}/forest/patrols/{patrol.pk}/")
    controlled(page)
    page.goto(f"{base}/forest/patrols/{patrol.pk}/")  # through the worker: kept on the phone

    page.context.set_offline(True)
    moment = frozen_clock.moment - dt.timedelta(minutes=15)
    page.clock.set_system_time(moment)
    page.goto(f"{base}/forest/patrols/{patrol.pk}/")  # the kept page
    expect(page.locator("#event-form [name=lat]")).not_to_have_value("")
    page.select_option("#id_kind", "logging")
    page.fill("#id_description", "发现新伐桩三处")
    page.click("#event-form button[type=submit]")
    expect(page.locator("#event-form .outbox-notice")).to_contain_text("已保存在本机")
    assert not ForestEvent.objects.exists()

    page.context.set_offline(False)
    expect(page.locator("#outbox-status")).to_be_hidden(timeout=60_000)
    event = ForestEvent.objects.get()
    assert event.patrol_id == patrol.pk and event.kind == "logging"
    assert abs(event.case.lat - (lat0 + 0.004)) < 1e-6
    assert moment <= event.case.created_at < moment + dt.timedelta(seconds=30)
    assert Receipt.objects.get().kind == "forest_event"


def test_unreachable_recorded_offline_on_a_drawn_page_arrives_once_at_the_phones_time(
    frozen_clock, page: Page, live_server, login, tasks
):
    base = live_server.url
    page.set_default_timeout(60_000)
    login(page, live_server, "party_a")
    page.goto(f"{base}/visits/")
    controlled(page)
    synced(page)

    page.context.set_offline(True)
    moment = frozen_clock.moment - dt.timedelta(minutes=25)
    page.clock.set_system_time(moment)
    page.goto(f"{base}/visits/tasks/{tasks[3].pk}/")
    expect(page.locator("h1")).to_have_text("401室")  # drawn from the synced data
    page.locator("#unreachable summary").click()
    page.fill("#id_reason", "家中无人，电话未接")
    page.get_by_role("button", name="记录未能入户").click()
    expect(page.locator("#unreachable-form .outbox-notice")).to_contain_text("已保存在本机")
    expect(page.locator("#ot-history .ot-queued")).to_contain_text("待上传 · 未能入户")
    assert VisitRecord.objects.count() == 0 and Receipt.objects.count() == 0

    page.context.set_offline(False)
    expect(page.locator("#outbox-status")).to_be_hidden(timeout=60_000)
    record = VisitRecord.objects.get()
    assert (record.task_id, record.reached, record.reason) == (
        tasks[3].pk,
        False,
        "家中无人，电话未接",
    )
    assert moment <= record.visited_at < moment + dt.timedelta(seconds=30)
    task = VisitTask.objects.get(pk=tasks[3].pk)
    assert (task.status, task.reason) == ("unreachable", "家中无人，电话未接")
    page.goto(f"{base}/visits/")  # the app starts again: nothing sent twice
    page.wait_for_load_state("networkidle")
    assert VisitRecord.objects.count() == 1 and Receipt.objects.get().kind == "unreachable"
