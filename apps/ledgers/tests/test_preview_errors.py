"""The dry run lists every bad row with its Excel row, column letter, header and message."""

from apps.core.testing.factories import make_id_number
from apps.ledgers.choices import LedgerKind
from apps.ledgers.models import ImportJob
from apps.people.models import Person

from .conftest import errors_of, ledger_file, new_id, run_import, write_xlsx

KIND = LedgerKind.RESIDENTS


def resident(world, **cells):
    row = {"户编码": world.household_a.code, "姓名": "王芳", "身份证号": new_id()}
    row.update(cells)
    return row


def test_it_lists_each_error_type_with_row_column_and_message(world, tmp_path, resident_a):
    good = new_id()
    bad_check = good[:17] + ("0" if good[17] != "0" else "1")
    path = ledger_file(
        tmp_path,
        KIND,
        [
            resident(world),  # row 2: fine
            resident(world, 身份证号=bad_check),  # 3
            resident(world, 户编码="360732999999001"),  # 4
            resident(world, 户编码=world.household_b.code),  # 5
            resident(world, 身份证号=good),  # 6
            resident(world, 身份证号=good),  # 7 duplicate of 6
            resident(world, 身份证号="360732194501011234"),  # 8 in the database
            resident(world, 姓名=None),  # 9
            resident(world, 出生日期="1980-13-45"),  # 10
            resident(world, 联系电话="12345"),  # 11
            resident(world, 关爱标签="独居老人、爱心"),  # 12
        ],
    )
    job = run_import(path, KIND, world.user("community_a"), dry_run=True)
    expected_check = bad_check[:17]
    from apps.core.validators import id_check_char

    assert job.status == ImportJob.Status.CHECKED
    assert errors_of(job) == [
        (3, "D", "身份证号", f"身份证号校验位错误（应为{id_check_char(expected_check)}）"),
        (4, "A", "户编码", "未找到编码为360732999999001的地点"),
        (5, "A", "户编码", "地点不在您的管辖范围内"),
        (7, "D", "身份证号", "与第6行的身份证号重复"),
        (8, "D", "身份证号", "该身份证号已在系统中登记"),
        (9, "B", "姓名", "姓名不能为空"),
        (10, "E", "出生日期", "日期“1980-13-45”无效，应如 2024-03-01"),
        (11, "F", "联系电话", "电话号码格式不正确（手机号11位，座机如0797-1234567）"),
        (
            12,
            "H",
            "关爱标签",
            "未知的关爱标签“爱心”，可选：独居老人、留守儿童、特困、高龄、残疾、空巢老人、大病、低保、失业、退役军人",
        ),
    ]
    assert job.error_count == 9
    assert Person.objects.count() == 1


def test_it_names_unknown_and_missing_headers(world, tmp_path):
    path = write_xlsx(tmp_path / "x.xlsx", ["户编码", "名字", "身份证号"], [["1", "王", "2"]])
    job = run_import(path, KIND, world.user("community_a"), dry_run=True)
    assert job.status == ImportJob.Status.FAILED
    assert job.message == (
        "第1行表头有误：缺少必填列：姓名；无法识别的列：名字（本台账的列为：户编码、姓名、性别、"
        "身份证号、出生日期、联系电话、与户主关系、关爱标签、从业行业、备注）"
    )


def test_it_keeps_a_thousand_errors_but_counts_all(world, tmp_path):
    rows = [resident(world, 身份证号="123") for _ in range(1200)]
    job = run_import(ledger_file(tmp_path, KIND, rows), KIND, world.user("community_a"), True)
    assert (job.error_count, len(job.errors), job.rows_total) == (1200, 1000, 1200)


def test_it_reports_an_id_number_excel_turned_into_a_number(world, tmp_path):
    path = ledger_file(tmp_path, KIND, [resident(world, 身份证号=float(make_id_number()[:17]))])
    job = run_import(path, KIND, world.user("community_a"), dry_run=True)
    assert errors_of(job)[0][3] == "身份证号被Excel当作数字保存而丢失了末几位，请把该列设为文本格式"


def test_it_reports_unknown_duty_kind_and_skill(world, tmp_path, resident_a):
    duties = ledger_file(
        tmp_path,
        LedgerKind.DUTIES,
        [
            {
                "身份证号": "360732194501011234",
                "地点编码": world.household_a.code,
                "责任类型": "看门",
                "开始日期": "2024-01-01",
            },
        ],
    )
    job = run_import(duties, LedgerKind.DUTIES, world.user("community_a"), dry_run=True)
    assert errors_of(job) == [
        (
            2,
            "D",
            "责任类型",
            "未知的责任类型“看门”，可选：包联、网格员、楼栋长、"
            "单元长、县级林长、乡级林长、村级林长、护林员、结对帮扶、帮办员",
        )
    ]
    volunteers = ledger_file(
        tmp_path,
        LedgerKind.VOLUNTEERS,
        [
            {"身份证号": "360732194501011234", "技能": "理发、飞行"},
        ],
    )
    job = run_import(volunteers, LedgerKind.VOLUNTEERS, world.user("community_a"), dry_run=True)
    assert errors_of(job)[0][:3] == (2, "E", "技能")
    assert errors_of(job)[0][3].startswith("未知的技能“飞行”，可选：")
