"""Residents-ledger import benchmark: parse-only vs full import (check + commit), SQLite and
PostgreSQL, .xlsx and .csv.

    .venv/bin/python bench/import_bench.py --size small|county|large|tiny [--no-pg]

Every measurement runs in a fresh child process; the peak memory reported is that child's
maximum resident set size (`os.wait4` rusage, so it includes Python, Django and openpyxl).
The households the ledger refers to are created in bulk before the clock starts. Last line:

    RESULT import_xlsx_s=… xlsx_parse_ratio=… import_csv_s=… csv_parse_ratio=… peak_mb=…

with the SQLite figures (the embedded default); PostgreSQL figures are printed above it.
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = {"tiny": 1_000, "small": 20_000, "county": 200_000, "large": 1_000_000}
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
PG_DB = "gongzhi_bench"
HEADERS = [
    "户编码",
    "姓名",
    "性别",
    "身份证号",
    "出生日期",
    "联系电话",
    "与户主关系",
    "关爱标签",
    "备注",
]
PER_HOUSEHOLD = 3
HOUSEHOLDS_PER_GRID = 900
GRIDS_PER_COMMUNITY = 900
COUNTY = "360732000000"
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
)
GIVEN = [
    "伟",
    "芳",
    "娜",
    "秀英",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀兰",
    "霞",
    "平",
    "刚",
    "桂英",
    "建华",
    "文",
    "华",
    "金凤",
    "志强",
]
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


# --- the generated county -------------------------------------------------------------------


def community_code(c: int) -> str:
    return f"360732101{200 + c:03d}"


def household_code(h: int) -> str:
    """Households sit directly under grids: community / grid / household numbers from h."""
    grid, number = divmod(h, HOUSEHOLDS_PER_GRID)
    community, grid_no = divmod(grid, GRIDS_PER_COMMUNITY)
    return f"{community_code(community)}{grid_no + 1:03d}{number + 1:03d}"


def id_number(i: int) -> str:
    birth = date(1930, 1, 1) + timedelta(days=i % 30000)
    first17 = f"360732{birth:%Y%m%d}{i // 30000 % 1000:03d}"
    return (
        first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]
    )


def resident_row(i: int) -> list[str]:
    idn = id_number(i)
    name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)]
    sex = "男" if int(idn[16]) % 2 else "女"
    tags = ["", "", "", "", "", "", "", "", "独居老人", "高龄、低保"][i % 10]
    phone = f"13{i:09d}" if i % 2 else ""
    relation = ("户主", "配偶", "子女")[i % PER_HOUSEHOLD]
    return [household_code(i // PER_HOUSEHOLD), name, sex, idn, "", phone, relation, tags, ""]


def write_files(n: int, folder: Path) -> tuple[Path, Path]:
    from openpyxl import Workbook

    xlsx, csv_path = folder / f"residents-{n}.xlsx", folder / f"residents-{n}.csv"
    book = Workbook(write_only=True)
    sheet = book.create_sheet("居民台账")
    sheet.append(HEADERS)
    with open(csv_path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADERS)
        for i in range(n):
            row = resident_row(i)
            sheet.append(row)
            writer.writerow(row)
    book.save(xlsx)
    return xlsx, csv_path


# --- child processes ------------------------------------------------------------------------


def child_parse(path: str) -> dict:
    from openpyxl import load_workbook

    start = time.perf_counter()
    cells = 0
    if path.endswith(".csv"):
        with open(path, encoding="utf-8-sig", newline="") as f:
            for row in csv.reader(f):
                cells += sum(1 for v in row if v)
    else:
        book = load_workbook(path, read_only=True, data_only=True)
        for row in book.worksheets[0].iter_rows(values_only=True):
            cells += sum(1 for v in row if v is not None)
        book.close()
    return {"seconds": time.perf_counter() - start, "cells": cells}


def setup_django(database_url: str, data_dir: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["GONGZHI_DATA_DIR"] = data_dir
    os.environ.setdefault("GONGZHI_SECRET_KEY", "bench-secret-key-not-for-production")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["GONGZHI_LOG_LEVEL"] = "WARNING"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def create_places(n_households: int) -> None:
    """County, town, communities, grids and households, inserted in bulk (not timed)."""
    from django.db import transaction

    from apps.ledgers.kinds.base import FastInsert
    from apps.places.actions import allocate_ids
    from apps.places.models import Place, path_segment

    fields = ("id", "kind", "code", "name", "parent", "path", "depth")
    n_grids = -(-n_households // HOUSEHOLDS_PER_GRID)
    n_communities = -(-n_grids // GRIDS_PER_COMMUNITY)
    with transaction.atomic():
        # One allocation: on SQLite ids continue after MAX(id), so they must be taken at once.
        ids = iter(allocate_ids(Place, 2 + n_communities + n_grids + n_households))
        county_id, town_id = next(ids), next(ids)
        county_path = path_segment(county_id)
        town_path = county_path + path_segment(town_id)
        rows = [
            (county_id, "county", COUNTY, "兴国县", None, county_path, 0),
            (town_id, "town", "360732101000", "潋江镇", county_id, town_path, 1),
        ]
        communities = []
        for c, pk in enumerate(next(ids) for _ in range(n_communities)):
            communities.append((pk, town_path + path_segment(pk)))
            rows.append(
                (
                    pk,
                    "community",
                    community_code(c),
                    f"第{c + 1}社区",
                    town_id,
                    communities[-1][1],
                    2,
                )
            )
        grids = []
        for g, pk in enumerate(next(ids) for _ in range(n_grids)):
            c_id, c_path = communities[g // GRIDS_PER_COMMUNITY]
            code = f"{community_code(g // GRIDS_PER_COMMUNITY)}{g % GRIDS_PER_COMMUNITY + 1:03d}"
            grids.append((pk, c_path + path_segment(pk)))
            rows.append((pk, "grid", code, f"第{g + 1}网格", c_id, grids[-1][1], 3))
        FastInsert(Place, fields).run(rows)
        batch = []
        for h, pk in enumerate(ids):
            g_id, g_path = grids[h // HOUSEHOLDS_PER_GRID]
            batch.append(
                (
                    pk,
                    "household",
                    household_code(h),
                    f"{h % HOUSEHOLDS_PER_GRID + 1}号",
                    g_id,
                    g_path + path_segment(pk),
                    4,
                )
            )
            if len(batch) >= 10_000:
                FastInsert(Place, fields).run(batch)
                batch = []
        FastInsert(Place, fields).run(batch)


def child_import(path: str, database_url: str, data_dir: str, n: int) -> dict:
    setup_django(database_url, data_dir)
    create_places(-(-n // PER_HOUSEHOLD))
    from django.core.files import File

    from apps.ledgers.actions import do_create_import_job, do_run_import
    from apps.people.models import Person

    start = time.perf_counter()
    with open(path, "rb") as f:
        job = do_create_import_job(
            actor=None, kind="residents", upload=File(f, name=Path(path).name), dry_run=False
        )
    job = do_run_import(job)
    seconds = time.perf_counter() - start
    assert job.status == "done", (job.status, job.message, job.errors[:3])
    return {"seconds": seconds, "rows": job.rows_imported, "persons": Person.objects.count()}


def run_child(args: list[str]) -> dict:
    """Run this script as a child; return its JSON result plus its peak RSS in MB."""
    proc = subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE, cwd=ROOT)
    out = proc.stdout.read() if proc.stdout else b""
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"child {args} failed with status {status}")
    result = json.loads(out.decode().strip().splitlines()[-1])
    result["peak_mb"] = usage.ru_maxrss / 1024  # KiB on Linux
    return result


# --- PostgreSQL database for the run --------------------------------------------------------


def pg_reset(create: bool) -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
            if create:
                conn.execute(f"CREATE DATABASE {PG_DB}")
    except Exception as exc:  # no server: report SQLite only
        print(f"PostgreSQL unavailable ({exc}); skipping it", flush=True)
        return False
    return True


def measure(label: str, args: list[str], rows: int) -> dict:
    result = run_child(args)
    rate = rows / result["seconds"] if result["seconds"] else 0
    print(
        f"{label:<28} {result['seconds']:8.2f} s {rate:10.0f} rows/s "
        f"peak {result['peak_mb']:7.1f} MB",
        flush=True,
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=SIZES, default="large")
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    opts = parser.parse_args()
    n = SIZES[opts.size]
    with tempfile.TemporaryDirectory(prefix="gongzhi-bench-") as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        xlsx, csv_path = write_files(n, folder)
        print(
            f"generated {n} residents in {time.perf_counter() - start:.1f} s "
            f"(xlsx {xlsx.stat().st_size / 1e6:.1f} MB, "
            f"csv {csv_path.stat().st_size / 1e6:.1f} MB)",
            flush=True,
        )
        parse = {
            f: measure(f"parse {f}", ["--child", "parse", str(p)], n)
            for f, p in (("xlsx", xlsx), ("csv", csv_path))
        }
        results: dict[str, dict] = {}
        backends = [("sqlite", lambda f: f"sqlite:///{folder / f'{f}.sqlite3'}")]
        if not opts.no_pg and pg_reset(create=False):
            backends.append(("postgresql", lambda f: f"postgres://postgres@127.0.0.1:5432/{PG_DB}"))
        for backend, url in backends:
            for f, p in (("xlsx", xlsx), ("csv", csv_path)):
                if backend == "postgresql" and not pg_reset(create=True):
                    continue
                data_dir = folder / f"data-{backend}-{f}"
                data_dir.mkdir()
                results[f"{backend}-{f}"] = r = measure(
                    f"import {f} into {backend}",
                    ["--child", "import", str(p), url(f), str(data_dir), str(n)],
                    n,
                )
                print(
                    f"{'':28} ratio import/parse {r['seconds'] / parse[f]['seconds']:.2f}",
                    flush=True,
                )
        if not opts.no_pg:
            pg_reset(create=False)
    sx, sc = results["sqlite-xlsx"], results["sqlite-csv"]
    peak = max(r["peak_mb"] for r in [*results.values(), *parse.values()])
    print(
        f"RESULT import_xlsx_s={sx['seconds']:.2f} "
        f"xlsx_parse_ratio={sx['seconds'] / parse['xlsx']['seconds']:.2f} "
        f"import_csv_s={sc['seconds']:.2f} "
        f"csv_parse_ratio={sc['seconds'] / parse['csv']['seconds']:.2f} peak_mb={peak:.0f}"
    )


def child_main(argv: list[str]) -> None:
    mode, path, *rest = argv
    if mode == "parse":
        result = child_parse(path)
    else:
        url, data_dir, n = rest
        result = child_import(path, url, data_dir, int(n))
    print(json.dumps(result))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child_main(sys.argv[2:])
    else:
        main()
