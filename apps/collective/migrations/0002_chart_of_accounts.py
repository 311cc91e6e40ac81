"""Seed the chart of accounts of 农村集体经济组织会计制度 (财会〔2023〕14号, in force 2024-01-01):
42 accounts in five classes, with their codes, normal side and place in the 收益表; and the
case category residents' questions from the 村务公开 page are filed under. Written out here, so
the migration does not import live code."""

from django.db import migrations

# (code, name, class, debit normal, 收益表 line)
CHART = [
    ("101", "库存现金", "asset", True, ""),
    ("102", "银行存款", "asset", True, ""),
    ("111", "短期投资", "asset", True, ""),
    ("112", "应收款", "asset", True, ""),
    ("113", "内部往来", "asset", True, ""),
    ("121", "库存物资", "asset", True, ""),
    ("131", "消耗性生物资产", "asset", True, ""),
    ("132", "生产性生物资产", "asset", True, ""),
    ("133", "生产性生物资产累计折旧", "asset", False, ""),
    ("134", "公益性生物资产", "asset", True, ""),
    ("141", "长期投资", "asset", True, ""),
    ("151", "固定资产", "asset", True, ""),
    ("152", "累计折旧", "asset", False, ""),
    ("153", "在建工程", "asset", True, ""),
    ("154", "固定资产清理", "asset", True, ""),
    ("161", "无形资产", "asset", True, ""),
    ("162", "累计摊销", "asset", False, ""),
    ("171", "长期待摊费用", "asset", True, ""),
    ("181", "待处理财产损溢", "asset", True, ""),
    ("201", "短期借款", "liability", False, ""),
    ("202", "应付款", "liability", False, ""),
    ("211", "应付工资", "liability", False, ""),
    ("212", "应付劳务费", "liability", False, ""),
    ("221", "应交税费", "liability", False, ""),
    ("231", "长期借款及应付款", "liability", False, ""),
    ("241", "一事一议资金", "liability", False, ""),
    ("242", "专项应付款", "liability", False, ""),
    ("301", "资本", "equity", False, ""),
    ("311", "公积公益金", "equity", False, ""),
    ("321", "本年收益", "equity", False, ""),
    ("322", "收益分配", "equity", False, ""),
    ("401", "生产（劳务）成本", "cost", True, ""),
    ("501", "经营收入", "profit_loss", False, "operating_income"),
    ("502", "经营支出", "profit_loss", True, "operating_expense"),
    ("503", "税金及附加", "profit_loss", True, "taxes"),
    ("511", "管理费用", "profit_loss", True, "admin_expense"),
    ("521", "投资收益", "profit_loss", False, "investment_income"),
    ("531", "补助收入", "profit_loss", False, "subsidy_income"),
    ("541", "其他收入", "profit_loss", False, "other_income"),
    ("551", "公益支出", "profit_loss", True, "public_expense"),
    ("552", "其他支出", "profit_loss", True, "other_expense"),
    ("561", "所得税费用", "profit_loss", True, "income_tax"),
]
assert len(CHART) == 42

CATEGORY = ("village-affairs", "村务公开咨询", "群众对村集体账目、合同、收益的询问")


def seed(apps, schema_editor):
    Account = apps.get_model("collective", "Account")
    for code, name, cls, debit, line in CHART:
        Account.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "account_class": cls,
                "debit_normal": debit,
                "income_line": line,
            },
        )
    Category = apps.get_model("cases", "Category")
    code, name, description = CATEGORY
    Category.objects.get_or_create(
        code=code,
        defaults={
            "name": name,
            "description": description,
            "response_amount": 1,
            "response_unit": "workdays",
            "resolve_amount": 5,
            "resolve_unit": "workdays",
            "default_level": "community",
            "sort": 900,
        },
    )


def unseed(apps, schema_editor):
    apps.get_model("collective", "Account").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("collective", "0001_initial"),
        ("cases", "0002_default_catalogue"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
