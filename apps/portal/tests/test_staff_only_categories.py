"""A key project's blocker is raised by the project's own people: residents never see it
among the matters they can report, and neither does an outside system through Open311
(on the demo county the portal listed 重点项目卡点 between 物业管理 and 村务公开咨询)."""

import pytest
from django.test import Client

from apps.cases.models import Category

pytestmark = pytest.mark.django_db


def test_the_portal_and_open311_leave_out_staff_only_matters():
    assert Category.objects.filter(code="project-blocker", active=True).exists()
    client = Client()
    home = client.get("/portal/").content.decode()
    assert "重点项目卡点" not in home and "/portal/report/repairs/" in home
    assert client.get("/portal/report/project-blocker/").status_code == 404
    codes = [s["service_code"] for s in client.get("/open311/v2/services.json").json()]
    assert "project-blocker" not in codes and "repairs" in codes
