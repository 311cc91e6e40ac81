"""Constants of demand surveys, service lists and service brands: fund entry kinds, who may
do what."""

from django.db import models


class FundKind(models.TextChoices):
    """Lines of a brand's 帮扶资金 ledger. Receipts add to the balance, expenses and advances
    take from it; a reversal undoes one earlier line with the opposite sign."""

    RECEIVED = "received", "收入"
    SPENT = "spent", "支出"
    ADVANCE = "advance", "垫付支出"
    REVERSAL = "reversal", "冲正"


# Kinds a person records directly (a reversal is made from the line it undoes).
ENTRY_KINDS = (FundKind.RECEIVED, FundKind.SPENT, FundKind.ADVANCE)
SPENDING_KINDS = frozenset({FundKind.SPENT, FundKind.ADVANCE})

# Who runs surveys, brands and their funds, and who records a household's needs during a
# survey: apps/accounts/permissions.py (brands.manage, brands.survey).
# Case kinds that may be attributed to a brand: orders and needs a volunteer can answer.
ATTRIBUTABLE_KINDS = frozenset({"service_order", "need", "errand"})
# Organisations that may partner a brand (co-building units, hospitals, schools …).
PARTNER_KINDS = (
    "co_building_unit",
    "clinic",
    "school",
    "social_org",
    "volunteer_team",
    "business",
    "department",
)
