"""The critical-value loop below the pages: escalation of unacknowledged alerts with
compare-and-set, read-back, referral order, and the register's figures."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.core.models import AuditEvent
from apps.core.tasks import capture_tasks
from apps.ecg import synth
from apps.ecg.actions import (
    do_claim_exam,
    do_save_report,
    do_screen_exam,
    do_submit_report,
    do_upload_exam,
)
from apps.ecg.critical import do_acknowledge_notice, do_record_referral_step, escalate_overdue
from apps.ecg.models import CriticalNotice
from apps.ecg.selectors import alert_times, reading_queue
from apps.ecg.writers import to_csv

from .conftest import PATIENT


def confirmed_critical(network, rhythm="vt", term="c_vt"):
    exam = do_upload_exam(
        actor=network.doctor,
        clinic=network.clinic,
        files={"a.csv": to_csv(synth.generate(rhythm, rate=180))},
        patient=PATIENT,
    )
    do_screen_exam(exam.pk)
    do_claim_exam(exam, actor=network.physician)
    do_save_report(
        exam,
        actor=network.physician,
        measurements={},
        term_codes=[term],
        conclusion="持续性室性心动过速",
    )
    do_submit_report(exam, actor=network.physician)
    exam.refresh_from_db()
    return exam.critical


def test_it_escalates_an_unacknowledged_alert_once_per_level(
    network, django_capture_on_commit_callbacks
):
    with capture_tasks():
        critical = confirmed_critical(network)
    notice = CriticalNotice.objects.get(critical=critical, recipient=network.doctor)
    assert notice.due_at - notice.sent_at == timedelta(minutes=10)
    later = notice.sent_at + timedelta(minutes=11)
    with capture_tasks() as sent, django_capture_on_commit_callbacks(execute=True):
        assert escalate_overdue(later) == 2  # clinic doctor and emergency team both silent
        assert escalate_overdue(later) == 0  # a second monitor finds nothing left to do
    notice.refresh_from_db()
    assert notice.escalation_level == 1
    assert notice.due_at == later + timedelta(minutes=5)  # the phone deadline
    assert network.head.pk in sent[0][1][0] and sent[0][1][1] == "危急值未确认，已升级"
    do_acknowledge_notice(
        CriticalNotice.objects.get(critical=critical, recipient=network.emergency),
        actor=network.emergency,
        read_back="持续性室性心动过速，收到",
    )
    with capture_tasks() as sent, django_capture_on_commit_callbacks(execute=True):
        assert escalate_overdue(later + timedelta(minutes=6)) == 1
    assert sent[0][1][1] == "危急值仍未确认：请立即电话通知"
    assert escalate_overdue(later + timedelta(hours=1)) == 0  # level 2 is the last
    escalations = AuditEvent.objects.filter(changes__action="escalate")
    assert escalations.count() == 3 and escalations.first().actor_label == "系统（危急值监控）"
    assert alert_times(network.physician)["escalated"] == 2


def test_it_wants_the_finding_read_back_by_the_receiver(network):
    with capture_tasks():
        critical = confirmed_critical(network)
    notice = CriticalNotice.objects.get(critical=critical, recipient=network.doctor)
    with pytest.raises(PermissionDenied, match="只能确认发给您本人的危急值通知"):
        do_acknowledge_notice(notice, actor=network.emergency, read_back="持续性室性心动过速")
    with pytest.raises(ValidationError, match="复述内容应包含危急值：持续性室性心动过速"):
        do_acknowledge_notice(notice, actor=network.doctor, read_back="好的")
    do_acknowledge_notice(notice, actor=network.doctor, read_back="持续性 室性心动过速")
    with pytest.raises(ValidationError, match="该通知已经确认过"):
        do_acknowledge_notice(notice, actor=network.doctor, read_back="持续性室性心动过速")


def test_it_keeps_the_referral_in_order(network):
    with capture_tasks():
        critical = confirmed_critical(network)
    now = timezone.now()
    with pytest.raises(ValidationError, match="请先记录转诊决定"):
        do_record_referral_step(critical, actor=network.doctor, step="transfer")
    do_record_referral_step(
        critical,
        actor=network.doctor,
        step="decision",
        decision="refer",
        at=now - timedelta(minutes=1),
    )
    with pytest.raises(ValidationError, match="请先记录“开始转运”"):
        do_record_referral_step(critical, actor=network.doctor, step="arrival")
    with pytest.raises(ValidationError, match="时间不能早于上一环节"):
        do_record_referral_step(
            critical, actor=network.doctor, step="transfer", at=now - timedelta(minutes=2)
        )
    with pytest.raises(PermissionDenied):
        do_record_referral_step(critical, actor=network.other_doctor, step="transfer")
    do_record_referral_step(critical, actor=network.doctor, step="transfer")
    with pytest.raises(ValidationError, match="该环节已记录"):
        do_record_referral_step(critical, actor=network.doctor, step="transfer")


def test_local_handling_skips_transport(network):
    with capture_tasks():
        critical = confirmed_critical(network)
    do_record_referral_step(critical, actor=network.doctor, step="decision", decision="local")
    with pytest.raises(ValidationError, match="未决定转诊，无需记录转运"):
        do_record_referral_step(critical, actor=network.doctor, step="transfer")
    do_record_referral_step(
        critical, actor=network.doctor, step="treatment", treatment="cardioversion"
    )
    referral = do_record_referral_step(
        critical, actor=network.doctor, step="outcome", outcome="discharged"
    )
    assert referral.alert_to_treatment_minutes is not None


def test_it_orders_the_queue_by_suspected_severity_then_wait(network):
    def upload(rhythm, **kw):
        exam = do_upload_exam(
            actor=network.doctor,
            clinic=network.clinic,
            files={"a.csv": to_csv(synth.generate(rhythm, **kw))},
            patient=PATIENT,
        )
        do_screen_exam(exam.pk)
        return exam.pk

    with capture_tasks():
        first_normal = upload("sinus", rate=70)
        pause = upload("pause", rate=70)
        second_normal = upload("sinus", rate=75)
        vf = upload("vf")
    order = list(reading_queue(network.physician).values_list("pk", flat=True))
    assert order == [vf, pause, first_normal, second_normal]


def test_a_claim_is_taken_once(network):
    with capture_tasks():
        exam = do_upload_exam(
            actor=network.doctor,
            clinic=network.clinic,
            files={"a.csv": to_csv(synth.generate("sinus"))},
            patient=PATIENT,
        )
        do_screen_exam(exam.pk)
    do_claim_exam(exam, actor=network.physician)
    with pytest.raises(ValidationError, match="当前为“阅片中”（陈医师），不能认领"):
        do_claim_exam(exam, actor=network.checker)
    assert AuditEvent.objects.filter(changes__action="claim").count() == 1


def test_the_screening_task_runs_once(network):
    with capture_tasks():
        exam = do_upload_exam(
            actor=network.doctor,
            clinic=network.clinic,
            files={"a.csv": to_csv(synth.generate("sinus"))},
            patient=PATIENT,
        )
        do_screen_exam(exam.pk)
        do_screen_exam(exam.pk)
    assert AuditEvent.objects.filter(changes__action="screen").count() == 1


def test_county_thresholds_are_validated(network):
    from django.core.exceptions import ValidationError as DjangoValidationError

    network.centre.thresholds = {"tachy_bpm": -1, "nonsense": 3}
    with pytest.raises(DjangoValidationError) as info:
        network.centre.full_clean()
    assert info.value.message_dict["thresholds"] == [
        "阈值“tachy_bpm”应大于 0",
        "未知的阈值“nonsense”",
    ]


def test_an_administrator_sets_county_thresholds_and_the_screening_uses_them(network, world):
    from apps.ecg.actions import do_update_centre

    with pytest.raises(PermissionDenied, match="只有系统管理员可以修改心电网络设置"):
        do_update_centre(network.centre, actor=network.physician, thresholds={"tachy_bpm": 120})
    with pytest.raises(ValidationError, match="未知的阈值“speed”"):
        do_update_centre(network.centre, actor=world.user("admin"), thresholds={"speed": 1})
    do_update_centre(
        network.centre, actor=world.user("admin"), thresholds={"tachy_bpm": 120}, ack_minutes=5
    )
    assert AuditEvent.objects.filter(changes__action="settings").count() == 1
    with capture_tasks():
        exam = do_upload_exam(
            actor=network.doctor,
            clinic=network.clinic,
            files={"a.csv": to_csv(synth.generate("sinus", rate=130))},
            patient=PATIENT,
        )
        exam = do_screen_exam(exam.pk)
    assert "tachy" in exam.flag_codes and exam.suspected_critical


def test_a_physician_may_hand_an_exam_back(network):
    from apps.ecg.actions import do_unclaim_exam

    with capture_tasks():
        exam = do_upload_exam(
            actor=network.doctor,
            clinic=network.clinic,
            files={"a.csv": to_csv(synth.generate("sinus"))},
            patient=PATIENT,
        )
        do_screen_exam(exam.pk)
    do_claim_exam(exam, actor=network.physician)
    with pytest.raises(ValidationError, match="只有认领该检查的医师可以放弃认领"):
        do_unclaim_exam(exam, actor=network.checker)
    exam = do_unclaim_exam(exam, actor=network.physician)
    assert exam.status == "waiting" and exam.claimed_by is None
    do_claim_exam(exam, actor=network.checker)
