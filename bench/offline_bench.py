"""The field app's initial sync on a weak network (issue 18, item 2; ADR 0060): a worker with a
grid of N households (default 500) downloads what they need offline, on a simulated 3G profile
(1.6 Mbit/s down, 750 kbit/s up, 300 ms round trip) through Chromium's DevTools protocol
(`Network.emulateNetworkConditions`), and the installed app then opens 今日任务 offline.

    .venv/bin/python bench/offline_bench.py [--size 500] [--port 18766]

`--size` is the number of households (or tiny=50, small=200, county=500, large=2000). The bench
makes its own database (SQLite in a temporary folder): a grid of N households of 2–4 members
each, one in four with a care tag, one in ten with an open case, all paired (包联) with one
party member, `bench_worker`, whose visit round of today is generated; then it starts the real
server (`gongzhi serve --demo-size none`: waitress, WhiteNoise, every middleware).

Measured in the same run, each from an empty browser cache, from the start of 今日任务 until
every household of the round is on the phone:

- `baseline`: the sync before this change — 今日任务, then the page of every task fetched one
  by one, four at a time (the old `keepTasks` of field/outbox.js, which also stopped at 100
  pages; here all N are fetched, what it takes to have the whole round offline);
- `now`: 今日任务, then one compact JSON document (`/outbox/sync/`, gzip) and the one page
  that shows any task from it offline (`/outbox/offline-task/`).

The service worker is blocked in these two loads so that every byte travels on the throttled
page (a worker's own fetches are not throttled by the page's emulation); the bytes are what
travelled on the wire, headers included (`encodedDataLength`).

Then `open_offline_s`: the installed app (service worker active, data synced) with the network
off opens 今日任务 (until its `load` event); `open_task_offline_s`: a task page never opened
before, drawn offline from the synced data (until the household's name is shown).

Last line:

    RESULT sync_bytes=… sync_s=… open_offline_s=… baseline_sync_bytes=… baseline_sync_s=…
"""

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# Chromium, its flags, the 3G profile and the server start are the phone bench's
sys.path.insert(0, str(Path(__file__).resolve().parent))
from phone_bench import ARGS, CHROMIUM, NETWORK, free_port, serve  # noqa: E402

WORKER = "bench_worker"
PASSWORD = "Gongzhi-bench-2026"
SIZES = {"tiny": 50, "small": 200, "county": 500, "large": 2000}
TAGS = [("elderly_alone", "独居老人"), ("disabled", "残疾人"), ("left_behind", "留守儿童")]
NAMES = "张王李刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["建国", "秀英", "桂兰", "志强", "玉梅", "小红", "德胜", "春花", "国平", "丽娟"]


def populate(households: int) -> None:
    """Inside the bench's own database: the grid, its people and the worker's visit round."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from apps.accounts.choices import Role
    from apps.cases.actions import do_create_case
    from apps.cases.models import Category
    from apps.core.testing.factories import (
        DutyFactory,
        PersonFactory,
        make_id_number,
        make_place,
        make_user,
    )
    from apps.people.models import CareTag
    from apps.places.choices import PlaceKind
    from apps.visits.actions import do_create_plan, do_generate_cycle

    with transaction.atomic():
        county = make_place(PlaceKind.COUNTY, "兴国县")
        town = make_place(PlaceKind.TOWN, "潋江镇", county)
        community = make_place(PlaceKind.COMMUNITY, "红门社区", town)
        grid = make_place(PlaceKind.GRID, "红门第一网格", community)
        staff = make_user("bench_staff", Role.COMMUNITY_STAFF, community)
        tags = list(CareTag.objects.filter(active=True).order_by("pk")[:3]) or [
            CareTag.objects.create(code=code, name=name) for code, name in TAGS
        ]
        category = Category.objects.filter(active=True).order_by("pk").first()
        if category is None:
            category = Category.objects.create(name="社区服务", code="bench")
        worker_person = PersonFactory(name="刘党员", place=grid)
        worker = make_user(WORKER, Role.PARTY_MEMBER, community, person=worker_person)
        worker.set_password(PASSWORD)
        worker.save()
        made = born = 0
        building = unit = None
        while made < households:
            if made % 40 == 0:
                building = make_place(PlaceKind.BUILDING, f"{made // 40 + 1}栋", grid)
            if made % 20 == 0:
                unit = make_place(PlaceKind.UNIT, f"{made % 40 // 20 + 1}单元", building)
            floor, door = made % 20 // 2 + 1, made % 2 + 1
            home = make_place(PlaceKind.HOUSEHOLD, f"{floor}0{door}室", unit)
            for i in range(2 + made % 3):
                born += 1  # one birthday each: the test factory's numbers are unique per birthday
                person = PersonFactory(
                    name=NAMES[(made + i) % len(NAMES)] + GIVEN[(made * 3 + i) % len(GIVEN)],
                    place=home,
                    relation=["head", "spouse", "child", "parent"][i],
                    secrets__id_number=make_id_number(
                        dt.date(1940, 1, 1) + dt.timedelta(days=born)
                    ),
                )
                if made % 4 == 0 and i == 0:
                    person.care_tags.add(tags[made // 4 % len(tags)])
            DutyFactory(person=worker_person, place=home, kind="baolian")
            if made % 10 == 0:
                do_create_case(
                    actor=staff,
                    category=category,
                    place=home,
                    title=f"{home.name}反映楼道照明不足",
                    description="晚上楼道灯不亮，老人上下楼不便",
                )
            made += 1
        today = timezone.localdate()
        plan = do_create_plan(
            actor=staff,
            name="每日入户",
            kind="household",
            scope=community,
            rule="FREQ=DAILY",
            start_date=today,
            duty_kinds=["baolian"],
            checklist=["政策宣传", "安全检查", "困难诉求"],
            window_days=1,
        )
        do_generate_cycle(plan, today)


def prepare(folder: Path, households: int) -> dict[str, str]:
    env = {
        **os.environ,
        "GONGZHI_DATA_DIR": str(folder),
        "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
        "GONGZHI_DEBUG": "0",
        "GONGZHI_TASKS": "immediate",
    }
    for args in (
        ["manage.py", "migrate", "--verbosity", "0"],
        [str(Path(__file__).resolve()), "--populate", str(households)],
    ):
        done = subprocess.run(
            [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True
        )
        if done.returncode:
            raise SystemExit(f"准备数据失败：{' '.join(args)}\n{done.stderr[-3000:]}")
    env.pop("GONGZHI_TASKS")
    return env


def signed_in(browser: Any, base: str) -> Any:
    context = browser.new_context(service_workers="block")
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", WORKER)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert "/accounts/login/" not in page.url, "bench_worker 登录失败"
    state = context.storage_state()
    context.close()
    return state


# The old sync: every task page of 今日任务, four at a time (field/outbox.js before ADR 0060).
PAGE_BY_PAGE = """async () => {
  const links = [...new Set([...document.querySelectorAll('a[href^="/visits/tasks/"]')]
    .map(a => a.getAttribute("href")).filter(h => /^\\/visits\\/tasks\\/\\d+\\/$/.test(h)))];
  const queue = links.slice();
  async function next() {
    for (let href = queue.shift(); href; href = queue.shift()) {
      await (await fetch(href, {credentials: "same-origin"})).text();
    }
  }
  await Promise.all([next(), next(), next(), next()]);
  return links.length;
}"""
# The compact sync: one document and the page that draws any task from it.
COMPACT = """async () => {
  const [doc] = await Promise.all([
    GongzhiOutbox.syncData(true),
    fetch("/outbox/offline-task/", {credentials: "same-origin"}).then(r => r.text()),
  ]);
  return doc ? doc.tasks.length : -1;
}"""


def measure_sync(browser: Any, state: Any, base: str, script: str) -> tuple[int, float, int]:
    context = browser.new_context(storage_state=state, service_workers="block")
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", NETWORK)
    sizes: dict[str, float] = {}
    cdp.on(
        "Network.loadingFinished",
        lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]),
    )
    started = time.perf_counter()
    page.goto(f"{base}/visits/", wait_until="load")
    tasks = int(page.evaluate(script))
    seconds = time.perf_counter() - started
    page.wait_for_timeout(200)  # the last loadingFinished events
    context.close()
    return int(sum(sizes.values())), seconds, tasks


def until(page: Any, condition: str, seconds: int = 120) -> None:
    """Wait until an asynchronous condition in the page holds (wait_for_function does not
    wait for a promise)."""
    page.evaluate(
        f"""async () => {{
          const end = Date.now() + {seconds * 1000};
          while (!({condition})) {{
            if (Date.now() > end) throw new Error("等待超时：{condition[:40]}");
            await new Promise(r => setTimeout(r, 100));
          }}
        }}"""
    )


def measure_offline_open(browser: Any, state: Any, base: str) -> tuple[float, float]:
    context = browser.new_context(storage_state=state)
    page = context.new_page()
    page.goto(f"{base}/visits/")
    page.wait_for_function("navigator.serviceWorker.ready")
    if not page.evaluate("!!navigator.serviceWorker.controller"):
        page.reload()
    page.wait_for_function("!!navigator.serviceWorker.controller")
    until(page, "!!(await GongzhiOutbox.synced())")
    until(
        page,
        "(await Promise.all((await caches.keys()).map(async n => "
        "(await caches.open(n)).match('/outbox/offline-task/')))).some(Boolean)",
    )
    task = page.evaluate("GongzhiOutbox.synced().then(d => d.tasks[d.tasks.length - 1][0])")
    page.goto(f"{base}/outbox/")  # leave 今日任务: the next open starts from nothing
    context.set_offline(True)
    started = time.perf_counter()
    page.goto(f"{base}/visits/", wait_until="load")
    open_s = time.perf_counter() - started
    if "今日任务" not in page.title():
        raise SystemExit(f"离线未能打开今日任务：{page.title()} {page.content()[:300]}")
    started = time.perf_counter()
    page.goto(f"{base}/visits/tasks/{task}/", wait_until="load")
    # the page's own script filled the title in (a locator check: the page's CSP refuses
    # the eval a string wait_for_function needs)
    from playwright.sync_api import expect

    expect(page.locator("#ot-title")).not_to_have_text("入户走访", timeout=30_000)
    task_s = time.perf_counter() - started
    context.close()
    return open_s, task_s


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="500")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--populate", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.populate:
        populate(args.populate)
        return
    households = SIZES.get(args.size) or int(args.size)

    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="offline_bench_"))
    port = args.port or free_port()
    base = f"http://127.0.0.1:{port}"
    print(f"准备数据：{households} 户的网格（{folder}）", flush=True)
    env = prepare(folder, households)
    server = serve(env, port, folder, demo_size="none", wait_minutes=5)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            state = signed_in(browser, base)
            base_bytes, base_s, base_tasks = measure_sync(browser, state, base, PAGE_BY_PAGE)
            print(
                f"baseline（逐页）：{base_tasks} 个任务页，{base_bytes} 字节，{base_s:.1f} 秒",
                flush=True,
            )
            now_bytes, now_s, now_tasks = measure_sync(browser, state, base, COMPACT)
            print(
                f"now（一次同步）：{now_tasks} 个任务，{now_bytes} 字节，{now_s:.1f} 秒", flush=True
            )
            if now_tasks != households or base_tasks != households:
                raise SystemExit(
                    f"任务数不符：应为 {households}，逐页 {base_tasks}，同步 {now_tasks}"
                )
            open_s, task_s = measure_offline_open(browser, state, base)
            print(f"离线打开今日任务 {open_s:.2f} 秒，未打开过的任务页 {task_s:.2f} 秒", flush=True)
            browser.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(folder, ignore_errors=True)
    print(
        f"RESULT sync_bytes={now_bytes} sync_s={now_s:.2f} open_offline_s={open_s:.2f} "
        f"open_task_offline_s={task_s:.2f} baseline_sync_bytes={base_bytes} "
        f"baseline_sync_s={base_s:.2f} households={households}"
    )


if __name__ == "__main__":
    main()
