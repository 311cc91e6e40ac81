"""The demo data: exams of every kind, the last day's left in the queue, the critical path
walked to the end."""

import random

from apps.ecg.demo import generate_ecg_demo
from apps.ecg.models import CriticalValue, Exam
from apps.ecg.selectors import alert_times, turnaround


def test_it_fills_the_network_with_a_history(network):
    counts = generate_ecg_demo(
        random.Random(7),
        [network.clinic, network.other_clinic],
        network.hospital,
        [network.physician, network.checker],
        [network.doctor, network.other_doctor, network.emergency],
        months=1,
        per_clinic_month=8,
    )
    assert counts["exams"] == 16 == Exam.objects.count()
    assert Exam.objects.filter(status="released").count() == counts["released"]
    assert not Exam.objects.filter(status__in=["received", "claimed", "checking"]).exists()
    figures = turnaround(network.physician)
    assert figures["count"] == counts["released"] and figures["median_min"] > 0
    if counts["critical"]:
        assert CriticalValue.objects.filter(status="closed").count() == counts["critical"]
        assert alert_times(network.physician)["door_to_treatment_median_min"] > 0
