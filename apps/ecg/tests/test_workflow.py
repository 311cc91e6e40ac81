"""The whole loop over HTTP: upload → screening → queue → claim → report → critical value →
alert → second check → release → acknowledgement with read-back → referral to the outcome."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from apps.core.models import AuditEvent
from apps.core.tasks import capture_tasks, run_task
from apps.ecg import synth
from apps.ecg.models import CriticalNotice, CriticalValue, Exam
from apps.ecg.writers import to_aecg, to_csv


def run(calls, name):
    """Run the captured tasks called `name` (the others stay recorded)."""
    for task_name, args, kwargs in list(calls):
        if task_name == name:
            run_task(task_name, args, kwargs)


def upload(client, network, rhythm, name, *, fmt="csv", **options):
    sig = synth.generate(rhythm, **options)
    content = to_csv(sig) if fmt == "csv" else to_aecg(sig)
    filename = f"{name}.{'csv' if fmt == 'csv' else 'xml'}"
    return client.post(
        reverse("ecg:upload"),
        {
            "clinic": network.clinic.pk,
            "signal_files": SimpleUploadedFile(filename, content),
            "patient_name": name,
            "patient_sex": "M",
            "patient_age": 62,
            "symptoms": "胸痛2小时",
            "reason": "胸痛",
            "id_number": "360732196201011231",
        },
    )


@pytest.fixture
def loop(client, network, django_capture_on_commit_callbacks):
    """Upload a normal ECG, then a STEMI, and screen both through the task system."""
    client.force_login(network.doctor)
    with capture_tasks() as calls, django_capture_on_commit_callbacks(execute=True):
        normal = upload(client, network, "sinus", "李四", rate=72)
        stemi = upload(client, network, "stemi", "王建国", fmt="aecg", rate=85)
    assert normal.status_code == stemi.status_code == 302
    assert [c[0] for c in calls] == ["ecg.screen", "ecg.screen"]
    with capture_tasks() as alerts, django_capture_on_commit_callbacks(execute=True):
        run(calls, "ecg.screen")
    return Exam.objects.get(patient_name="李四"), Exam.objects.get(patient_name="王建国"), alerts


def test_it_runs_the_whole_critical_loop(client, network, loop, django_capture_on_commit_callbacks):
    normal, exam, alerts = loop
    assert normal.status == exam.status == "waiting"
    assert exam.suspected_critical and "stemi" in exam.flag_codes
    assert not normal.suspected_critical
    assert exam.id_number_masked == "3****************1"
    # physicians on duty heard of the suspected STEMI at once
    assert [a[0] for a in alerts] == ["notifications.send"]
    assert alerts[0][1][0] == sorted([network.physician.pk, network.checker.pk, network.head.pk])

    # the queue puts the suspected critical ECG first although it came second
    client.force_login(network.physician)
    page = client.get(reverse("ecg:queue")).content.decode()
    assert page.index("王建国") < page.index("李四")

    # the viewer's data comes from the stored signal
    data = client.get(reverse("ecg:signal", args=[exam.pk])).json()
    assert data["leads"][:3] == ["I", "II", "III"] and data["fs"] == 500
    assert len(data["data"][0]) == 5000 and data["flags"][0]["code"] == "stemi"

    # claim; a second physician cannot take it
    assert client.post(reverse("ecg:claim", args=[exam.pk])).status_code == 302
    exam.refresh_from_db()
    assert exam.status == "claimed" and exam.claimed_by == network.physician
    client.force_login(network.checker)
    response = client.post(reverse("ecg:claim", args=[exam.pk]), follow=True)
    assert "不能认领" in response.content.decode()

    # report with the critical term: alert to the clinic doctor and the emergency team
    client.force_login(network.physician)
    detail = client.get(reverse("ecg:detail", args=[exam.pk])).content.decode()
    assert 'value="c_stemi" checked' in detail  # offered from the screening flag
    with capture_tasks() as sent, django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("ecg:report", args=[exam.pk]),
            {
                "heart_rate": 85,
                "pr_ms": 160,
                "qrs_ms": 100,
                "qt_ms": 340,
                "qtc_ms": 405,
                "axis_deg": 50,
                "terms": ["sinus", "c_stemi"],
                "conclusion": "窦性心律；V1–V4 导联ST段抬高，急性前壁心肌梗死",
                "submit": "1",
            },
        )
    assert response.status_code == 302
    exam.refresh_from_db()
    assert exam.status == "checking"
    critical = CriticalValue.objects.get(exam=exam)
    assert critical.items == "急性ST段抬高型心肌梗死"
    assert [s[0] for s in sent] == ["notifications.send"]
    user_ids, title, body, url, object_type, _ = sent[0][1]
    assert user_ids == sorted([network.doctor.pk, network.emergency.pk])
    assert title == "心电危急值" and "王建国" in body and object_type == "ecg.criticalvalue"
    assert sent[0][2] == {"kind": "ecg.critical"}  # urgent: it ignores quiet hours
    assert url == reverse("ecg:critical_detail", args=[critical.pk])

    # the author cannot check his own critical report; another physician releases it
    response = client.post(reverse("ecg:check", args=[exam.pk]), {"approve": "1"}, follow=True)
    assert "须由另一位医师审核" in response.content.decode()
    client.force_login(network.checker)
    with capture_tasks() as released, django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("ecg:check", args=[exam.pk]), {"approve": "1"})
    exam.refresh_from_db()
    assert exam.status == "released" and exam.report.checked_by == network.checker
    assert released[0][1][0] == [network.doctor.pk]

    # the clinic sees the released report and its PDF
    client.force_login(network.doctor)
    page = client.get(reverse("ecg:detail", args=[exam.pk])).content.decode()
    assert "急性前壁心肌梗死" in page
    pdf = client.get(reverse("ecg:pdf", args=[exam.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")

    # acknowledgement with read-back
    notice = CriticalNotice.objects.get(critical=critical, recipient=network.doctor)
    ack = reverse("ecg:acknowledge", args=[notice.pk])
    response = client.post(ack, {"read_back": "收到"}, follow=True)
    assert "复述内容应包含危急值：急性ST段抬高型心肌梗死" in response.content.decode()
    client.post(ack, {"read_back": "王建国 急性ST段抬高型心肌梗死，已收到"})
    notice.refresh_from_db()
    critical.refresh_from_db()
    assert notice.acked_at is not None and critical.status == "acknowledged"
    client.force_login(network.emergency)  # outside the town, but alerted: may see the ECG
    assert client.get(reverse("ecg:detail", args=[exam.pk])).status_code == 200
    assert client.get(reverse("ecg:detail", args=[normal.pk])).status_code == 404
    other = CriticalNotice.objects.get(critical=critical, recipient=network.emergency)
    client.post(
        reverse("ecg:acknowledge", args=[other.pk]), {"read_back": "急性ST段抬高型心肌梗死"}
    )

    # referral, step by step, in order
    referral_url = reverse("ecg:referral", args=[critical.pk])
    client.force_login(network.doctor)
    response = client.post(referral_url, {"step": "arrival"}, follow=True)
    assert "请先记录转诊决定" in response.content.decode()
    start = timezone.now() - timedelta(minutes=1)
    fmt = "%Y-%m-%dT%H:%M:%S"
    steps = [
        {"step": "decision", "decision": "refer", "destination": network.hospital.pk},
        {"step": "transfer"},
        {"step": "arrival"},
    ]
    for i, step in enumerate(steps):
        step["at"] = timezone.localtime(start + timedelta(seconds=10 * i)).strftime(fmt)
        assert client.post(referral_url, step).status_code == 302
    client.force_login(network.emergency)
    client.post(
        referral_url,
        {
            "step": "treatment",
            "treatment": "pci",
            "at": timezone.localtime(start + timedelta(seconds=50)).strftime(fmt),
        },
    )
    client.post(referral_url, {"step": "outcome", "outcome": "discharged"})
    critical.refresh_from_db()
    referral = critical.referral
    assert critical.status == "closed"
    assert referral.door_to_treatment_minutes == pytest.approx(0.5, abs=0.05)
    assert referral.treatment == "pci" and referral.outcome == "discharged"

    # every step is on the audit trail
    actions = [
        e.changes.get("action")
        for e in AuditEvent.objects.order_by("id")
        if e.object_type.startswith("ecg.")
    ]
    for expected in (
        "upload",
        "screen",
        "claim",
        "save_report",
        "submit_report",
        "confirm_critical",
        "check",
        "acknowledge",
        "referral",
    ):
        assert expected in actions
    assert actions.count("referral") == 5

    # the register and the statistics
    client.force_login(network.physician)
    register = client.get(reverse("ecg:critical_list")).content.decode()
    assert "急性ST段抬高型心肌梗死" in register and "王建国" in register
    stats = client.get(reverse("ecg:stats"))
    assert stats.status_code == 200
    assert stats.context["turnaround"]["count"] == 1
    assert stats.context["alerts"]["acknowledged"] == 2


def test_it_keeps_an_unreadable_upload_with_the_reason(client, network):
    client.force_login(network.doctor)
    response = client.post(
        reverse("ecg:upload"),
        {
            "clinic": network.clinic.pk,
            "signal_files": SimpleUploadedFile("ecg.csv", b"I,II\n1,2\n"),
            "patient_name": "赵六",
            "patient_age": 50,
            "units": "mV",
        },
        follow=True,
    )
    exam = Exam.objects.get(patient_name="赵六")
    assert exam.status == "rejected"
    assert exam.read_error == "CSV 缺少采样率：请在文件开头写“# fs: 500”或在上传时填写"
    assert "文件无法读取" in response.content.decode()
    kept = exam.files.get()
    assert kept.original_name == "ecg.csv" and kept.file.read() == b"I,II\n1,2\n"


def test_it_asks_for_the_patient(client, network):
    client.force_login(network.doctor)
    response = client.post(
        reverse("ecg:upload"),
        {
            "clinic": network.clinic.pk,
            "signal_files": SimpleUploadedFile("ecg.csv", b"x"),
            "patient_name": "赵六",
            "id_number": "123",
        },
    )
    assert response.status_code == 422  # refused by the action: the page again, as typed
    errors = response.context["form"].errors
    assert errors["patient_age"] == ["请填写年龄或出生日期"]
    assert errors["id_number"] == ["身份证号应为18位：前17位数字，最后一位数字或X"]
    assert not Exam.objects.exists()


def test_a_clinic_doctor_cannot_read(client, network, loop):
    _, exam, _ = loop
    client.force_login(network.doctor)
    assert client.get(reverse("ecg:queue")).status_code == 403
    response = client.post(reverse("ecg:claim", args=[exam.pk]), follow=True)
    assert "只有心电诊断医师可以阅片和出具报告" in response.content.decode()


def test_the_list_pages_cost_a_fixed_number_of_queries(
    client, network, loop, django_assert_max_num_queries
):
    client.force_login(network.physician)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("ecg:queue")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("ecg:list")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("ecg:critical_list")).status_code == 200
