"""Volunteer and approvals pages, the API, scope (another community sees nothing: 404) and the
certificate PDF with its Chinese font embedded."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from apps.core.testing.pdf import inflated
from apps.volunteers.actions import do_approve_hours, do_record_hours
from apps.volunteers.choices import HoursStatus
from apps.volunteers.models import ServiceHours

from .helpers import volunteer

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 1)


@pytest.fixture
def hours(world):
    v, _ = volunteer(world, "王芳")
    row = do_record_hours(
        v, actor=world.user("community_a"), hours="3", served_on=DAY, activity="义诊"
    )
    return v, row


def test_it_shows_hours_star_and_points_on_the_volunteer_page(world, hours, client):
    v, row = hours
    do_approve_hours(row, actor=world.user("community_a"))
    client.force_login(world.user("community_a"))
    html = client.get(reverse("volunteers:detail", args=[v.pk])).content.decode()
    assert "王芳" in html and "义诊" in html and "已认定" in html and "服务获得" in html


def test_it_hides_another_communitys_hours(world, hours, client):
    v, row = hours
    client.force_login(world.user("outsider_b"))
    assert client.get(reverse("volunteers:detail", args=[v.pk])).status_code == 404
    assert client.get(reverse("volunteers:certificate", args=[v.pk])).status_code == 404
    assert "王芳" not in client.get(reverse("volunteers:approvals")).content.decode()
    response = client.post(
        reverse("volunteers:hours_decide", args=[row.pk]), {"decision": "approve"}
    )
    assert response.status_code == 404
    assert client.get(f"/api/v1/services/volunteers/{v.pk}").status_code == 404
    row.refresh_from_db()
    assert row.status == HoursStatus.PENDING


def test_it_approves_and_declines_from_the_approvals_page(world, hours, client):
    _, row = hours
    client.force_login(world.user("community_a"))
    assert "王芳" in client.get(reverse("volunteers:approvals")).content.decode()
    client.post(reverse("volunteers:hours_decide", args=[row.pk]), {"decision": "decline"})
    row.refresh_from_db()
    assert row.status == HoursStatus.PENDING  # a decline needs a reason
    client.post(
        reverse("volunteers:hours_decide", args=[row.pk]),
        {"decision": "decline", "note": "重复登记"},
    )
    row.refresh_from_db()
    assert row.status == HoursStatus.DECLINED and row.decided_by == world.user("community_a")


def test_it_records_hours_from_the_volunteer_page(world, hours, client):
    v, _ = hours
    client.force_login(world.user("community_a"))
    client.post(
        reverse("volunteers:hours_record", args=[v.pk]),
        {"served_on": "2026-03-02", "hours": "1.5", "activity": "助餐"},
    )
    assert ServiceHours.objects.filter(volunteer=v, activity="助餐", status="pending").exists()


def test_it_approves_through_the_api(world, hours, client):
    v, row = hours
    client.force_login(world.user("community_a"))
    response = client.post(
        f"/api/v1/services/hours/{row.pk}/approve", {"note": ""}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["status"] == "approved"
    body = client.get(f"/api/v1/services/volunteers/{v.pk}").json()
    assert body["approved_hours"] == "3.0" or float(body["approved_hours"]) == 3.0
    assert body["points"] == 30


def test_it_issues_a_certificate_pdf_with_the_cjk_font_embedded(world, hours, client):
    v, row = hours
    do_approve_hours(row, actor=world.user("community_a"))
    client.force_login(world.user("community_a"))
    response = client.get(
        reverse("volunteers:certificate", args=[v.pk]), {"start": "2026-01-01", "end": "2026-12-31"}
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF")
    body = inflated(pdf)
    assert re.search(rb"/FontName\s*/[A-Z]{6}\+Noto-Serif-CJK-SC", body)
    assert b"/FontFile" in body  # embedded (a subset), not merely referenced


def test_it_names_the_weekdays_of_the_availability_in_chinese(world, client):
    v, _ = volunteer(world, "李梅")
    v.availability = {"mon": ["19:00-21:00"], "sat": ["08:00-12:00"]}
    v.save(update_fields=["availability"])
    client.force_login(world.user("community_a"))
    html = client.get(reverse("volunteers:detail", args=[v.pk])).content.decode()
    assert "周一 19:00-21:00" in html and "周六 08:00-12:00" in html
    assert not re.search(r"\b(mon|sat)\b", html)
