#!/usr/bin/env python
"""Walk a running Gongzhi as each demo role would, in a real browser, and report what a user
would trip over.

    python scripts/walk_roles.py http://127.0.0.1:8140 /tmp/walk-shots [--roles grid01,leader]

For each role: log in, open every link of its menu, the first item of each list (the detail
page) and the forms linked from those pages, on a 390×844 phone (and 1366 wide for the leader
and the ECG doctor). Every other link of the menu pages is fetched to see that it opens.
For every page it records the HTTP status, console errors, failed
requests (4xx/5xx, images that do not load), sideways scrolling at 390 px, English words a
user sees, and empty tables with no word of explanation. It saves a screenshot per page,
prints one table and exits 1 when it found anything (0 otherwise).

Without --submit it only reads: it opens forms but never submits them. With --submit (on a demo
database: it writes) it also does what each role does most: the grid worker registers a case,
the community worker accepts and dispatches the oldest new case in the inbox, the party member
records a visit. Needs Playwright and Chromium (/usr/bin/chromium, or CHROMIUM=…)."""

import argparse
import contextlib
import os
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlparse

from playwright.sync_api import Browser, Page, sync_playwright

PASSWORD = os.environ.get("GONGZHI_DEMO_PASSWORD", "Gongzhi@2026")
ROLES = [
    "admin", "leader", "secadmin", "auditor", "dept01", "town01", "community01", "grid01",
    "party01", "volunteer01", "doctor01", "ecg01", "forest01", "ranger01", "project01",
    "unit01", "kuaiji01", "jiandu01", "sanzi01",
]  # fmt: skip
WIDE_ROLES = {"leader", "ecg01"}
PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1366, "height": 900}
# Words a Chinese user may see in Latin letters: names, formats, standards, units.
ALLOWED_WORDS = {
    "gongzhi", "ecg", "api", "excel", "pdf", "qr", "url", "csv", "xlsx", "wfdb", "dicom",
    "aecg", "open311", "geo", "georeport", "json", "xml", "http", "https", "www", "id", "ip",
    "kpi", "sms", "wecom", "dingtalk", "webhook", "app", "ios", "android", "wifi", "gps",
    "totp", "ok", "hr", "qrs", "qt", "qtc", "pr", "bpm", "ms", "mv", "hz", "st", "avr", "avl",
    "avf", "mb", "kb", "gb", "km", "cm", "mm", "kg", "am", "pm", "utc", "sha", "png", "jpg",
    "jpeg", "webp", "openapi", "swagger", "redis", "postgresql", "sqlite", "osm",
    "openstreetmap", "leaflet", "v1", "v2", "rrule", "ai", "gb/t", "agpl", "mit", "tel",
    "sm4", "sm3", "sm2", "aes", "rsa", "hmac", "ssl", "tls", "vpn", "ukey", "ca", "gpx",
    "iii", "qt/qtc", "mm/mv", "mm/s", "avr/avl/avf",
    # the visit plan's custom rule is written in RRULE (its help text shows the syntax)
    "freq", "byday", "interval", "weekly", "daily", "monthly",
}  # fmt: skip
SKIP_HREF = re.compile(
    r"(logout|\.pdf|\.xlsx|\.csv|\.zip|/export|/download|/api/|/admin/|/media/|mailto:|tel:"
    r"|javascript:|/static/|\.png|\.jpg|/print)",
    re.I,
)
PROBES_PER_ROLE = 400  # links of the menu pages fetched (not rendered) to see that they open
FORM_HREF = re.compile(r"/(new|add|create|report|apply|register|edit|intake|record)(/|$|\?)")


@dataclass
class PageResult:
    role: str
    width: int
    url: str
    kind: str  # menu, detail, form
    status: int | None = None
    findings: list[str] = field(default_factory=list)
    came_from: str = ""


@dataclass
class Listener:
    console: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.console.append(f"JS error: {exc}"))
        page.on("response", self._response)
        page.on("requestfailed", self._failed)

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.console.append(message.text[:200])

    def _response(self, response: Any) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            self.failed.append(f"{response.status} {response.url}")

    def _failed(self, request: Any) -> None:
        failure = request.failure or ""
        if "ERR_ABORTED" not in failure:  # a navigation away cancels polls: not a defect
            self.failed.append(f"failed {request.url} ({failure})")

    def take(self) -> tuple[list[str], list[str]]:
        out = (self.console[:], self.failed[:])
        self.console.clear()
        self.failed.clear()
        return out


PAGE_CHECKS = r"""(width) => {
  const out = {};
  out.scroll = document.scrollingElement.scrollWidth;
  out.wide = [];
  if (out.scroll > width) {
    for (const el of document.querySelectorAll('main *, header *')) {
      const r = el.getBoundingClientRect();
      if (r.right > width + 1 && r.width > 0 && getComputedStyle(el).position !== 'fixed') {
        let inScroller = false;
        for (let p = el.parentElement; p; p = p.parentElement) {
          const s = getComputedStyle(p).overflowX;
          if (s === 'auto' || s === 'scroll' || s === 'hidden') { inScroller = true; break; }
        }
        const cls = typeof el.className === 'string' && el.className
          ? '.' + el.className.split(' ')[0] : '';
        if (!inScroller) out.wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
          + cls + ' ' + Math.round(r.right));
      }
      if (out.wide.length > 3) break;
    }
  }
  out.images = [...document.images].filter(i => i.complete && i.getAttribute('src')
    && i.naturalWidth === 0).map(i => i.getAttribute('src'));
  const main = document.querySelector('main') || document.body;
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  const words = new Set();
  const raw = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || el.closest('script,style,code,pre,.mono,[translate=no],textarea,select')) continue;
    if (!el.checkVisibility || !el.checkVisibility()) continue;
    const t = n.textContent;
    // a word run into digits is a code (hlyF001-0009, LZP-3607…), not text to translate
    for (const w of t.match(/(?<![A-Za-z0-9])[A-Za-z][A-Za-z/]+(?![A-Za-z0-9]|-\d)/g) || [])
      words.add(w);
    for (const bad of ['None', 'nan', 'undefined', 'null', 'NaN', 'Traceback'])
      if (new RegExp('(^|[^A-Za-z])' + bad + '($|[^A-Za-z])').test(t)) raw.push(bad);
    for (const bad of ['{{', '{%']) if (t.includes(bad)) raw.push(bad);
  }
  out.words = [...words];
  out.raw = [...new Set(raw)];
  out.emptyTables = [...main.querySelectorAll('table')].filter(t => {
    const rows = t.tBodies.length ? [...t.tBodies].reduce((a, b) => a + b.rows.length, 0)
      : t.rows.length - (t.tHead ? t.tHead.rows.length : 0);
    return rows === 0 && t.checkVisibility();
  }).length;
  out.text = main.innerText.trim().length;
  out.title = document.title;
  return out;
}"""


def english(words: list[str]) -> list[str]:
    out = []
    for word in words:
        lower = word.lower().strip("/")
        if lower in ALLOWED_WORDS or len(lower) < 2:
            continue
        if re.fullmatch(r"[a-z]?\d*|[A-Z]{1,2}\d*", word):  # a grade letter, a lead name
            continue
        out.append(word)
    return out


def check(page: Page, listener: Listener, width: int) -> list[str]:
    findings: list[str] = []
    with contextlib.suppress(Exception):  # a page that keeps polling: judge it as it stands
        page.wait_for_load_state("networkidle", timeout=5000)
    facts = page.evaluate(PAGE_CHECKS, width)
    console, failed = listener.take()
    findings += [f"console: {c}" for c in console]
    findings += [f"request: {f}" for f in failed]
    if width <= 400 and facts["scroll"] > width:
        findings.append(f"overflow {facts['scroll']}px: {', '.join(facts['wide'])}")
    findings += [f"broken image: {src}" for src in facts["images"]]
    words = english(facts["words"])
    if words:
        findings.append("English: " + " ".join(sorted(words)[:15]))
    findings += [f"raw value shown: {r}" for r in facts["raw"]]
    if facts["emptyTables"]:
        findings.append(f"{facts['emptyTables']} empty table(s) without a row")
    if facts["text"] < 10:
        findings.append("page almost empty")
    return findings


def log_in(page: Page, base: str, username: str) -> str | None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    if "/accounts/login/" in page.url:
        return "login failed"
    return None


def links(page: Page, base: str, selector: str) -> list[str]:
    hrefs = page.eval_on_selector_all(selector, "els => els.map(e => e.getAttribute('href'))")
    out: list[str] = []
    for href in hrefs:
        if not href or href.startswith("#") or SKIP_HREF.search(href):
            continue
        url = urljoin(page.url, href)
        if urlparse(url).netloc != urlparse(base).netloc:
            continue
        url = url.split("#")[0]
        if url not in out:
            out.append(url)
    return out


def detail_link(page: Page, base: str, seen: set[str]) -> str | None:
    """The first item of the page's list: a link in a table row or list item of the main
    part that goes deeper than the page itself."""
    here = urlparse(page.url).path
    for url in links(page, base, "main tbody a[href], main li a[href], main .card a[href]"):
        path = urlparse(url).path
        if url in seen or path == here or "?" in url:
            continue
        if re.search(r"/\d+/?$|/[A-Za-z0-9_-]{6,}/$", path):
            return url
    return None


def visit(
    page: Page,
    listener: Listener,
    url: str,
    role: str,
    width: int,
    kind: str,
    shots: Path,
    came_from: str = "",
) -> PageResult:
    result = PageResult(role, width, url, kind, came_from=came_from)
    listener.take()
    try:
        response = page.goto(url, wait_until="load", timeout=30_000)
        result.status = response.status if response else None
    except Exception as exc:
        result.findings.append(f"navigation: {str(exc).splitlines()[0][:150]}")
        return result
    if result.status and result.status >= 400:
        result.findings.append(f"HTTP {result.status}")
    result.findings += check(page, listener, width)
    name = re.sub(r"[^A-Za-z0-9]+", "_", urlparse(url).path + "_" + urlparse(url).query)
    page.screenshot(path=str(shots / f"{role}-{width}-{name.strip('_')[:80]}.png"), full_page=True)
    return result


def _expect_message(page: Page, text: str) -> list[str]:
    try:
        page.wait_for_selector(f".messages:has-text('{text}')", timeout=10_000)
    except Exception:
        shown = page.locator("main").inner_text()[:200].replace("\n", " ")
        return [f"no “{text}” after submitting; page shows: {shown}"]
    return []


def _photo() -> str:
    from PIL import Image

    path = Path(tempfile.gettempdir()) / "walk-roles-photo.jpg"
    Image.new("RGB", (640, 480), (180, 60, 40)).save(path, "JPEG")
    return str(path)


def grid_worker_registers_a_case(page: Page, base: str) -> list[str]:
    page.goto(f"{base}/cases/new/")
    page.select_option("#id_category", index=1)
    page.select_option("#id_area", index=1)
    page.fill("#id_title", "井盖松动（巡查发现）")
    page.fill("#id_description", "小区北门井盖松动，已设置警示")
    if page.locator("#id_photo").count():
        page.set_input_files("#id_photo", _photo())
    page.click("main form.case-form button[type=submit]")
    found = _expect_message(page, "已登记")
    if not found and page.locator("#id_photo").count():
        page.wait_for_load_state("networkidle")
        sizes = page.eval_on_selector_all(".photos img", "els => els.map(e => e.naturalWidth)")
        if not sizes or 0 in sizes:
            found.append(f"the case's photo does not show ({sizes})")
    return found


def community_worker_dispatches(page: Page, base: str) -> list[str]:
    page.goto(f"{base}/cases/?status=submitted")
    first = page.locator("table.case-list tbody tr a").first
    if not first.count():
        return ["no new case in the community worker's inbox to accept"]
    first.click()
    page.get_by_role("button", name="确认受理").click()
    page.wait_for_selector("text=查看派单建议")
    page.get_by_role("link", name="查看派单建议").click()
    button = page.locator("button[name^=dispatch-]").first
    if not button.count():
        return ["no dispatch suggestion for an accepted case"]
    button.click()
    return _expect_message(page, "已派单")


def party_member_records_a_visit(page: Page, base: str) -> list[str]:
    page.goto(f"{base}/visits/")
    task = page.locator("main section.building .task-link:visible").first
    if not task.count():
        print(f"  note: no visit due today for this party member ({page.url})", flush=True)
        return []
    task.click()
    boxes = page.locator("main form input[type=checkbox]")
    if boxes.count():
        boxes.first.check()
    page.fill("#id_notes", "老人身体尚好，家中无困难")
    button = page.get_by_role("button", name=re.compile("^完成(走访|检查)$"))
    photos = button.locator("xpath=ancestor::form//input[@type='file']")
    if photos.count():
        photos.first.set_input_files(_photo())
    button.click()
    return _expect_message(page, "已登记")


SUBMITS = {  # each role's main forms, in order
    "grid01": [grid_worker_registers_a_case, party_member_records_a_visit],  # and a patrol
    "community01": [community_worker_dispatches],
    "party01": [party_member_records_a_visit],
    "party02": [party_member_records_a_visit],
}


def walk_role(
    browser: Browser, base: str, role: str, viewport: dict, shots: Path, submit: bool = False
) -> list:
    options: dict[str, Any] = {
        "viewport": viewport,
        "locale": "zh-CN",
        "timezone_id": "Asia/Shanghai",
    }
    if viewport["width"] < 500:
        options.update(is_mobile=True, has_touch=True)
    context = browser.new_context(**options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    listener = Listener()
    listener.attach(page)
    results: list[PageResult] = []
    width = viewport["width"]
    try:
        error = log_in(page, base, role)
        if error:
            return [PageResult(role, width, f"{base}/accounts/login/", "login", None, [error])]
        home = page.url
        results.append(PageResult(role, width, home, "home", 200, check(page, listener, width)))
        menu = [home, *links(page, base, "header nav a[href]")]
        seen = set(menu)
        probed = set(menu)
        forms: list[tuple[str, str]] = []
        for url in menu:
            result = visit(page, listener, url, role, width, "menu", shots)
            results.append(result)
            if result.status != 200:
                continue
            for form_url in links(page, base, "main a[href]"):
                if FORM_HREF.search(urlparse(form_url).path) and form_url not in seen:
                    seen.add(form_url)
                    forms.append((form_url, url))
            for link in links(page, base, "main a[href]"):
                if link not in probed and len(probed) < PROBES_PER_ROLE:
                    probed.add(link)
                    status = page.request.get(link, max_redirects=5).status
                    if status >= 400:
                        results.append(
                            PageResult(
                                role, width, link, "link", status, [f"link answers {status}"], url
                            )
                        )
            item = detail_link(page, base, seen)
            if item:
                seen.add(item)
                results.append(visit(page, listener, item, role, width, "detail", shots, url))
        for form_url, came_from in forms[:12]:
            results.append(visit(page, listener, form_url, role, width, "form", shots, came_from))
        for number, act in enumerate(SUBMITS.get(role, []) if submit and width < 500 else []):
            listener.take()
            try:
                found = act(page, base)
            except Exception as exc:
                found = [f"submitting failed: {str(exc).splitlines()[0][:200]}"]
            found += check(page, listener, width)
            shot = shots / f"{role}-{width}-submitted-{number}.png"
            page.screenshot(path=str(shot), full_page=True)
            results.append(PageResult(role, width, page.url, "submit", 200, found))
    finally:
        context.close()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="e.g. http://127.0.0.1:8000")
    parser.add_argument("shots", type=Path, help="folder for the screenshots")
    parser.add_argument("--roles", default=",".join(ROLES), help="comma-separated logins")
    parser.add_argument("--submit", action="store_true", help="also submit the main forms")
    args = parser.parse_args()
    base = args.base.rstrip("/")
    args.shots.mkdir(parents=True, exist_ok=True)
    results: list[PageResult] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--lang=zh-CN"],
        )
        for role in args.roles.split(","):
            viewports = [PHONE, WIDE] if role in WIDE_ROLES else [PHONE]
            for viewport in viewports:
                walked = walk_role(browser, base, role, viewport, args.shots, args.submit)
                results += walked
                bad = sum(1 for r in walked if r.findings)
                size = viewport["width"]
                print(
                    f"{role:12} {size:5}  {len(walked):3} pages  {bad:3} with findings", flush=True
                )
        browser.close()
    print()
    print(f"{'role':12} {'width':>5} {'kind':6} {'status':>6}  page — findings")
    for r in results:
        if r.findings:
            path = r.url.replace(base, "")
            origin = f"  (from {r.came_from.replace(base, '')})" if r.came_from else ""
            print(f"{r.role:12} {r.width:5} {r.kind:6} {r.status or '-':>6}  {path}{origin}")
            for finding in r.findings:
                print(f"{'':34}- {finding}")
    total = sum(1 for r in results if r.findings)
    print(f"\n{len(results)} pages walked, {total} with findings")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
