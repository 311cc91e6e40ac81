"""The book page's settings and files: the 乡镇三资代理中心 sets the approval sequence of each
voucher kind and closes a month from the page (others see the settings but get no form and
are refused); a voucher's attachment (the original receipt) is served to those who may see
the voucher and to nobody else; the public page's QR code holds the page's address."""

import datetime as dt
from io import BytesIO

import pytest
import segno
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.core.models import AuditEvent
from apps.core.testing import client_as

from ..choices import VoucherStatus
from ..models import Book, Period, Voucher

pytestmark = pytest.mark.django_db


def test_the_agency_sets_the_approval_sequence_from_the_book_page(book, agency, accountant):
    office = client_as(agency)
    page = office.get(f"/collective/books/{book.pk}/").content.decode()
    # the settings are in the page once, in its body: the tab's title is the book's name only
    title = page.split("<title>")[1].split("</title>")[0]
    assert "<" not in title and "三资账目" in title
    assert page.count('id="settings"') == 1
    assert 'id="form-approvals"' in page
    assert "付款凭证：村务监督委员会 → 乡镇三资代理中心" in page
    r = office.post(
        f"/collective/books/{book.pk}/approvals/",
        {"payment": "agency_accountant,village_supervisor", "receipt": "", "transfer": ""},
    )
    assert r.status_code == 302 and r["Location"].endswith("#settings")
    book.refresh_from_db()
    assert book.approvals == {
        "receipt": [],
        "payment": ["agency_accountant", "village_supervisor"],
        "transfer": [],
    }
    event = AuditEvent.objects.filter(object_type="collective.book", verb="update").get()
    assert event.changes["approvals"][1] == book.approvals
    page = office.get(f"/collective/books/{book.pk}/").content.decode()
    assert "付款凭证：乡镇三资代理中心 → 村务监督委员会" in page and "收款凭证：无需审批" in page

    # a receipt now posts at once; a role that may not configure gets no form and is refused
    keeper = client_as(accountant)
    assert 'id="form-approvals"' not in keeper.get(f"/collective/books/{book.pk}/").content.decode()
    r = keeper.post(f"/collective/books/{book.pk}/approvals/", {"payment": "", "receipt": ""})
    assert r.status_code == 302
    book.refresh_from_db()
    assert book.steps_for("payment") == ["agency_accountant", "village_supervisor"]
    r = office.post(f"/collective/books/{book.pk}/approvals/", {"payment": "county_leader"})
    book.refresh_from_db()
    assert book.steps_for("payment") == ["agency_accountant", "village_supervisor"]


def test_the_agency_closes_a_month_from_the_book_page(book, agency, accountant, approve):
    from ..actions import do_create_voucher
    from .conftest import rent

    pending = do_create_voucher(
        actor=accountant,
        book=book,
        kind="receipt",
        date=dt.date(2026, 5, 20),
        summary="收租金",
        lines=rent("100"),
    )
    office = client_as(agency)
    r = office.post(f"/collective/books/{book.pk}/close/", {"year": 2026, "month": 5}, follow=True)
    assert "2026年5月还有 1 张凭证未记账" in r.content.decode() and not Period.objects.exists()
    approve(pending)
    r = office.post(f"/collective/books/{book.pk}/close/", {"year": 2026, "month": 5}, follow=True)
    text = r.content.decode()
    assert "2026年5月已结账" in text and "2026年5月" in text[text.index('id="closed"') :]
    assert Period.objects.get(book=book).closed_by == agency
    r = client_as(accountant).post(
        f"/collective/books/{book.pk}/close/", {"year": 2026, "month": 4}, follow=True
    )
    assert Period.objects.count() == 1 and "结账" in r.content.decode()


def test_the_attachment_is_served_only_to_those_who_see_the_voucher(
    world, book, accountant, settings, tmp_path
):
    from apps.accounts.choices import Role
    from apps.core.testing.factories import make_user

    settings.MEDIA_ROOT = tmp_path
    settings.GONGZHI_MEDIA_ACCEL_PREFIX = ""
    keeper = client_as(accountant)
    r = keeper.post(
        f"/collective/books/{book.pk}/vouchers/",
        {
            "kind": "payment",
            "date": "2026-06-15",
            "summary": "付保洁费",
            "attachment": SimpleUploadedFile("fapiao.pdf", b"%PDF-1.4 receipt", "application/pdf"),
            "account_1": "502",
            "debit_1": "100",
            "account_2": "102",
            "credit_2": "100",
        },
    )
    assert r.status_code == 302
    voucher = Voucher.objects.get()
    assert voucher.status == VoucherStatus.PENDING and voucher.attachment
    # stored under a random name, not the clerk's file name (issue 14 item 10)
    assert "fapiao" not in voucher.attachment.name and voucher.attachment.name.endswith(".pdf")
    page = keeper.get(f"/collective/vouchers/{voucher.pk}/").content.decode()
    assert f'href="/collective/vouchers/{voucher.pk}/attachment/"' in page
    got = keeper.get(f"/collective/vouchers/{voucher.pk}/attachment/")
    assert got.status_code == 200 and b"".join(got.streaming_content) == b"%PDF-1.4 receipt"
    assert got["Cache-Control"].startswith("private")
    other = make_user("kuaiji_b", Role.VILLAGE_ACCOUNTANT, world.community_b)
    assert client_as(other).get(f"/collective/vouchers/{voucher.pk}/attachment/").status_code == 404
    assert keeper.get(f"/media/{voucher.attachment.name}").status_code == 404  # no bare folder


def test_the_public_pages_qr_code_holds_its_address(client, book):
    r = client.get(f"/collective/open/{book.village.code}/qr.svg")
    assert r.status_code == 200 and r["Content-Type"] == "image/svg+xml"
    assert r.content.startswith(b"<?xml") and b"<svg" in r.content
    expected = segno.make(
        f"http://testserver/collective/open/{book.village.code}/", error="m", micro=False
    )
    out = BytesIO()
    expected.save(out, kind="svg", scale=10, border=2, title=f"{book.village.name}村务公开")
    assert r.content == out.getvalue()
    Book.objects.filter(pk=book.pk).update(public=False)
    assert client.get(f"/collective/open/{book.village.code}/qr.svg").status_code == 404
