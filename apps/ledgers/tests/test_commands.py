"""`gongzhi import` and `gongzhi export`: output, audit label and exit codes."""

import pytest
from django.core.management import call_command

from apps.core.models import AuditEvent
from apps.ledgers.choices import LedgerKind
from apps.people.models import Person

from .conftest import ledger_file, new_id


def test_it_imports_as_the_system_and_exits_zero(world, tmp_path, capsys):
    rows = [{"户编码": world.household_b.code, "姓名": "王芳", "身份证号": new_id()}]
    call_command("ledger_import", "residents", str(ledger_file(tmp_path, "residents", rows)))
    assert "导入完成，共1行" in capsys.readouterr().out
    assert Person.objects.count() == 1
    assert AuditEvent.objects.get(verb="import").actor_label == "命令行"


def test_it_prints_errors_and_exits_non_zero(world, tmp_path, capsys):
    rows = [{"户编码": world.household_b.code, "姓名": "王芳", "身份证号": "360732198005170011"}]
    path = ledger_file(tmp_path, LedgerKind.RESIDENTS, rows)
    with pytest.raises(SystemExit) as exit_info:
        call_command("ledger_import", "residents", str(path), "--user", "staff_a", "--dry-run")
    assert exit_info.value.code == 1
    out = capsys.readouterr().out
    assert "第2行 A列（户编码）：地点不在您的管辖范围内" in out
    assert "第2行 D列（身份证号）：身份证号校验位错误（应为5）" in out


def test_it_exports_by_extension(world, tmp_path, capsys, resident_a):
    path = tmp_path / "people.csv"
    call_command("ledger_export", "residents", str(path), "--user", "staff_a")
    assert "已导出1行" in capsys.readouterr().out
    assert "张桂英" in path.read_text(encoding="utf-8-sig")
