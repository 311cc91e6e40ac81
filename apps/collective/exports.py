"""The statements of one village and year as one Excel workbook (资产负债表, 收益表,
收益分配表), every text cell through `core.cells.neutralise`."""

import datetime as dt
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from apps.core.cells import safe_row

from . import selectors
from .models import Book


def _sheet(
    wb: Workbook, title: str, heading: list[Any], rows: list[list[Any]], first: bool
) -> None:
    ws = wb.active if first else wb.create_sheet()
    ws.title = title
    for row in [heading, *rows]:
        ws.append(safe_row(row))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.column_dimensions["A"].width = 10
    ws.column_dimensions["B"].width = 28
    ws.column_dimensions["C"].width = 16


def statements_workbook(book: Book, year: int, today: dt.date) -> Workbook:
    date = min(today, dt.date(year, 12, 31))
    sheet = selectors.balance_sheet(book, date)
    wb = Workbook()
    rows: list[list[Any]] = [[book.organisation, f"截至 {date:%Y-%m-%d}", ""]]
    for title, part, total in (
        ("资产", sheet.assets, sheet.total_assets),
        ("负债", sheet.liabilities, sheet.total_liabilities),
        ("所有者权益", sheet.equity, sheet.total_equity),
    ):
        rows += [[r.code, r.name, float(r.amount)] for r in part]
        rows.append(["", f"{title}合计", float(total)])
    _sheet(wb, "资产负债表", ["科目编号", "项目", "金额（元）"], rows, True)
    statement = selectors.income_statement(book, dt.date(year, 1, 1), dt.date(year, 12, 31))
    _sheet(
        wb,
        "收益表",
        ["", "项目", f"{year}年（元）"],
        [["", label, float(amount)] for label, amount, _ in statement.rows()],
        False,
    )
    dist = selectors.distribution(book, year)
    rows = [
        ["", "本年净收益", float(dist.net_result)],
        ["", "加：年初未分配收益", float(dist.opening_undistributed)],
        ["", "可分配收益", float(dist.available)],
        *[["", f"减：{name}", float(amount)] for name, amount in dist.items],
        ["", "年末未分配收益", float(dist.closing_undistributed)],
    ]
    _sheet(wb, "收益分配表", ["", "项目", f"{year}年（元）"], rows, False)
    return wb
