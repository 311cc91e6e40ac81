"""Issue 20, item 14: the report's diagnoses read as separate terms on the exam page
("窦性心律；急性ST段抬高型心肌梗死"), not run together ("窦性心律急性ST段…")."""

import re

import pytest
from django.urls import reverse

from .test_workflow import loop  # noqa: F401  (the fixture: a normal ECG and a STEMI, screened)

pytestmark = pytest.mark.django_db


def test_the_diagnoses_are_separated(client, network, loop):  # noqa: F811
    _, exam, _ = loop
    client.force_login(network.physician)
    assert client.post(reverse("ecg:claim", args=[exam.pk])).status_code == 302
    response = client.post(
        reverse("ecg:report", args=[exam.pk]),
        {"heart_rate": 85, "terms": ["sinus", "c_stemi"], "conclusion": "急性前壁心肌梗死"},
    )
    assert response.status_code == 302
    page = client.get(reverse("ecg:detail", args=[exam.pk])).content.decode()
    line = page.split('id="report-diagnosis"')[1].split("</p>")[0]
    text = re.sub(r"<[^>]+>", "", line)
    assert "窦性心律；急性ST段抬高型心肌梗死" in text
