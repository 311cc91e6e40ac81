"""A briefing as files: PDF (WeasyPrint, Noto CJK embedded, SVG charts), Excel (openpyxl,
one sheet per section, native charts beside the trend and the breakdowns) and the HTML body the
web view shows."""

import io
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font

from apps.core.cells import safe_row

from . import charts
from .content import Briefing, Row

SHEETS = (
    "关键指标",
    "近12个月",
    "事项分类",
    "事项来源",
    "事项状态",
    "下级区域排名",
    "超期事项",
    "全部指标",
)


def _context(b: Briefing) -> dict[str, Any]:
    return {
        "b": b,
        "trend_svg": mark_safe(charts.columns(b.trend, "近12个月事项数（件）")),
        "category_svg": mark_safe(charts.bars(b.by_category, "事项分类（件）")),
        "source_svg": mark_safe(charts.bars(b.by_source, "事项来源（件）")),
    }


def pdf_bytes(b: Briefing) -> bytes:
    from weasyprint import HTML

    html = render_to_string("reports/briefing_pdf.html", _context(b))
    return bytes(HTML(string=html).write_pdf())


def html_bytes(b: Briefing) -> bytes:
    """The briefing's body as an HTML fragment, kept with the files: the web view shows what
    the PDF says, as it was generated (figures move on after the period ends)."""
    return render_to_string("reports/_briefing_body.html", _context(b)).encode()


def _sheet(wb: Workbook, title: str, header: list[str], rows: list[list[Any]]) -> Any:
    ws = wb.create_sheet(title)
    ws.append(safe_row(header))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(safe_row(row))
    for i, name in enumerate(header, start=1):
        width = max([len(str(name))] + [len(str(r[i - 1])) for r in rows if len(r) >= i])
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = min(
            60, max(8, width * 2)
        )
    ws.freeze_panes = "A2"
    for row_cells in ws.iter_rows(min_row=2):
        for cell in row_cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    return ws


def _chart(ws: Any, rows: int, title: str, *, horizontal: bool, anchor: str = "D2") -> None:
    """A native Excel bar chart of the sheet's first two columns (labels, counts), so the
    figures stay editable in the workbook the office passes on."""
    if rows == 0:
        return
    chart = BarChart()
    chart.type = "bar" if horizontal else "col"
    chart.title = title
    chart.legend = None
    chart.y_axis.title = "件"
    chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=rows + 1), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=rows + 1))
    chart.height = max(7.5, 0.6 * rows + 3) if horizontal else 7.5
    chart.width = 18
    ws.add_chart(chart, anchor)


def _cell(row: Row) -> Any:
    """A figure as Excel should hold it: a number when there is one (sums and sorting work),
    the text (— , a breakdown) otherwise."""
    return row.number if row.number is not None else row.value


def _fractions(values: list[Any]) -> list[float | None]:
    return [None if v is None else round(v / 100, 4) for v in values]


def _percent_cells(ws: Any, column: int, rows: list[Row]) -> None:
    """Rates are stored as fractions and shown as per cent."""
    for index, row in enumerate(rows, start=2):
        if row.rate and row.number is not None:
            ws.cell(row=index, column=column).number_format = "0.0%"


def xlsx_bytes(b: Briefing) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    period = f"{b.start:%Y-%m-%d} 至 {b.end:%Y-%m-%d}"
    _sheet(
        wb,
        SHEETS[0],
        ["指标", "数值", b.previous_label, "单位", "口径说明"],
        [[r.name, _cell(r), r.change, r.unit, r.definition] for r in b.key_figures]
        + [[], [f"{b.place.name} {b.title}", period]],
    )
    _percent_cells(wb[SHEETS[0]], 2, b.key_figures)
    trend = _sheet(wb, SHEETS[1], ["月份", "事项数"], [list(r) for r in b.trend])
    _chart(trend, len(b.trend), "近12个月事项数（件）", horizontal=False)
    for title, header, rows in (
        (SHEETS[2], ["类别", "事项数"], b.by_category),
        (SHEETS[3], ["来源", "事项数"], b.by_source),
        (SHEETS[4], ["状态", "事项数"], b.by_status),
    ):
        ws = _sheet(wb, title, header, [list(r) for r in rows])
        _chart(ws, len(rows), f"{title}（件）", horizontal=True)
    ranking = _sheet(
        wb,
        SHEETS[5],
        b.ranking_columns,
        [[*r[:2], *_fractions(r[2:6]), r[6]] for r in b.ranking_values],
    )
    for row_cells in ranking.iter_rows(min_row=2, min_col=3, max_col=6):
        for cell in row_cells:
            cell.number_format = "0.0%"
    _sheet(
        wb,
        SHEETS[6],
        ["编号", "标题", "地点", "类别", "状态", "登记日期", "办结时限"],
        [
            [
                o["number"],
                o["title"],
                o["place"],
                o["category"],
                o["status"],
                o["created"],
                o["resolve_by"],
            ]
            for o in b.overdue
        ],
    )
    _sheet(
        wb,
        SHEETS[7],
        ["指标", "数值", "单位", "口径说明", "工作板块"],
        [
            [r.name, _cell(r), r.unit, r.definition, programme]
            for programme, rows in b.sections
            for r in rows
        ],
    )
    _percent_cells(wb[SHEETS[7]], 2, b.indicators)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
