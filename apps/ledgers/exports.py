"""Writing ledgers out: the scope's rows as .xlsx (openpyxl write-only, constant memory) or
.csv (UTF-8 with BOM, which Excel opens correctly), the blank template with its “填写说明”
sheet, and the error report of an import job."""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font

from apps.core.cells import SafeWriter, neutralise, safe_row

from .kinds import ledger_for
from .kinds.ledger import ExportScope
from .models import ImportJob
from .readers import find_layout, raw_rows
from .specs import LedgerSpec

ERROR_HEADER = "错误信息"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(value)


def write_xlsx(
    path: str | Path, title: str, headers: list[str], rows: Iterable[tuple[Any, ...]]
) -> int:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.append(safe_row(headers))
    count = 0
    for row in rows:
        sheet.append(safe_row(row))
        count += 1
    book.save(path)
    return count


def write_csv(out: IO[str], headers: list[str], rows: Iterable[tuple[Any, ...]]) -> int:
    out.write("\ufeff")
    writer = SafeWriter(out)
    writer.writerow(headers)
    count = 0
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
        count += 1
    return count


def ledger_rows(kind: str, where: ExportScope) -> Iterator[tuple[Any, ...]]:
    return ledger_for(kind).export_rows(where)


def export_to_path(kind: str, path: str | Path, where: ExportScope) -> int:
    """Write the ledger to `path` (.xlsx or .csv by extension); return the row count."""
    spec = ledger_for(kind).spec
    rows = ledger_rows(kind, where)
    if str(path).lower().endswith(".csv"):
        with open(path, "w", encoding="utf-8", newline="") as out:
            return write_csv(out, spec.headers, rows)
    return write_xlsx(path, spec.title, spec.headers, rows)


def write_template(path: str | Path, spec: LedgerSpec) -> None:
    """A blank ledger: the header row (required columns in red, a note on each) and a second
    sheet “填写说明” with every column's rule and an example row."""
    book = Workbook()
    sheet = book.active
    sheet.title = spec.title[:31]
    for index, column in enumerate(spec.columns, start=1):
        cell = sheet.cell(row=1, column=index, value=neutralise(column.header))
        cell.font = Font(bold=True, color="C00000" if column.required else "000000")
        note = "必填。" if column.required else "选填。"
        cell.comment = Comment(
            note + column.note + (f"例：{column.example}" if column.example else ""), "共治"
        )
        cell.number_format = "@"
        sheet.column_dimensions[cell.column_letter].width = max(12, 2 * len(column.header) + 4)
    guide = book.create_sheet("填写说明")
    guide.append(["列名", "是否必填", "说明", "示例"])
    for column in spec.columns:
        guide.append(
            safe_row(
                [column.header, "必填" if column.required else "选填", column.note, column.example]
            )
        )
    guide.append([])
    guide.append(
        [
            "说明",
            "",
            "第一个工作表第1行为表头，从第2行起每行一条；列的顺序可以调整。"
            "身份证号、电话、编码列请设为文本格式，以免Excel截断。"
            "也可另存为CSV（UTF-8或GBK编码）后导入。",
        ]
    )
    book.save(path)


def write_error_report(job: ImportJob, path: str | Path) -> int:
    """The uploaded rows with an “错误信息” column (the job's stored errors), in the original
    column order; after fixing, the file can be imported again as it is."""
    messages: dict[int, list[str]] = defaultdict(list)
    for e in job.errors:
        where = f"{e['column']}列（{e['header']}）：" if e["column"] else ""
        messages[e["row"]].append(where + e["message"])
    spec = ledger_for(job.kind).spec
    with raw_rows(job.file.path, job.original_name) as sheet:
        rows = sheet.rows
        layout = find_layout(spec, rows)
        headers = [h for h in layout.headers if h != ERROR_HEADER]
        width = len(layout.headers)
        keep = [i for i, h in enumerate(layout.headers) if h != ERROR_HEADER]

        def numbered() -> Iterator[tuple[Any, ...]]:
            for number, values in enumerate(rows, start=layout.header_row + 1):
                padded = tuple(values) + (None,) * (width - len(values))
                yield (*(padded[i] for i in keep), "；".join(messages.get(number, [])))

        return write_xlsx(path, "错误报告", [*headers, ERROR_HEADER], numbered())
