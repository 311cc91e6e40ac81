"""Excel import of the village books through the ledgers machinery (ADR 0053): vouchers
(记账凭证, one row per line) and contracts (合同, with their payment schedule). Registered with
apps.ledgers.registry from CollectiveConfig.ready(); the ledgers app does the rest (upload,
dry run, row/column errors in Chinese, all or nothing, progress, error report, template,
export).

Vouchers come in as drafts (草稿): nothing is posted by an import. The accountant looks them
over on the book's page and submits each (`do_submit_voucher`), which sends it along the same
approval chain as a typed voucher, so no payment is booked without the 村务监督委员会 and the
agency having seen it.
"""

from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from apps.accounts.permissions import Cap, can
from apps.core import audit
from apps.core.choices import AuditVerb
from apps.ledgers import cells
from apps.ledgers.cells import CellError
from apps.ledgers.kinds.base import Context, Row
from apps.ledgers.kinds.ledger import ExportScope, Ledger
from apps.ledgers.specs import Column, LedgerSpec

from .actions import land_rent, save_contract
from .choices import ContractKind, Frequency, VoucherKind, VoucherStatus
from .models import Account, Book, Contract, Period, Voucher, VoucherLine

VOUCHERS_KIND = "collective_vouchers"
CONTRACTS_KIND = "collective_contracts"
COMMAND_LINE = "命令行"


def _labels(choices: Any) -> dict[str, str]:
    return {label: value for value, label in choices.choices}


def money(value: Any) -> int:
    """An amount in yuan (a number, or text like “1,234.50元”) as whole fen."""
    raw = cells.as_text(value).replace(",", "").replace("，", "").removesuffix("元").strip()
    try:
        amount = Decimal(str(value)) if isinstance(value, int | float) else Decimal(raw)
    except InvalidOperation:
        raise CellError(f"金额“{raw}”不是数字") from None
    if not amount.is_finite():
        raise CellError(f"金额“{raw}”不是数字")
    if amount < 0:
        raise CellError("金额不能为负数（冲销请在系统中做红字冲销）")
    if amount != amount.quantize(Decimal("0.01")):
        raise CellError(f"金额“{raw}”最多两位小数（到分）")
    return int(amount * 100)


def area(value: Any) -> Decimal:
    try:
        result = Decimal(cells.as_text(value))
    except InvalidOperation:
        raise CellError(f"“{cells.as_text(value)}”不是数字") from None
    if not result.is_finite() or result < 0:
        raise CellError("面积应为不小于0的数字（亩）")
    return result.quantize(Decimal("0.01"))


VILLAGE = Column(
    "村编码", "village", False, cells.code, "360732101201", "管辖范围内只有一个村的账套时可不填"
)

VOUCHERS = LedgerSpec(
    VOUCHERS_KIND,
    "村集体记账凭证",
    (
        VILLAGE,
        Column(
            "凭证号",
            "number",
            True,
            cells.text,
            "1",
            "同一凭证号的各行是同一张凭证的分录；正式凭证号在记账时按类型和年度编排",
        ),
        Column(
            "凭证类型",
            "kind",
            False,
            cells.choice(_labels(VoucherKind), "凭证类型"),
            "收款凭证",
            "、".join(VoucherKind.labels) + "；同一凭证填第一行即可",
        ),
        Column("记账日期", "date", False, cells.a_date, "2026-03-01", "同一凭证填第一行即可"),
        Column("摘要", "summary", False, cells.text, "收村东水田流转租金", "同一凭证填第一行即可"),
        Column("科目编号", "account", True, cells.code, "102", "会计科目表中的一级科目编号"),
        Column("明细", "sub", False, cells.text, "LZ-2026-01"),
        Column("借方金额", "debit", False, money, "54000.00", "元；借方、贷方只填一个"),
        Column("贷方金额", "credit", False, money, "", "元"),
        Column(
            "合同编号", "contract", False, cells.text, "", "收付合同款时填写该村已登记的合同编号"
        ),
    ),
    notes=("导入的凭证为草稿，须在账套页逐张提交，按审批顺序审批后记账。",),
)

CONTRACTS = LedgerSpec(
    CONTRACTS_KIND,
    "村集体合同",
    (
        VILLAGE,
        Column("合同编号", "number", True, cells.text, "LZ-2026-01", "同一村内不能重复"),
        Column(
            "合同类型",
            "kind",
            True,
            cells.choice(_labels(ContractKind), "合同类型"),
            "土地流转合同",
            "、".join(ContractKind.labels),
        ),
        Column("标的", "title", True, cells.text, "村东108亩水田流转"),
        Column("对方", "counterparty", True, cells.text, "临川绿野农业有限公司"),
        Column(
            "对方是自然人",
            "is_person",
            False,
            cells.yes_no,
            "否",
            "是/否；自然人在村务公开中只显示姓氏",
        ),
        Column("起始日期", "start", True, cells.a_date, "2026-01-01"),
        Column("终止日期", "end", True, cells.a_date, "2031-01-01"),
        Column("面积（亩）", "area_mu", False, area, "108", "土地流转合同必填"),
        Column("每亩每年租金（元）", "rent_per_mu", False, money, "500", "土地流转合同必填"),
        Column(
            "每年应收（元）",
            "annual_amount",
            False,
            money,
            "",
            "租赁、入股合同填写；土地流转合同按面积×每亩租金计算",
        ),
        Column(
            "收款方式",
            "frequency",
            False,
            cells.choice(_labels(Frequency), "收款方式"),
            "每年",
            "、".join(Frequency.labels) + "；留空为每年，按期预收",
        ),
        Column("带动就业（人）", "jobs", False, cells.whole_number, "0"),
    ),
    notes=("应收期次按起止日期和收款方式自动生成（期初预收，不足一期按天折算）。",),
)


# --- shared look-ups ------------------------------------------------------------------------


def _books(ctx: Context, rows: list[Row]) -> None:
    """Load the books the rows name (and, once, the books in the importer's scope)."""
    by_code: dict[str, Book | None] = ctx.cache.setdefault("books", {})
    wanted = {r.data["village"] for r in rows if "village" in r.data} - by_code.keys()
    if wanted:
        found = {
            b.village.code: b
            for b in Book.objects.select_related("village").filter(village__code__in=wanted)
        }
        for code in wanted:
            by_code[code] = found.get(code)
    if "in_scope" not in ctx.cache:
        ctx.cache["in_scope"] = list(
            Book.objects.select_related("village")
            .filter(village__path__startswith=ctx.scope_path)
            .order_by("village__code")[:2]
        )


def _book(ctx: Context, row: Row) -> Book | None:
    """The row's book: the one its 村编码 names, or the only one in the importer's scope;
    checked for the scope and the right to keep its books."""
    code = row.data.get("village")
    if code:
        book = ctx.cache["books"].get(code)
        if book is None:
            ctx.error(row, "village", f"编码为{code}的村还没有开设村集体账套")
            return None
    else:
        in_scope = ctx.cache["in_scope"]
        if len(in_scope) != 1:
            ctx.error(
                row,
                "village",
                "请填写村编码（您的管辖范围内有多个村集体账套）"
                if in_scope
                else "您的管辖范围内没有村集体账套",
            )
            return None
        book = in_scope[0]
    if not ctx.in_scope(book.village.path) or (
        ctx.actor is not None and not can(ctx.actor, Cap.COLLECTIVE_KEEP_BOOKS, book.village)
    ):
        ctx.error(row, "village", "该村不在您的管辖范围内")
        return None
    return book


def _reported(ctx: Context, row: Row) -> set[str]:
    """Headers of this row's cells already reported (an unreadable cell is not also “empty”)."""
    if row.ok:
        return set()
    return {e.header for e in ctx.errors.kept if e.row == row.number}


def _who(ctx: Context) -> Any:
    return ctx.actor or COMMAND_LINE


# --- vouchers -------------------------------------------------------------------------------


class VouchersLedger(Ledger):
    """One row per line; the rows sharing a 凭证号 make one voucher, checked as a whole once
    the file is read (`finish`): at least two lines, debits equal credits."""

    spec = VOUCHERS

    def check(self, rows: list[Row], ctx: Context) -> list[Any]:
        chart: dict[str, int] = ctx.cache.setdefault("chart", {})
        if not chart:
            chart.update(Account.objects.values_list("code", "id"))
        _books(ctx, rows)
        closed: set[tuple[int, int, int]] = ctx.cache.setdefault("closed", set())
        loaded: set[int] = ctx.cache.setdefault("closed_loaded", set())
        vouchers: dict[str, dict[str, Any]] = ctx.cache.setdefault("vouchers", {})
        for row in rows:
            d = row.data
            book = _book(ctx, row)
            if book is not None and book.pk not in loaded:
                loaded.add(book.pk)
                closed.update(Period.objects.filter(book=book).values_list("book", "year", "month"))
            if "account" in d and d["account"] not in chart:
                ctx.error(row, "account", f"科目编号“{d['account']}”不在会计科目表中")
            debit, credit = d.get("debit", 0), d.get("credit", 0)
            unread = _reported(ctx, row)
            if (debit > 0) == (credit > 0) and not unread & {"借方金额", "贷方金额"}:
                ctx.error(row, "debit", "借方金额和贷方金额必须填一个且只填一个")
            number = d.get("number")
            if number is None:
                continue
            voucher = vouchers.get(number)
            if voucher is None:
                voucher = vouchers[number] = {
                    "row": row.number,
                    "book": book,
                    "kind": d.get("kind"),
                    "date": d.get("date"),
                    "summary": d.get("summary", ""),
                    "contract": d.get("contract", ""),
                    "lines": [],
                    "ok": True,
                }
                for name, header in (
                    ("kind", "凭证类型"),
                    ("date", "记账日期"),
                    ("summary", "摘要"),
                ):
                    if not d.get(name) and header not in unread:
                        ctx.error(row, name, f"凭证的第一行须填写{header}")
            else:
                self._same(ctx, row, voucher, book)
            self._period(ctx, row, voucher, closed)
            voucher["lines"].append(
                (row.number, chart.get(d.get("account", "")), d.get("sub", "")[:40], debit, credit)
            )
            voucher["ok"] = voucher["ok"] and row.ok
        return []

    def _same(self, ctx: Context, row: Row, voucher: dict[str, Any], book: Book | None) -> None:
        d = row.data
        first = voucher["row"]
        if book is not None and voucher["book"] is not None and book.pk != voucher["book"].pk:
            ctx.error(row, "village", f"与第{first}行（同一凭证号）的村不一致")
        for name, header in (
            ("kind", "凭证类型"),
            ("date", "记账日期"),
            ("summary", "摘要"),
            ("contract", "合同编号"),
        ):
            if d.get(name) and voucher[name] and d[name] != voucher[name]:
                ctx.error(row, name, f"与第{first}行（同一凭证号）的{header}不一致")
            elif d.get(name) and not voucher[name]:
                voucher[name] = d[name]

    def _period(
        self, ctx: Context, row: Row, voucher: dict[str, Any], closed: set[tuple[int, int, int]]
    ) -> None:
        day, book = voucher["date"], voucher["book"]
        if (
            day
            and book
            and (book.pk, day.year, day.month) in closed
            and row.number == voucher["row"]
        ):
            ctx.error(row, "date", f"{day:%Y年%m月}已经结账，不能再记账")

    def finish(self, ctx: Context) -> list[Any]:
        vouchers: dict[str, dict[str, Any]] = ctx.cache.get("vouchers", {})
        contracts = self._contracts(vouchers)
        records = []
        for number, v in vouchers.items():
            rows = [line[0] for line in v["lines"]]
            where = f"第{rows[0]}行" if len(rows) == 1 else f"第{rows[0]}–{rows[-1]}行"
            anchor = Row(v["row"], {})
            if len(rows) < 2:
                ctx.error(
                    anchor,
                    "number",
                    f"凭证号{number}只有一条分录（{where}），至少要有借方和贷方两条",
                )
                continue
            debits = sum(line[3] for line in v["lines"])
            credits = sum(line[4] for line in v["lines"])
            if debits != credits:
                ctx.error(
                    anchor,
                    "number",
                    f"凭证号{number}借贷不平衡（{where}）："
                    f"借方合计 {Decimal(debits) / 100:.2f} 元，"
                    f"贷方合计 {Decimal(credits) / 100:.2f} 元，"
                    f"相差 {Decimal(abs(debits - credits)) / 100:.2f} 元",
                )
                continue
            contract_id = None
            if v["contract"] and v["book"] is not None:
                contract_id = contracts.get((v["book"].pk, v["contract"]))
                if contract_id is None:
                    ctx.error(anchor, "contract", f"该村没有编号为“{v['contract']}”的合同")
                    continue
            if ctx.prepare and v["ok"] and v["book"] is not None:
                records.append(
                    {
                        "number": number,
                        "book": v["book"].pk,
                        "kind": v["kind"],
                        "date": v["date"],
                        "summary": v["summary"][:120],
                        "contract": contract_id,
                        "lines": [line[1:] for line in v["lines"]],
                    }
                )
        return records

    @staticmethod
    def _contracts(vouchers: dict[str, dict[str, Any]]) -> dict[tuple[int, str], int]:
        wanted = {
            (v["book"].pk, v["contract"]) for v in vouchers.values() if v["contract"] and v["book"]
        }
        if not wanted:
            return {}
        found = Contract.objects.filter(
            book_id__in={b for b, _ in wanted}, number__in={n for _, n in wanted}
        ).values_list("book_id", "number", "id")
        return {(b, n): i for b, n, i in found}

    def write(self, records: list[Any], ctx: Context) -> int:
        books = Book.objects.select_related("village").in_bulk({r["book"] for r in records})
        written = 0
        for r in records:
            voucher = Voucher.objects.create(
                book=books[r["book"]],
                kind=r["kind"],
                date=r["date"],
                summary=r["summary"],
                contract_id=r["contract"],
                status=VoucherStatus.DRAFT,
                created_by=ctx.actor,
            )
            VoucherLine.objects.bulk_create(
                VoucherLine(voucher=voucher, account_id=a, sub=sub, debit=d, credit=c)
                for a, sub, d, c in r["lines"]
            )
            audit.record(
                actor=_who(ctx),
                verb=AuditVerb.CREATE,
                obj=voucher,
                changes={"imported": r["number"], "kind": r["kind"], "date": r["date"]},
            )
            written += len(r["lines"])
        return written

    def export_rows(self, where: ExportScope) -> Iterator[tuple[Any, ...]]:
        lines = (
            VoucherLine.objects.filter(**where.path_filter("voucher__book__village"))
            .select_related("voucher__book__village", "voucher__contract", "account")
            .order_by("voucher__book__village__code", "voucher__date", "voucher_id", "id")
        )
        kinds = dict(VoucherKind.choices)
        for line in lines.iterator(chunk_size=2000):
            v = line.voucher
            yield (
                v.book.village.code,
                v.number or f"草稿{v.pk}",
                kinds.get(v.kind, v.kind),
                v.date,
                v.summary,
                line.account.code,
                line.sub,
                Decimal(line.debit) / 100 if line.debit else None,
                Decimal(line.credit) / 100 if line.credit else None,
                v.contract.number if v.contract_id else "",
            )


# --- contracts ------------------------------------------------------------------------------


class ContractsLedger(Ledger):
    spec = CONTRACTS

    def check(self, rows: list[Row], ctx: Context) -> list[Any]:
        _books(ctx, rows)
        books = {id(r): _book(ctx, r) for r in rows}
        ids = {b.pk for b in books.values() if b is not None}
        existing = set(
            Contract.objects.filter(
                book_id__in=ids, number__in={r.data.get("number") for r in rows}
            ).values_list("book_id", "number")
        )
        records = []
        for row in rows:
            d, book = row.data, books[id(row)]
            if d.get("start") and d.get("end") and d["end"] <= d["start"]:
                ctx.error(row, "end", "终止日期应晚于起始日期")
            annual = d.get("annual_amount", 0)
            if d.get("kind") == ContractKind.LAND_TRANSFER:
                if not d.get("area_mu") or not d.get("rent_per_mu"):
                    field = "rent_per_mu" if d.get("area_mu") else "area_mu"
                    ctx.error(row, field, "土地流转合同请填写面积（亩）和每亩每年租金")
                else:
                    annual = land_rent(d["area_mu"], d["rent_per_mu"])
            if book is None or "number" not in d:
                continue
            key = (book.pk, d["number"])
            earlier = ctx.first_seen(key, row)
            if earlier is not None:
                ctx.error(row, "number", f"与第{earlier}行的合同编号重复")
            elif key in existing:
                ctx.error(row, "number", f"合同编号“{d['number']}”已经登记过")
            if ctx.prepare and row.ok:
                records.append(
                    {
                        "book": book.pk,
                        "kind": d["kind"],
                        "number": d["number"][:40],
                        "title": (d["title"] or d["number"])[:100],
                        "counterparty": d["counterparty"][:80],
                        "counterparty_is_person": d.get("is_person", False),
                        "start": d["start"],
                        "end": d["end"],
                        "area_mu": d.get("area_mu", Decimal(0)),
                        "rent_per_mu": d.get("rent_per_mu", 0),
                        "annual_amount": annual,
                        "frequency": d.get("frequency", Frequency.YEARLY),
                        "jobs": d.get("jobs", 0),
                    }
                )
        return records

    def write(self, records: list[Any], ctx: Context) -> int:
        books = Book.objects.select_related("village").in_bulk({r["book"] for r in records})
        for r in records:
            save_contract(actor=_who(ctx), **{**r, "book": books[r["book"]]})
        return len(records)

    def export_rows(self, where: ExportScope) -> Iterator[tuple[Any, ...]]:
        contracts = (
            Contract.objects.filter(**where.path_filter("book__village"))
            .select_related("book__village")
            .order_by("book__village__code", "number")
        )
        kinds, frequencies = dict(ContractKind.choices), dict(Frequency.choices)
        for c in contracts.iterator(chunk_size=2000):
            yield (
                c.book.village.code,
                c.number,
                kinds.get(c.kind, c.kind),
                c.title,
                c.counterparty,
                "是" if c.counterparty_is_person else "否",
                c.start,
                c.end,
                c.area_mu or None,
                Decimal(c.rent_per_mu) / 100 if c.rent_per_mu else None,
                Decimal(c.annual_amount) / 100 if c.annual_amount else None,
                frequencies.get(c.frequency, c.frequency),
                c.jobs,
            )


def register_imports() -> None:
    """Called from CollectiveConfig.ready()."""
    from apps.ledgers.registry import register

    register(VouchersLedger(), import_cap=Cap.COLLECTIVE_KEEP_BOOKS, export_cap=Cap.COLLECTIVE_VIEW)
    register(
        ContractsLedger(), import_cap=Cap.COLLECTIVE_KEEP_BOOKS, export_cap=Cap.COLLECTIVE_VIEW
    )
