"""Imports and exports cover the account's scope only; roles without the right are refused."""

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import load_workbook

from apps.ledgers.actions import do_export_ledger
from apps.ledgers.choices import LedgerKind
from apps.people.models import Person

from .conftest import errors_of, ledger_file, new_id, run_import


def test_it_refuses_each_row_outside_the_importers_scope(world, tmp_path):
    rows = [
        {"户编码": world.household_b.code, "姓名": "李", "身份证号": new_id()} for _ in range(2)
    ]
    job = run_import(
        ledger_file(tmp_path, LedgerKind.RESIDENTS, rows),
        LedgerKind.RESIDENTS,
        world.user("community_a"),
    )
    assert errors_of(job) == [
        (2, "A", "户编码", "地点不在您的管辖范围内"),
        (3, "A", "户编码", "地点不在您的管辖范围内"),
    ]
    assert not Person.objects.exists()


def test_it_exports_only_the_scope_and_masks_for_roles_without_reveal(
    world, tmp_path, resident_a, resident_b
):
    path = tmp_path / "out.xlsx"
    assert do_export_ledger(LedgerKind.RESIDENTS, path, actor=world.user("county_leader")) == 2
    assert do_export_ledger(LedgerKind.RESIDENTS, path, actor=world.user("community_a")) == 1
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert rows[1][:4] == (world.household_a.code, "张桂英", "男", "360732194501011234")
    do_export_ledger(LedgerKind.RESIDENTS, path, actor=world.user("county_leader"))
    masked = {r[3] for r in list(load_workbook(path).active.iter_rows(values_only=True))[1:]}
    assert "3****************4" in masked


def test_it_refuses_roles_without_the_right(world, tmp_path):
    with pytest.raises(PermissionDenied):
        do_export_ledger(LedgerKind.RESIDENTS, tmp_path / "x.csv", actor=world.user("volunteer_a"))
    with pytest.raises(PermissionDenied):
        run_import(
            ledger_file(tmp_path, LedgerKind.RESIDENTS, []),
            LedgerKind.RESIDENTS,
            world.user("grid_worker_a"),
        )
