"""Bulk building of a village's books for the demo and the benchmark: vouchers are written
as drafts with their lines in two bulk inserts, then posted by one UPDATE — each row still
passes the database's balance trigger (migration 0003), so bulk data is as honest as data
typed through the forms."""

import datetime as dt
import random
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from .choices import VoucherKind, VoucherStatus
from .models import Account, Book, Voucher, VoucherLine

PREFIX = {VoucherKind.RECEIPT: "收", VoucherKind.PAYMENT: "付", VoucherKind.TRANSFER: "转"}

# (kind, debit account, credit account, summary, share of the year's operating income)
Entry = tuple[str, str, str, str, int]


def post_entries(book: Book, entries: Sequence[Any]) -> int:
    """Write and post one book's vouchers (see `post_many`)."""
    return post_many([(book, entries)])


def post_many(books: Sequence[tuple[Book, Sequence[Any]]]) -> int:
    """Write and post vouchers of several books in three statements: each entry is (kind,
    date, summary, [(account code, debit, credit, sub)]) and optionally a fifth item, the
    voucher's links ({"contract_id": …, "instalment_id": …}). Returns the number of lines."""
    accounts = dict(Account.objects.values_list("code", "pk"))
    counters: dict[tuple[int, str, int], int] = {}
    vouchers, all_entries = [], []
    for book, entries in books:
        for entry in entries:
            kind, date, summary = entry[0], entry[1], entry[2]
            links = entry[4] if len(entry) > 4 else {}
            key = (book.pk, kind, date.year)
            counters[key] = counters.get(key, 0) + 1
            vouchers.append(
                Voucher(
                    book=book,
                    kind=kind,
                    date=date,
                    summary=summary,
                    number=f"{PREFIX[VoucherKind(kind)]}{date.year}-{counters[key]:04d}",
                    status=VoucherStatus.DRAFT,
                    **links,
                )
            )
            all_entries.append(entry)
    if not vouchers:
        return 0
    with transaction.atomic():
        Voucher.objects.bulk_create(vouchers, batch_size=2000)
        lines = [
            VoucherLine(voucher_id=v.pk, account_id=accounts[code], debit=d, credit=c, sub=sub)
            for v, entry in zip(vouchers, all_entries, strict=True)
            for code, d, c, sub in entry[3]
        ]
        VoucherLine.objects.bulk_create(lines, batch_size=5000)
        Voucher.objects.filter(status=VoucherStatus.DRAFT, pk__in=[v.pk for v in vouchers]).update(
            status=VoucherStatus.POSTED, posted_at=timezone.now()
        )
    return len(lines)


def year_of_books(
    rng: random.Random, year: int, operating: int, *, lines_target: int = 0, until: dt.date
) -> list[tuple[str, dt.date, str, list[tuple[str, int, int, str]]]]:
    """A plausible year for a village whose operating income is `operating` fen: rent and
    service income (经营收入), a dividend (投资收益), a subsidy, wages, repairs, public works
    and office costs; with `lines_target`, small receipts are added until that many lines."""
    entries: list[tuple[str, dt.date, str, list[tuple[str, int, int, str]]]] = []
    last = min(until, dt.date(year, 12, 31))
    months = max(1, last.month if last.year == year else 12)

    def day(month: int) -> dt.date:
        top = last.day if (year, month) == (last.year, last.month) else 28
        return dt.date(year, month, rng.randint(1, max(1, min(28, top))))

    dividend = operating * rng.choice([0, 0, 20, 40]) // 100
    rent = operating - dividend
    per = rent // months
    for m in range(1, months + 1):
        amount = per if m < months else rent - per * (months - 1)
        if amount > 0:
            entries.append(
                (
                    "receipt",
                    day(m),
                    "收租金及服务收入",
                    [("102", amount, 0, ""), ("501", 0, amount, "")],
                )
            )
    if dividend:
        entries.append(
            (
                "receipt",
                day(months),
                "收入股企业分红",
                [("102", dividend, 0, ""), ("521", 0, dividend, "")],
            )
        )
    subsidy = rng.randint(50_000, 200_000) * 100
    entries.append(
        (
            "receipt",
            day(1),
            "收村级组织运转补助",
            [("102", subsidy, 0, ""), ("531", 0, subsidy, "")],
        )
    )
    costs = [
        ("511", "付村干部误工补贴", 0.25),
        ("502", "付经营支出", 0.15),
        ("551", "付村道维修、保洁（公益支出）", 0.2),
    ]
    for code, text, share in costs:
        amount = int((operating + subsidy) * share * rng.uniform(0.6, 1.0))
        if amount > 0:
            entries.append(
                (
                    "payment",
                    day(rng.randint(1, months)),
                    text,
                    [(code, amount, 0, ""), ("102", 0, amount, "")],
                )
            )
    n = sum(len(e[3]) for e in entries)
    while n < lines_target:
        amount = rng.randint(100, 50_000) * 100
        m = rng.randint(1, months)
        entries.append(
            ("receipt", day(m), "收零星服务收入", [("101", amount, 0, ""), ("501", 0, amount, "")])
        )
        n += 2
    return entries
