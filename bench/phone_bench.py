"""Phone pages on a weak network (issue 19, item 4): bytes, requests and time to usable of the
four pages field workers and residents open on a phone, first load with an empty cache, on a
simulated 3G profile (1.6 Mbit/s down, 750 kbit/s up, 300 ms round trip) through Chromium's
DevTools protocol (`Network.emulateNetworkConditions`).

    .venv/bin/python bench/phone_bench.py [--size tiny] [--port 18765]

Starts `gongzhi serve --demo-size <size>` on a fresh SQLite database in a temporary folder
(the real server: waitress, WhiteNoise, every middleware), logs in as `party01` (今日任务 and the
household visit) and `grid01` (我的工单), and opens the resident's report form anonymously.

Each page is measured twice in the same run, on the same server:

- `baseline`: the browser asks for no compression (`Accept-Encoding: identity`), which is what
  every page cost before responses were compressed (the HTML was never compressed, and the
  static files only when `collectstatic` had been run);
- `now`: the browser's ordinary `Accept-Encoding` (gzip, deflate, br).

A third load (`repeat`) opens the page again in the same browser context: with hashed static
names served `immutable`, only the HTML travels.

"Usable" is the `load` event: the HTML parsed, the style sheets applied and the deferred
scripts (htmx, the page's own script) run — the form answers a tap. Bytes are what travelled
on the wire (headers included: `encodedDataLength`) until the network was idle.

Last line:

    RESULT max_kb=… max_s=… baseline_max_kb=… baseline_max_s=…
"""

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "Gongzhi@2026"
RUNS = 3
# 3G as the issue states it: 1.6 Mbit/s, 300 ms round trip; upload as Lighthouse's 3G (750 kbit/s).
NETWORK = {
    "offline": False,
    "latency": 300,
    "downloadThroughput": 1_600_000 / 8,
    "uploadThroughput": 750_000 / 8,
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(size: str, port: int, folder: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "GONGZHI_DATA_DIR": str(folder),
        "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
        "GONGZHI_DEBUG": "0",
    }
    env.pop("GONGZHI_TASKS", None)
    return serve(env, port, folder, demo_size=size, wait_minutes=15)


def serve(
    env: dict[str, str], port: int, folder: Path, *, demo_size: str, wait_minutes: int
) -> subprocess.Popen[bytes]:
    """`gongzhi serve` on `port` with `env`, once its login page answers (also used by
    bench/offline_bench.py)."""
    log = open(folder / "serve.log", "wb")  # noqa: SIM115 - kept open for the process
    server = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--port", str(port), "--demo-size", demo_size],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + wait_minutes * 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"服务未能启动：\n{(folder / 'serve.log').read_text()[-3000:]}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2)
            return server
        except OSError:
            time.sleep(1)
    server.kill()
    raise SystemExit(f"服务 {wait_minutes} 分钟内未应答")


def logged_in_state(browser: Any, base: str, username: str) -> Any:
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert "/accounts/login/" not in page.url, f"{username} 登录失败"
    state = context.storage_state()
    context.close()
    return state


def find_link(browser: Any, state: Any, url: str, pattern: str) -> str:
    context = browser.new_context(storage_state=state)
    page = context.new_page()
    page.goto(url)
    found = re.search(pattern, page.content())
    context.close()
    if not found:
        raise SystemExit(f"{url} 上找不到 {pattern}")
    return found.group(0)


class Load:
    def __init__(self) -> None:
        self.bytes = 0
        self.requests = 0
        self.seconds = 0.0
        self.status = 0


def measure(context: Any, url: str, compressed: bool) -> Load:
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", NETWORK)
    if not compressed:
        cdp.send("Network.setExtraHTTPHeaders", {"headers": {"Accept-Encoding": "identity"}})
    load = Load()
    sizes: dict[str, float] = {}

    def received(event: dict[str, Any]) -> None:
        answer = event["response"]
        if answer["url"].startswith("http") and not answer.get("fromDiskCache"):
            load.requests += 1

    def finished(event: dict[str, Any]) -> None:
        sizes[event["requestId"]] = event["encodedDataLength"]

    def cached(event: dict[str, Any]) -> None:
        load.requests -= 1  # answered by the browser's cache: nothing went over the network

    cdp.on("Network.responseReceived", received)
    cdp.on("Network.loadingFinished", finished)
    cdp.on("Network.requestServedFromCache", cached)
    started = time.perf_counter()
    response = page.goto(url, wait_until="load")
    load.seconds = time.perf_counter() - started
    load.status = response.status if response else 0
    page.wait_for_load_state("networkidle")
    load.bytes = int(sum(sizes.values()))
    page.close()
    return load


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="tiny")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="phone_bench_"))
    port = args.port or free_port()
    base = f"http://127.0.0.1:{port}"
    print(f"启动服务（演示县 {args.size}）：{base}", flush=True)
    server = start_server(args.size, port, folder)
    rows: list[tuple[str, Load, Load, Load]] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            party = logged_in_state(browser, base, "party01")
            grid = logged_in_state(browser, base, "grid01")
            task = find_link(browser, party, f"{base}/visits/", r"/visits/tasks/\d+/")
            report = find_link(browser, None, f"{base}/portal/", r"/portal/report/[\w-]+/")
            pages = [
                ("今日任务", f"{base}/visits/", party),
                ("入户走访", f"{base}{task}", party),
                ("我的工单", f"{base}/cases/mine/", grid),
                ("群众点单", f"{base}{report}", None),
            ]
            for name, url, state in pages:
                loads = []
                for compressed in (False, True):
                    runs = []
                    for _ in range(RUNS):  # the median of RUNS first loads (the box is shared)
                        context = browser.new_context(
                            storage_state=state,
                            viewport={"width": 390, "height": 844},
                            is_mobile=True,
                            locale="zh-CN",
                        )
                        runs.append(measure(context, url, compressed))
                        if compressed and len(runs) == RUNS:
                            repeat = measure(context, url, compressed)  # warm cache
                        context.close()
                    runs.sort(key=lambda load: load.seconds)
                    loads.append(runs[RUNS // 2])
                loads.append(repeat)
                for load in loads:
                    if load.status != 200:
                        raise SystemExit(f"{name} {url} 应答 {load.status}")
                rows.append((name, *loads))  # type: ignore[arg-type]
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)

    print(
        f"{'page':<8} {'baseline KB':>11} {'req':>4} {'s':>5} │ {'now KB':>7} {'req':>4} {'s':>5}"
        f" │ {'repeat KB':>9} {'req':>4} {'s':>5}"
    )
    for name, before, after, repeat in rows:
        print(
            f"{name:<6} {before.bytes / 1024:>11.1f} {before.requests:>4} {before.seconds:>5.2f} │"
            f" {after.bytes / 1024:>7.1f} {after.requests:>4} {after.seconds:>5.2f} │"
            f" {repeat.bytes / 1024:>9.1f} {repeat.requests:>4} {repeat.seconds:>5.2f}"
        )
    print(
        f"RESULT max_kb={max(r[2].bytes for r in rows) / 1024:.1f}"
        f" max_s={max(r[2].seconds for r in rows):.2f}"
        f" baseline_max_kb={max(r[1].bytes for r in rows) / 1024:.1f}"
        f" baseline_max_s={max(r[1].seconds for r in rows):.2f}"
        f" repeat_max_kb={max(r[3].bytes for r in rows) / 1024:.1f}"
    )


if __name__ == "__main__":
    main()
