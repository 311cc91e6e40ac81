"""The catalogue: seeded by migration, imported from Excel by `gongzhi categories import`."""

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from apps.cases.models import Category

pytestmark = pytest.mark.django_db


def sheet(tmp_path, rows):
    wb = Workbook()
    ws = wb.active
    ws.append(
        [
            "代码",
            "名称",
            "上级代码",
            "响应时限",
            "响应单位",
            "办结时限",
            "办结单位",
            "默认层级",
            "一次性告知材料",
        ]
    )
    for row in rows:
        ws.append(row)
    path = tmp_path / "catalogue.xlsx"
    wb.save(path)
    return path


def test_it_seeds_the_default_catalogue():
    names = set(Category.objects.values_list("name", flat=True))
    assert {"政策咨询", "养老服务", "医疗帮办", "消防隐患", "林区隐患", "法律援助"} <= names
    assert Category.objects.count() >= 20
    assert Category.objects.get(code="fire-hazard").parent.code == "hazard"


def test_it_imports_and_updates_by_code(tmp_path, capsys):
    path = sheet(
        tmp_path,
        [
            ["garbage", "垃圾清运", "environment", 4, "小时", 1, "工作日", "网格", "位置；照片"],
            ["policy", "政策咨询（更新）", "service", 1, "工作日", 2, "工作日", "社区村", ""],
        ],
    )
    call_command("categories", "import", str(path))
    assert "新增 1 类，更新 1 类" in capsys.readouterr().out
    garbage = Category.objects.get(code="garbage")
    assert (garbage.response_unit, garbage.default_level) == ("hours", "grid")
    assert garbage.materials_list == ["位置", "照片"] and garbage.parent.code == "environment"
    assert Category.objects.get(code="policy").resolve_amount == 2


def test_it_writes_nothing_when_a_row_is_wrong(tmp_path):
    path = sheet(
        tmp_path,
        [
            ["ok-row", "正常", "", 1, "工作日", 1, "工作日", "社区村", ""],
            ["bad-row", "错误", "", 1, "周", 1, "工作日", "省级", ""],
        ],
    )
    with pytest.raises(CommandError, match="2 处错误"):
        call_command("categories", "import", str(path))
    assert not Category.objects.filter(code="ok-row").exists()
