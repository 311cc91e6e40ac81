"""The 帮扶资金 ledger: append-only, balanced, never spent beyond its funds unless an advance
is recorded, corrected by reversals; every line audited."""

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.core.models import AuditEvent

from ..actions import do_create_brand, do_record_fund_entry, do_reverse_fund_entry
from ..models import Brand, FundEntry
from ..selectors import brand_figures

TODAY = dt.date(2026, 3, 1)


def post(brand, world, kind, amount, **extra):
    extra.setdefault("voucher", "" if kind == "received" else "PZ-001")
    return do_record_fund_entry(
        brand,
        actor=world.user("community_a"),
        kind=kind,
        amount=amount,
        occurred_on=extra.pop("occurred_on", TODAY),
        purpose=extra.pop("purpose", "慰问品"),
        **extra,
    )


def test_it_balances_receipts_and_expenses(world, brand):
    post(brand, world, "received", "20000", purpose="县供电公司捐助")
    post(brand, world, "spent", "3500.50", purpose="购买血压计")
    brand.refresh_from_db()
    assert (brand.funds_received, brand.funds_spent, brand.balance) == (
        Decimal("20000"),
        Decimal("3500.50"),
        Decimal("16499.50"),
    )
    figures = brand_figures([brand])[brand.pk]
    assert (figures.received, figures.spent) == (Decimal("20000"), Decimal("3500.50"))


def test_it_refuses_spending_beyond_the_funds(world, brand):
    post(brand, world, "received", "100")
    with pytest.raises(ValidationError) as exc:
        post(brand, world, "spent", "150")
    assert exc.value.messages == [
        "资金不足：余额 100.00 元，本笔 150.00 元。如确需先行垫付，请按“垫付支出”登记"
    ]
    assert FundEntry.objects.filter(brand=brand).count() == 1


def test_it_allows_an_advance_and_keeps_it_visible(world, brand):
    post(brand, world, "received", "100")
    post(brand, world, "advance", "150", purpose="社工垫付慰问品")
    brand.refresh_from_db()
    assert brand.balance == Decimal("-50") and brand.funds_advanced == Decimal("150")
    # the advance covers only itself: a further plain expense is still refused
    with pytest.raises(ValidationError, match="资金不足"):
        post(brand, world, "spent", "1")


def test_it_corrects_by_reversal_not_by_edit(world, brand):
    entry = post(brand, world, "received", "500")
    reversal = do_reverse_fund_entry(entry, actor=world.user("community_a"), reason="金额录错")
    assert reversal.amount == Decimal("-500") and reversal.reverses == entry
    brand.refresh_from_db()
    assert brand.balance == 0 and brand.funds_received == 0
    with pytest.raises(ValidationError, match="该笔已冲正"):
        do_reverse_fund_entry(entry, actor=world.user("community_a"), reason="再冲")
    with pytest.raises(ValidationError, match="冲正记录不能再冲正"):
        do_reverse_fund_entry(reversal, actor=world.user("community_a"), reason="再冲")
    entry.amount = Decimal("50")
    with pytest.raises(ValueError, match="只能新增"):
        entry.save()


def test_it_refuses_reversing_a_receipt_already_spent(world, brand):
    receipt = post(brand, world, "received", "300")
    post(brand, world, "spent", "200")
    with pytest.raises(ValidationError, match="资金不足"):
        do_reverse_fund_entry(receipt, actor=world.user("community_a"), reason="退回")


def test_it_explains_missing_fields(world, brand):
    with pytest.raises(ValidationError) as exc:
        do_record_fund_entry(
            brand,
            actor=world.user("community_a"),
            kind="spent",
            amount="10",
            occurred_on=timezone.localdate() + dt.timedelta(days=1),
            purpose="",
        )
    assert exc.value.message_dict == {
        "purpose": ["请填写资金用途"],
        "voucher": ["支出请填写凭证号"],
        "occurred_on": ["日期不能晚于今天"],
    }
    with pytest.raises(ValidationError, match="金额应大于 0 元"):
        post(brand, world, "received", "0")


def test_it_audits_every_line(world, brand):
    entry = post(brand, world, "received", "800", purpose="爱心企业捐赠")
    do_reverse_fund_entry(entry, actor=world.user("community_a"), reason="重复登记")
    events = AuditEvent.objects.filter(object_type="brands.fundentry").order_by("id")
    assert [e.changes.get("amount") for e in events] == ["800.00", "-800.00"]
    assert events[1].changes["reverses"] == entry.pk
    assert all(e.actor == world.user("community_a") for e in events)
    assert all(e.scope_path == world.community_a.path for e in events)


def test_only_staff_of_the_brands_area_keep_its_books(world, brand):
    for name in ("outsider_b", "volunteer_a", "grid_worker_a"):
        with pytest.raises(PermissionDenied, match="只有红门社区及上级的社区、街道工作人员"):
            do_record_fund_entry(
                brand,
                actor=world.user(name),
                kind="received",
                amount="1",
                occurred_on=TODAY,
                purpose="x",
            )
    post(brand, world, "received", "1")  # town staff above it may
    do_record_fund_entry(
        brand,
        actor=world.user("town_staff"),
        kind="received",
        amount="1",
        occurred_on=TODAY,
        purpose="街道拨付",
    )


_names = itertools.count()
steps = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(["received", "spent", "advance"]), st.integers(1, 5000)),
        st.tuples(st.just("reverse"), st.integers(0, 30)),
    ),
    max_size=25,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=steps)
def test_it_always_balances(world, steps):
    brand = do_create_brand(
        actor=world.user("community_a"), name=f"品牌{next(_names)}", area=world.community_a
    )
    lines = []
    for op, arg in steps:
        try:
            if op == "reverse":
                if lines:
                    reverse = do_reverse_fund_entry(
                        lines[arg % len(lines)], actor=world.user("community_a"), reason="更正"
                    )
                    lines.append(reverse)
            else:
                lines.append(post(brand, world, op, Decimal(arg) / 4))
                if op == "spent":  # only advances may leave the balance negative
                    assert Brand.objects.get(pk=brand.pk).balance >= 0
        except ValidationError:
            pass
        brand = Brand.objects.get(pk=brand.pk)
        entries = FundEntry.objects.filter(brand=brand)
        assert entries.count() == len(lines)
        total = entries.aggregate(s=Sum("amount"))["s"] or Decimal("0")
        assert brand.balance == total
        advanced = entries.filter(kind="advance").aggregate(s=Sum("amount"))["s"] or 0
        advanced += (
            entries.filter(kind="reversal", reverses__kind="advance").aggregate(s=Sum("amount"))[
                "s"
            ]
            or 0
        )
        assert brand.funds_advanced == -advanced
        assert brand.balance >= -brand.funds_advanced
        figures = brand_figures([brand])[brand.pk]
        assert figures.received - figures.spent == total
        assert figures.received == brand.funds_received and figures.spent == brand.funds_spent
        # no line is reversed twice, and a reversal mirrors its line
        for r in entries.filter(kind="reversal").select_related("reverses"):
            assert r.amount == -r.reverses.amount
