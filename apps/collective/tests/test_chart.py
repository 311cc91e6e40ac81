"""The seeded chart of accounts (农村集体经济组织会计制度, 财会〔2023〕14号) pinned: codes, names,
classes and normal sides. What could and could not be checked against published sources is
in docs/collective.md (“Chart of accounts: what was verified”)."""

import pytest

from ..models import Account

pytestmark = pytest.mark.django_db

# (code, name, class, debit normal)
PINNED = [
    ("101", "库存现金", "asset", True),
    ("102", "银行存款", "asset", True),
    ("111", "短期投资", "asset", True),
    ("112", "应收款", "asset", True),
    ("113", "内部往来", "asset", True),
    ("121", "库存物资", "asset", True),
    ("131", "消耗性生物资产", "asset", True),
    ("132", "生产性生物资产", "asset", True),
    ("133", "生产性生物资产累计折旧", "asset", False),
    ("134", "公益性生物资产", "asset", True),
    ("141", "长期投资", "asset", True),
    ("151", "固定资产", "asset", True),
    ("152", "累计折旧", "asset", False),
    ("153", "在建工程", "asset", True),
    ("154", "固定资产清理", "asset", True),
    ("161", "无形资产", "asset", True),
    ("162", "累计摊销", "asset", False),
    ("171", "长期待摊费用", "asset", True),
    ("181", "待处理财产损溢", "asset", True),
    ("201", "短期借款", "liability", False),
    ("202", "应付款", "liability", False),
    ("211", "应付工资", "liability", False),
    ("212", "应付劳务费", "liability", False),
    ("221", "应交税费", "liability", False),
    ("231", "长期借款及应付款", "liability", False),
    ("241", "一事一议资金", "liability", False),
    ("242", "专项应付款", "liability", False),
    ("301", "资本", "equity", False),
    ("311", "公积公益金", "equity", False),
    ("321", "本年收益", "equity", False),
    ("322", "收益分配", "equity", False),
    ("401", "生产（劳务）成本", "cost", True),
    ("501", "经营收入", "profit_loss", False),
    ("502", "经营支出", "profit_loss", True),
    ("503", "税金及附加", "profit_loss", True),
    ("511", "管理费用", "profit_loss", True),
    ("521", "投资收益", "profit_loss", False),
    ("531", "补助收入", "profit_loss", False),
    ("541", "其他收入", "profit_loss", False),
    ("551", "公益支出", "profit_loss", True),
    ("552", "其他支出", "profit_loss", True),
    ("561", "所得税费用", "profit_loss", True),
]

# Confirmed by the Ministry of Finance's announcement (2023-09-25, as reported by CCTV and
# reprinted in the press; its 答记者问): 42 accounts; these were added in 2023; 农业资产 became
# 生物资产; 发包及上交收入 went into 经营收入 and 投资收益; 应付福利费 and 农业税附加返还收入 were
# removed.
ADDED_IN_2023 = {
    "无形资产",
    "待处理财产损溢",
    "专项应付款",
    "公益支出",
    "应交税费",
    "税金及附加",
    "所得税费用",
}
REMOVED_IN_2023 = {
    "应付福利费",
    "农业税附加返还收入",
    "发包及上交收入",
    "牲畜（禽）资产",
    "林木资产",
}


def test_the_chart_is_the_pinned_list():
    seeded = list(
        Account.objects.order_by("code").values_list(
            "code", "name", "account_class", "debit_normal"
        )
    )
    assert seeded == PINNED
    assert len(seeded) == 42


def test_the_chart_agrees_with_what_the_2023_announcement_says():
    names = set(Account.objects.values_list("name", flat=True))
    assert names >= ADDED_IN_2023
    assert not names & REMOVED_IN_2023
    assert {"经营收入", "投资收益", "消耗性生物资产", "生产性生物资产", "公益性生物资产"} <= names
