"""An unbalanced voucher cannot be booked by any path. The form, the API and the import are
tested beside their pages (test_pages, test_imports) and a raw ORM save and SQL in test_books;
here the admin: the installation registers no admin for vouchers, and even a ModelAdmin with
its lines inline (what someone might add) cannot post an unbalanced one — the database refuses
the save, so the admin's transaction rolls back. Run on SQLite and PostgreSQL."""

import datetime as dt

import pytest
from django.contrib import admin
from django.contrib.admin.sites import AdminSite
from django.db import IntegrityError, connection
from django.test import RequestFactory

from apps.accounts.choices import Role
from apps.core.testing.factories import make_user

from ..choices import VoucherStatus
from ..models import Account, Voucher, VoucherLine

pytestmark = pytest.mark.django_db

D = dt.date(2026, 6, 10)


class Lines(admin.TabularInline):
    model = VoucherLine
    extra = 0


class VoucherAdmin(admin.ModelAdmin):
    inlines = [Lines]
    fields = ["book", "kind", "date", "summary", "status"]


def unbalanced_posted_vouchers() -> int:
    """Posted vouchers whose lines do not balance or that have fewer than two lines."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT COUNT(*) FROM collective_voucher v WHERE v.status = 'posted' AND (
                 (SELECT COUNT(*) FROM collective_voucherline l WHERE l.voucher_id = v.id) < 2
                 OR (SELECT COALESCE(SUM(l.debit - l.credit), 0) FROM collective_voucherline l
                     WHERE l.voucher_id = v.id) <> 0)"""
        )
        return cursor.fetchone()[0]


def post(path: str, data: dict, user) -> object:
    request = RequestFactory().post(path, data)
    request.user = user
    request._dont_enforce_csrf_checks = True
    return request


def lines_data(rows: list[tuple], voucher: Voucher | None = None, ids: tuple = ()) -> dict:
    """The inline formset's fields: new lines, or (with `voucher` and `ids`) its lines changed."""
    data = {
        "lines-TOTAL_FORMS": str(len(rows)),
        "lines-INITIAL_FORMS": str(len(ids)),
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for n, (code, debit, credit) in enumerate(rows):
        data.update(
            {
                f"lines-{n}-account": str(Account.objects.get(code=code).pk),
                f"lines-{n}-sub": "",
                f"lines-{n}-debit": str(debit),
                f"lines-{n}-credit": str(credit),
            }
        )
        if voucher is not None:
            data[f"lines-{n}-id"] = str(ids[n])
            data[f"lines-{n}-voucher"] = str(voucher.pk)
    return data


def test_no_admin_is_registered_for_the_books():
    assert Voucher not in admin.site._registry and VoucherLine not in admin.site._registry


def test_an_admin_cannot_post_an_unbalanced_voucher(world, book):
    root = make_user("root", Role.ADMIN, world.county, is_staff=True, is_superuser=True)
    model_admin = VoucherAdmin(Voucher, AdminSite(name="books"))
    voucher = {"book": book.pk, "kind": "transfer", "date": D, "summary": "管理后台"}

    # add: a voucher born posted, with unbalanced lines
    data = {**voucher, "status": VoucherStatus.POSTED}
    data.update(lines_data([("102", 10000, 0), ("501", 0, 9000)]))
    with pytest.raises(IntegrityError):
        model_admin.add_view(post("/admin/add/", data, root))
    assert not Voucher.objects.exists()

    # change: a balanced draft posted while one of its lines is changed to unbalance it
    draft = Voucher.objects.create(book=book, kind="transfer", date=D, summary="草稿")
    first, second = VoucherLine.objects.bulk_create(
        [
            VoucherLine(voucher=draft, account=Account.objects.get(code="102"), debit=10000),
            VoucherLine(voucher=draft, account=Account.objects.get(code="501"), credit=10000),
        ]
    )
    data = {**voucher, "status": VoucherStatus.POSTED}
    data.update(lines_data([("102", 10000, 0), ("501", 0, 9000)], draft, (first.pk, second.pk)))
    with pytest.raises(IntegrityError):
        model_admin.change_view(post("/admin/change/", data, root), str(draft.pk))
    draft.refresh_from_db()
    second.refresh_from_db()
    assert draft.status == VoucherStatus.DRAFT and second.credit == 10000

    # change: an unbalanced draft posted as it stands
    # a draft's lines may still change
    VoucherLine.objects.filter(pk=second.pk).update(credit=9000)
    data = {**voucher, "status": VoucherStatus.POSTED}
    data.update(lines_data([("102", 10000, 0), ("501", 0, 9000)], draft, (first.pk, second.pk)))
    with pytest.raises(IntegrityError):
        model_admin.change_view(post("/admin/change/", data, root), str(draft.pk))
    draft.refresh_from_db()
    assert draft.status == VoucherStatus.DRAFT
    assert unbalanced_posted_vouchers() == 0
