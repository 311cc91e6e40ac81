"""Enumerations of the village books (三资): account classes, voucher kinds and states,
contracts, assets and resources, the people-and-economy registers."""

from django.db import models


class AccountClass(models.TextChoices):
    """The five classes of the 2023 chart (农村集体经济组织会计制度, 财会〔2023〕14号)."""

    ASSET = "asset", "资产类"
    LIABILITY = "liability", "负债类"
    EQUITY = "equity", "所有者权益类"
    COST = "cost", "成本类"
    PROFIT_LOSS = "profit_loss", "损益类"


class IncomeLine(models.TextChoices):
    """Where a profit-and-loss account stands in the 收益表 ("" for balance-sheet accounts)."""

    NONE = "", "—"
    OPERATING_INCOME = "operating_income", "经营收入"
    INVESTMENT_INCOME = "investment_income", "投资收益"
    SUBSIDY_INCOME = "subsidy_income", "补助收入"
    OTHER_INCOME = "other_income", "其他收入"
    OPERATING_EXPENSE = "operating_expense", "经营支出"
    TAXES = "taxes", "税金及附加"
    ADMIN_EXPENSE = "admin_expense", "管理费用"
    PUBLIC_EXPENSE = "public_expense", "公益支出"
    OTHER_EXPENSE = "other_expense", "其他支出"
    INCOME_TAX = "income_tax", "所得税费用"


INCOME_LINES = (
    IncomeLine.OPERATING_INCOME,
    IncomeLine.INVESTMENT_INCOME,
    IncomeLine.SUBSIDY_INCOME,
    IncomeLine.OTHER_INCOME,
)
# 村集体经营性收入: 经营收入 + 投资收益 (the 2023 system splits the old 发包及上交收入 into these).
OPERATING_LINES = (IncomeLine.OPERATING_INCOME, IncomeLine.INVESTMENT_INCOME)


class VoucherKind(models.TextChoices):
    RECEIPT = "receipt", "收款凭证"
    PAYMENT = "payment", "付款凭证"
    TRANSFER = "transfer", "转账凭证"


class VoucherStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PENDING = "pending", "审批中"
    POSTED = "posted", "已记账"
    REJECTED = "rejected", "已退回"


class Decision(models.TextChoices):
    APPROVED = "approved", "同意"
    REJECTED = "rejected", "退回"


class ContractKind(models.TextChoices):
    LEASE = "lease", "租赁合同"
    LAND_TRANSFER = "land_transfer", "土地流转合同"
    SHARES = "shares", "入股合同"


class ContractStatus(models.TextChoices):
    ACTIVE = "active", "履行中"
    ENDED = "ended", "已终止"


class Frequency(models.TextChoices):
    YEARLY = "12", "每年"
    HALF_YEARLY = "6", "每半年"
    QUARTERLY = "3", "每季度"


class AssetKind(models.TextChoices):
    BUILDING = "building", "房屋建筑物"
    EQUIPMENT = "equipment", "机器设备"
    SHARES = "shares", "对外股权"
    OTHER = "other", "其他资产"


class ResourceKind(models.TextChoices):
    LAND = "land", "耕地"
    FOREST = "forest", "林地"
    WATER = "water", "水面"
    CONSTRUCTION = "construction", "集体建设用地"
    OTHER = "other", "其他资源"


class ResourceUse(models.TextChoices):
    SELF = "self", "集体自营"
    CONTRACTED = "contracted", "已发包/流转"
    IDLE = "idle", "闲置"


class TalentKind(models.TextChoices):
    SAGE = "sage", "乡贤"
    ACHIEVER = "achiever", "致富能人"
