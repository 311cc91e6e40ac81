import datetime as dt
from decimal import Decimal

from ninja import Schema


class BrandOut(Schema):
    id: int
    name: str
    area_id: int
    area: str
    active: bool
    communities: list[int]
    categories: list[str]
    target_tags: list[str]
    partners: list[str]
    volunteers: int
    orders: int
    resolved: int
    person_times: int
    activities: int
    funds_received: Decimal
    funds_spent: Decimal
    funds_advanced: Decimal
    balance: Decimal


class FundEntryOut(Schema):
    id: int
    kind: str
    amount: Decimal
    occurred_on: dt.date
    purpose: str
    voucher: str
    source_id: int | None
    reverses_id: int | None
    created_by: str


class FundEntryIn(Schema):
    kind: str
    amount: Decimal
    occurred_on: dt.date
    purpose: str
    voucher: str = ""
    source_id: int | None = None


class ReverseIn(Schema):
    reason: str


class AttributeIn(Schema):
    case_id: int
    assignee_id: int | None = None


class BrandOrderOut(Schema):
    id: int
    brand_id: int
    case_id: int
    case_number: str
    status: str


class CampaignOut(Schema):
    id: int
    name: str
    area_id: int
    start_date: dt.date
    end_date: dt.date
    team: str
    households: int
    persons: int


class ServiceRowOut(Schema):
    category: str
    category_name: str
    households: int
    persons: int
    orders: int
    volunteers: int
    brands: list[str]
    organisations: list[str]
