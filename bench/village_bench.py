"""Village books benchmark: the balance sheet of one village with 10,000 voucher lines and
the collective-income ranking of a county of 300 villages, from posted lines by grouped
queries (`apps.collective.selectors`), against a baseline in the same run that reads every
line of the village into Python and sums it.

    nice .venv/bin/python bench/village_bench.py [--size full|small] [--db URL] [--repeat 5]

It migrates a fresh database of its own (a temporary SQLite file unless `--db` names
another, e.g. postgres://postgres@127.0.0.1:5432/gongzhi_bench_village, which must exist and
be empty), builds a county of `villages` villages in 10 towns with a year of books each
(written in bulk and posted through the balance trigger), gives the first village
`lines` lines, and times each query `--repeat` times (median). Last line:

    RESULT lines=… balance_sheet_ms=… county_ranking_ms=… baseline_balance_sheet_ms=…

Targets (issue 17): balance sheet ≤ 200 ms, county ranking ≤ 1 s at size `full`.
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = {"full": (300, 10_000), "small": (30, 1_000)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=SIZES, default="full")
    parser.add_argument("--db", default="")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    villages, target = SIZES[args.size]
    tmp = tempfile.mkdtemp(prefix="village_bench_")
    os.environ["DATABASE_URL"] = args.db or f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from apps.collective.bulk import post_many, year_of_books
    from apps.collective.models import Book, VoucherLine
    from apps.collective.selectors import balance_sheet, ranking
    from apps.core.testing.factories import make_place
    from apps.places.choices import PlaceKind

    rng = random.Random(17)
    county = make_place(PlaceKind.COUNTY, "基准县")
    towns = [make_place(PlaceKind.TOWN, f"基准镇{t}", county) for t in range(10)]
    places = [make_place(PlaceKind.COMMUNITY, f"基准村{n}", towns[n % 10]) for n in range(villages)]
    books = Book.objects.bulk_create(
        Book(village=p, organisation=f"{p.name}股份经济合作社", members=1000) for p in places
    )
    books = list(Book.objects.order_by("village__path"))
    big = books[0]
    today = dt.date(2026, 12, 31)
    started = time.perf_counter()
    batch = [(big, year_of_books(rng, 2026, 500_000_00, lines_target=target, until=today))]
    batch += [
        (b, year_of_books(rng, 2026, rng.randint(5_000, 900_000) * 100, until=today))
        for b in books[1:]
    ]
    post_many(batch)
    build_s = time.perf_counter() - started
    lines = VoucherLine.objects.filter(voucher__book=big).count()
    total = VoucherLine.objects.count()
    print(f"built {villages} villages, {total} lines ({lines} in the first) in {build_s:.1f} s")

    def timed(fn) -> float:
        runs = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            fn()
            runs.append((time.perf_counter() - t) * 1000)
        return statistics.median(runs)

    def baseline() -> None:
        from apps.collective.models import Account

        classes = dict(Account.objects.values_list("pk", "account_class"))
        assets = 0
        for line in VoucherLine.objects.filter(voucher__book=big, voucher__status="posted"):
            if classes[line.account_id] in ("asset", "cost"):
                assets += line.debit - line.credit

    sheet = balance_sheet(big, today)
    assert sheet.balances, "the balance sheet does not balance"
    bs_ms = timed(lambda: balance_sheet(big, today))
    base_ms = timed(baseline)
    rank_ms = timed(lambda: ranking(county, 2026))
    assert len(ranking(county, 2026)) == villages
    print(f"balance sheet {bs_ms:.1f} ms (baseline, every line in Python: {base_ms:.1f} ms)")
    print(f"county ranking of {villages} villages {rank_ms:.1f} ms")
    print(
        f"RESULT lines={lines} balance_sheet_ms={bs_ms:.1f} county_ranking_ms={rank_ms:.1f} "
        f"baseline_balance_sheet_ms={base_ms:.1f}"
    )


if __name__ == "__main__":
    main()
