"""Every write of surveys and brands: campaigns, household records, needs turned into orders,
brands, the 帮扶资金 ledger and orders attributed to a brand. Each action is one transaction
that locks the row whose state changes, checks the actor's role and scope, and writes one
audit event."""

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.permissions import Cap, can, require
from apps.accounts.scoping import place_in_scope
from apps.cases.actions import do_create_case, do_transition
from apps.cases.choices import WITHDRAWN_STATUSES, Action, CaseKind, CaseSource, Status
from apps.cases.errors import CaseError
from apps.cases.models import Case, Category
from apps.core import audit
from apps.core.choices import AuditVerb
from apps.orgs.models import Organisation
from apps.places.choices import PlaceKind
from apps.places.models import Place

from .choices import (
    ATTRIBUTABLE_KINDS,
    ENTRY_KINDS,
    SPENDING_KINDS,
    FundKind,
)
from .models import Brand, BrandOrder, FundEntry, SurveyCampaign, SurveyNeed, SurveyRecord

AREA_KINDS = (PlaceKind.COUNTY, PlaceKind.TOWN, PlaceKind.COMMUNITY, PlaceKind.GRID)


def is_brand_staff(user: Any, place: Place) -> bool:
    """Staff of a managing role whose scope holds `place` (a brand's or survey's area)."""
    return can(user, Cap.BRANDS_MANAGE, place)


# --- surveys ------------------------------------------------------------------------------


@transaction.atomic
def do_create_campaign(
    *,
    actor: User,
    name: str,
    area: Place,
    start_date: dt.date,
    end_date: dt.date,
    organiser: Organisation | None = None,
    team: str = "",
) -> SurveyCampaign:
    """Open a demand survey of an area for a period."""
    require(actor, Cap.BRANDS_MANAGE, area, what="发起需求调研")
    errors = {}
    if not name.strip():
        errors["name"] = "请填写调研名称"
    if area.kind not in AREA_KINDS:
        errors["area"] = "调研范围应为县、乡镇街道、社区村或网格"
    if end_date < start_date:
        errors["end_date"] = "结束日期不能早于开始日期"
    if errors:
        raise ValidationError(errors)
    campaign = SurveyCampaign.objects.create(
        name=name.strip(),
        area=area,
        start_date=start_date,
        end_date=end_date,
        organiser=organiser,
        team=team.strip(),
        created_by=actor,
    )
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE,
        obj=campaign,
        changes={"area": area.pk, "period": [str(start_date), str(end_date)], "team": team},
    )
    return campaign


def _clean_needs(needs: dict[Any, int]) -> dict[Category, int]:
    cleaned: dict[Category, int] = {}
    for category, persons in needs.items():
        if not isinstance(category, Category) or not category.active:
            raise ValidationError({"needs": "需求类别不在事项目录中"})
        if not isinstance(persons, int) or not 1 <= persons <= 50:
            raise ValidationError({"needs": f"“{category.name}”的人数应在 1 到 50 之间"})
        cleaned[category] = persons
    return cleaned


@transaction.atomic
def do_record_survey(
    campaign: SurveyCampaign,
    household: Place,
    *,
    actor: User,
    needs: dict[Category, int],
    notes: str = "",
    surveyed_on: dt.date | None = None,
) -> SurveyRecord:
    """Record (or re-record) a household's needs in a survey: category → persons. A household
    may have no needs (it was asked; that counts as surveyed)."""
    campaign = SurveyCampaign.objects.select_for_update().select_related("area").get(pk=campaign.pk)
    require(actor, Cap.BRANDS_SURVEY, household)
    if household.kind != PlaceKind.HOUSEHOLD or not household.path.startswith(campaign.area.path):
        raise ValidationError({"household": f"该户不在“{campaign.name}”的调研范围内"})
    day = surveyed_on or timezone.localdate()
    if not campaign.start_date <= day <= campaign.end_date:
        raise ValidationError(
            {
                "surveyed_on": f"调研日期应在 {campaign.start_date:%Y-%m-%d} 至 "
                f"{campaign.end_date:%Y-%m-%d} 之间"
            }
        )
    cleaned = _clean_needs(needs)
    record, created = SurveyRecord.objects.select_for_update().get_or_create(
        campaign=campaign,
        household=household,
        defaults={"surveyor": actor, "surveyed_on": day, "notes": notes.strip()},
    )
    before = {n.category_id: n.persons for n in record.needs.all()}
    if not created:
        converted = set(
            record.needs.filter(case__isnull=False).values_list("category_id", flat=True)
        )
        dropped = converted - {c.pk for c in cleaned}
        if dropped:
            raise ValidationError({"needs": "已转为点单的需求不能取消"})
        record.surveyor, record.surveyed_on, record.notes = actor, day, notes.strip()
        record.save(update_fields=["surveyor", "surveyed_on", "notes", "updated_at"])
        record.needs.exclude(category__in=list(cleaned)).delete()
    for category, persons in cleaned.items():
        SurveyNeed.objects.update_or_create(
            record=record, category=category, defaults={"persons": persons}
        )
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE if created else AuditVerb.UPDATE,
        obj=record,
        changes={
            "campaign": campaign.pk,
            "needs": {c.code: p for c, p in cleaned.items()},
            **({} if created else {"before": before}),
        },
    )
    return record


@transaction.atomic
def do_convert_need(need: SurveyNeed, *, actor: User) -> Case:
    """Turn a surveyed need into a service order (点单) of the household, once."""
    locked = (
        SurveyNeed.objects.select_for_update(of=("self",))
        .select_related("record__household", "record__campaign", "category")
        .get(pk=need.pk)
    )
    if locked.case_id is not None:
        raise ValidationError(f"该需求已转为点单 {locked.case.number}")
    record = locked.record
    case, _ = do_create_case(
        actor=actor,
        category=locked.category,
        place=record.household,
        title=f"{locked.category.name}（{record.campaign.name}）",
        description=record.notes or f"需求调研发现：{locked.category.name}，{locked.persons}人",
        kind=CaseKind.SERVICE_ORDER,
        source=CaseSource.VISIT,
    )
    locked.case = case
    locked.save(update_fields=["case"])
    audit.record(
        actor=actor, verb=AuditVerb.UPDATE, obj=record, changes={"need": locked.pk, "case": case.pk}
    )
    return case


# --- brands -------------------------------------------------------------------------------


@transaction.atomic
def do_create_brand(
    *,
    actor: User,
    name: str,
    area: Place,
    description: str = "",
    started_on: dt.date | None = None,
    communities: list[Place] | None = None,
    categories: list[Category] | None = None,
    target_tags: list[Any] | None = None,
    partners: list[Organisation] | None = None,
    volunteers: list[Any] | None = None,
) -> Brand:
    """Create a service brand run by `area` (a community or town). Its communities lie within
    the area; partners and volunteers within the actor's scope."""
    require(actor, Cap.BRANDS_MANAGE, area, what="创建服务品牌")
    communities = communities if communities is not None else [area]
    errors = {}
    if not name.strip():
        errors["name"] = "请填写品牌名称"
    elif Brand.objects.filter(area=area, name=name.strip()).exists():
        errors["name"] = f"{area.name}已有名为“{name.strip()}”的品牌"
    if any(c.kind != PlaceKind.COMMUNITY or not c.path.startswith(area.path) for c in communities):
        errors["communities"] = f"服务社区应为{area.name}范围内的社区村"
    if any(not place_in_scope(actor, o.place) for o in partners or []):
        errors["partners"] = "共建单位不在您的管辖范围内"
    if any(not place_in_scope(actor, v.person.place) for v in volunteers or []):
        errors["volunteers"] = "志愿者不在您的管辖范围内"
    if errors:
        raise ValidationError(errors)
    brand = Brand.objects.create(
        name=name.strip(), area=area, description=description.strip(), started_on=started_on
    )
    brand.communities.set(communities)
    brand.categories.set(categories or [])
    brand.target_tags.set(target_tags or [])
    brand.partners.set(partners or [])
    brand.volunteers.set(volunteers or [])
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE,
        obj=brand,
        changes={
            "communities": [c.pk for c in communities],
            "categories": [c.code for c in categories or []],
            "partners": [o.pk for o in partners or []],
            "volunteers": [v.pk for v in volunteers or []],
        },
    )
    return brand


BRAND_SETS = ("communities", "categories", "target_tags", "partners", "volunteers")


@transaction.atomic
def do_update_brand(brand: Brand, *, actor: User, **fields: Any) -> Brand:
    """Change a brand's profile: name, description, start date, running or not, and its sets
    (communities, categories, target tags, partners, volunteers). The audit event names what
    changed, with the ids added and removed from each set."""
    locked = Brand.objects.select_for_update().select_related("area").get(pk=brand.pk)
    require(actor, Cap.BRANDS_MANAGE, locked.area, what="修改服务品牌")
    errors = {}
    name = fields.get("name", locked.name).strip()
    if not name:
        errors["name"] = "请填写品牌名称"
    elif Brand.objects.filter(area=locked.area, name=name).exclude(pk=locked.pk).exists():
        errors["name"] = f"{locked.area.name}已有名为“{name}”的品牌"
    communities = fields.get("communities")
    if communities is not None and any(
        c.kind != PlaceKind.COMMUNITY or not c.path.startswith(locked.area.path)
        for c in communities
    ):
        errors["communities"] = f"服务社区应为{locked.area.name}范围内的社区村"
    if any(not place_in_scope(actor, o.place) for o in fields.get("partners") or []):
        errors["partners"] = "共建单位不在您的管辖范围内"
    if any(not place_in_scope(actor, v.person.place) for v in fields.get("volunteers") or []):
        errors["volunteers"] = "志愿者不在您的管辖范围内"
    if errors:
        raise ValidationError(errors)
    plain = {"name": name}
    for key in ("description", "started_on", "active"):
        if key in fields:
            plain[key] = fields[key]
    changes: dict[str, Any] = audit.changed_fields(locked, plain)
    for key, value in changes.items():
        setattr(locked, key, value[1])
    locked.save(update_fields=[*changes, "updated_at"])
    for key in BRAND_SETS:
        if fields.get(key) is None:
            continue
        manager = getattr(locked, key)
        before = set(manager.values_list("pk", flat=True))
        after = {obj.pk for obj in fields[key]}
        if before != after:
            manager.set(list(fields[key]))
            changes[key] = {"added": sorted(after - before), "removed": sorted(before - after)}
    if changes:
        audit.record(actor=actor, verb=AuditVerb.UPDATE, obj=locked, changes=changes)
    return locked


def _amount(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({"amount": "金额应为数字"}) from exc
    if not Decimal("0") < amount <= Decimal("100000000"):
        raise ValidationError({"amount": "金额应大于 0 元"})
    return amount


def _move(brand: Brand, kind: str, signed: Decimal) -> None:
    """Move the locked brand's totals by one line. Only an advance (垫付) may take the balance
    below zero: any other line that lowers it (an expense, the reversal of a receipt) must
    leave it at zero or above, so a negative balance is always explained by advances."""
    before = brand.balance
    if kind == FundKind.RECEIVED:
        brand.funds_received += signed
    else:
        brand.funds_spent -= signed
    if kind == FundKind.ADVANCE:
        brand.funds_advanced -= signed
    if signed < 0 and kind != FundKind.ADVANCE and brand.balance < 0:
        raise ValidationError(
            {
                "amount": f"资金不足：余额 {before:.2f} 元，本笔 {abs(signed):.2f} 元。"
                "如确需先行垫付，请按“垫付支出”登记"
            }
        )
    brand.save(update_fields=["funds_received", "funds_spent", "funds_advanced", "updated_at"])


@transaction.atomic
def do_record_fund_entry(
    brand: Brand,
    *,
    actor: User,
    kind: str,
    amount: Any,
    occurred_on: dt.date,
    purpose: str,
    voucher: str = "",
    source: Organisation | None = None,
) -> FundEntry:
    """Append a receipt, an expense or an advance (垫付: an expense allowed beyond the balance,
    which stays negative by at most the advances until receipts cover it)."""
    locked = Brand.objects.select_for_update().select_related("area").get(pk=brand.pk)
    require(actor, Cap.BRANDS_MANAGE, locked.area, what="登记帮扶资金")
    if kind not in ENTRY_KINDS:
        raise ValidationError({"kind": "类型应为收入、支出或垫付支出"})
    value = _amount(amount)
    errors = {}
    if not purpose.strip():
        errors["purpose"] = "请填写资金来源" if kind == FundKind.RECEIVED else "请填写资金用途"
    if kind in SPENDING_KINDS and not voucher.strip():
        errors["voucher"] = "支出请填写凭证号"
    if occurred_on > timezone.localdate():
        errors["occurred_on"] = "日期不能晚于今天"
    if errors:
        raise ValidationError(errors)
    signed = value if kind == FundKind.RECEIVED else -value
    _move(locked, kind, signed)
    entry = FundEntry.objects.create(
        brand=locked,
        kind=kind,
        amount=signed,
        occurred_on=occurred_on,
        purpose=purpose.strip(),
        voucher=voucher.strip(),
        source=source,
        created_by=actor,
    )
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE,
        obj=entry,
        changes={"kind": kind, "amount": str(signed), "voucher": voucher, "purpose": purpose},
    )
    return entry


@transaction.atomic
def do_reverse_fund_entry(entry: FundEntry, *, actor: User, reason: str) -> FundEntry:
    """Undo one line by appending its opposite (冲正), with a reason. A line is reversed at
    most once and a reversal is never reversed: record the right line instead."""
    locked = Brand.objects.select_for_update().select_related("area").get(pk=entry.brand_id)
    require(actor, Cap.BRANDS_MANAGE, locked.area, what="冲正帮扶资金")
    original = FundEntry.objects.get(pk=entry.pk)
    if not reason.strip():
        raise ValidationError({"reason": "请填写冲正原因"})
    if original.kind == FundKind.REVERSAL:
        raise ValidationError("冲正记录不能再冲正，请重新登记正确的收支")
    if FundEntry.objects.filter(reverses=original).exists():
        raise ValidationError("该笔已冲正")
    _move(locked, original.kind, -original.amount)
    reversal = FundEntry.objects.create(
        brand=locked,
        kind=FundKind.REVERSAL,
        amount=-original.amount,
        occurred_on=timezone.localdate(),
        purpose=f"冲正：{reason.strip()}"[:200],
        voucher=original.voucher,
        reverses=original,
        created_by=actor,
    )
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE,
        obj=reversal,
        changes={"reverses": original.pk, "amount": str(reversal.amount), "reason": reason},
    )
    return reversal


def _answers(brand: Brand, category: Category) -> bool:
    codes = set(brand.categories.values_list("pk", flat=True))
    return not codes or category.pk in codes or category.parent_id in codes


def _attribution_errors(brand: Brand, case: Case) -> str | None:
    if case.kind not in ATTRIBUTABLE_KINDS:
        return f"{case.get_kind_display()}类事项不能归入服务品牌"
    if case.status in WITHDRAWN_STATUSES:
        return f"工单已{case.get_status_display()}，不能归入服务品牌"
    if not any(case.place.path.startswith(c.path) for c in brand.communities.all()):
        return f"工单不在“{brand.name}”的服务社区内"
    if not _answers(brand, case.category):
        return f"“{brand.name}”不承接“{case.category.name}”类服务"
    existing = BrandOrder.objects.filter(case=case).select_related("brand").first()
    if existing is not None:
        return f"该工单已归入“{existing.brand.name}”"
    return None


def _dispatch(case: Case, assignee: Any, actor: User) -> None:
    try:
        if case.status in (Status.SUBMITTED, Status.ESCALATED):
            case = do_transition(case, Action.ACCEPT, actor=actor)
        do_transition(
            case,
            Action.DISPATCH,
            actor=actor,
            note="服务品牌派单",
            data={"assignee": assignee.pk},
        )
    except CaseError as exc:
        raise ValidationError({"assignee": exc.message}) from exc


@transaction.atomic
def do_attribute_order(
    brand: Brand, case: Case, *, actor: User, assignee: Any = None
) -> BrandOrder:
    """Attribute an order to a brand (it answers the category, in one of its communities), and,
    if an assignee is named, accept and dispatch it to them through the case engine."""
    locked = Brand.objects.select_for_update().select_related("area").get(pk=brand.pk)
    require(actor, Cap.BRANDS_MANAGE, locked.area, what="归入品牌工单")
    case = Case.objects.select_related("place", "category", "handling_unit").get(pk=case.pk)
    if not place_in_scope(actor, case.place):
        raise PermissionDenied("该工单不在您的管辖范围内")
    error = _attribution_errors(locked, case)
    if error:
        raise ValidationError({"case": error})
    link = BrandOrder.objects.create(brand=locked, case=case, attributed_by=actor)
    if assignee is not None:
        _dispatch(case, assignee, actor)
    audit.record(
        actor=actor,
        verb=AuditVerb.CREATE,
        obj=link,
        changes={"brand": locked.pk, "case": case.pk, "assignee": getattr(assignee, "pk", None)},
    )
    return link


@transaction.atomic
def do_detach_order(link: BrandOrder, *, actor: User, reason: str) -> None:
    """Take a wrongly attributed order out of a brand (with a reason; audited)."""
    locked = Brand.objects.select_for_update().select_related("area").get(pk=link.brand_id)
    require(actor, Cap.BRANDS_MANAGE, locked.area, what="移出品牌工单")
    if not reason.strip():
        raise ValidationError({"reason": "请填写移出原因"})
    row = BrandOrder.objects.select_related("case__place").get(pk=link.pk)
    audit.record(
        actor=actor,
        verb=AuditVerb.DELETE,
        obj=row,
        changes={"brand": locked.pk, "case": row.case_id, "reason": reason.strip()},
    )
    row.delete()
