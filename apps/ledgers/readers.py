"""Reading a ledger file row by row in bounded memory: .xlsx through openpyxl's read-only
mode, .csv through the csv module (UTF-8 with or without BOM, else GB18030, a superset of the
GBK that Chinese Excel writes). Row numbers are those Excel shows."""

import codecs
import csv
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from .specs import LedgerSpec

# An .xlsx is a zip: what it may hold once unpacked (openpyxl reads the shared strings and the
# styles whole into memory; an 830 KB file unpacking to 300 MB of shared strings took 13 s and
# 550 MB before its first row). Real workbooks unpack to 5–20 times their size.
XLSX_MAX_MEMBERS = 1000
XLSX_MAX_RATIO = 100
XLSX_RATIO_FLOOR = 10 * 1024 * 1024  # a small file may unpack to this whatever its ratio

# Columns clerks often add that carry nothing to import.
IGNORED_HEADERS = {"序号", "错误信息"}
HEADER_SEARCH_ROWS = 10


class LedgerFileError(ValueError):
    """The file as a whole cannot be read (format, encoding, headers)."""


@dataclass
class Layout:
    """Where each field sits in the file: field → column index, plus the header row."""

    header_row: int
    positions: dict[str, int]
    headers: list[str]

    def cell_name(self, field_name: str) -> tuple[str, str]:
        """(column letter, header) of a field, as the clerk sees them in Excel."""
        index = self.positions[field_name]
        return get_column_letter(index + 1), self.headers[index]


def clean_header(value: Any) -> str:
    return str(value or "").strip().rstrip("*＊").strip()


def file_kind(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix not in {".xlsx", ".csv"}:
        raise LedgerFileError("只支持 .xlsx 或 .csv 文件（旧版 .xls 请在 Excel 中另存为 .xlsx）")
    return suffix[1:]


def detect_encoding(path: str | Path) -> str:
    """utf-8-sig if the whole file decodes as UTF-8, else gb18030."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as f:
        try:
            while block := f.read(1 << 20):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "gb18030"
    return "utf-8-sig"


def count_lines(path: str | Path) -> int:
    with open(path, "rb") as f:
        return sum(block.count(b"\n") for block in iter(lambda: f.read(1 << 20), b""))


@dataclass
class Sheet:
    """The rows of the first sheet (or the CSV) as tuples from row 1, empty rows included,
    and roughly how many there are (for a progress bar; 0 if unknown)."""

    rows: Iterator[tuple[Any, ...]]
    estimated_rows: int


def limits() -> tuple[int, int, float]:
    """(rows, columns, seconds) a ledger file may take: LEDGER_MAX_ROWS, LEDGER_MAX_COLUMNS,
    LEDGER_MAX_SECONDS."""
    return (
        int(settings.LEDGER_MAX_ROWS),
        int(settings.LEDGER_MAX_COLUMNS),
        float(settings.LEDGER_MAX_SECONDS),
    )


def bounded(rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    """The rows, at most LEDGER_MAX_COLUMNS wide; past LEDGER_MAX_ROWS rows or
    LEDGER_MAX_SECONDS of reading, a LedgerFileError in plain words instead of more rows."""
    max_rows, max_columns, max_seconds = limits()
    deadline = time.monotonic() + max_seconds
    for number, row in enumerate(rows, start=1):
        if number > max_rows:
            raise LedgerFileError(
                f"文件超过{max_rows}行（含空行），请删除多余的空行或拆分成几个文件分批导入"
            )
        if number % 1000 == 0 and time.monotonic() > deadline:
            raise LedgerFileError(
                f"读取文件超过{int(max_seconds)}秒仍未完成，已停止，请拆分后再导入"
            )
        yield tuple(row[:max_columns])


def check_unpacked_size(path: str | Path) -> None:
    """Refuse a zip bomb from the workbook's directory, before anything is unpacked: at most
    XLSX_MAX_MEMBERS files, together at most LEDGER_MAX_UNZIPPED_BYTES and XLSX_MAX_RATIO
    times the file's size (or XLSX_RATIO_FLOOR). The sizes a directory declares hold when
    reading: zipfile stops at the declared size and checks the CRC."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        raise LedgerFileError("无法读取Excel文件：文件已损坏，或不是 .xlsx 格式") from exc
    if len(infos) > XLSX_MAX_MEMBERS:
        raise LedgerFileError(
            f"Excel文件内部结构异常（含{len(infos)}个部件，最多{XLSX_MAX_MEMBERS}个），"
            "请在Excel中另存为新的 .xlsx 文件后再导入"
        )
    unpacked = sum(i.file_size for i in infos)
    by_ratio = max(XLSX_MAX_RATIO * Path(path).stat().st_size, XLSX_RATIO_FLOOR)
    limit = min(int(settings.LEDGER_MAX_UNZIPPED_BYTES), by_ratio)
    if unpacked > limit:
        raise LedgerFileError(
            f"Excel文件解压后过大（{unpacked / 1024 / 1024:.0f} MB，"
            f"本文件最多{limit / 1024 / 1024:.0f} MB），"
            "可能是异常文件；请另存为CSV，或拆分成几个文件分批导入"
        )


@contextmanager
def raw_rows(path: str | Path, name: str = "") -> Iterator[Sheet]:
    """Open a ledger file for streaming; see Sheet. The size a workbook declares for itself
    (its `dimension`, e.g. A1:XFD1048576 in an 8 KB file) is not believed: reading follows
    the rows actually present, at most LEDGER_MAX_COLUMNS wide (`bounded`)."""
    kind = file_kind(name or str(path))
    max_rows, max_columns, _ = limits()
    if kind == "csv":
        with open(path, encoding=detect_encoding(path), newline="") as f:
            yield Sheet(bounded(tuple(row) for row in csv.reader(f)), count_lines(path))
        return
    check_unpacked_size(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged or foreign file
        # Not the exception's text: it may carry the server's path of the stored upload.
        raise LedgerFileError("无法读取Excel文件：文件已损坏，或不是 .xlsx 格式") from exc
    try:
        sheet = book.worksheets[0]
        declared = min(sheet.max_row or 0, max_rows)
        sheet.reset_dimensions()  # padding every row to 16,384 columns took minutes
        rows = sheet.iter_rows(values_only=True, max_col=max_columns)
        yield Sheet(bounded(rows), declared)
    finally:
        book.close()


def find_layout(spec: LedgerSpec, rows: Iterator[tuple[Any, ...]]) -> Layout:
    """Consume rows up to the header row (the first non-empty one) and match it to the spec."""
    for number, row in enumerate(rows, start=1):
        headers = [clean_header(v) for v in row]
        if any(headers):
            return _match_headers(spec, number, headers)
        if number >= HEADER_SEARCH_ROWS:
            break
    raise LedgerFileError("文件中没有表头行（前10行都是空的）")


def _match_headers(spec: LedgerSpec, row_number: int, headers: list[str]) -> Layout:
    by_header = {c.header: c for c in spec.columns}
    positions: dict[str, int] = {}
    unknown, repeated = [], []
    for index, header in enumerate(headers):
        if not header or header in IGNORED_HEADERS:
            continue
        column = by_header.get(header)
        if column is None:
            unknown.append(header)
        elif column.field in positions:
            repeated.append(header)
        else:
            positions[column.field] = index
    missing = [c.header for c in spec.columns if c.required and c.field not in positions]
    problems = []
    if missing:
        problems.append(f"缺少必填列：{'、'.join(missing)}")
    if unknown:
        problems.append(
            f"无法识别的列：{'、'.join(unknown)}（本台账的列为：{'、'.join(spec.headers)}）"
        )
    if repeated:
        problems.append(f"重复的列：{'、'.join(repeated)}")
    if problems:
        raise LedgerFileError(f"第{row_number}行表头有误：" + "；".join(problems))
    return Layout(row_number, positions, headers)
