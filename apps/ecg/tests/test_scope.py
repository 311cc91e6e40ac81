"""A clinic doctor of one town cannot see another town's exams: every door answers 404."""

from django.urls import reverse

from apps.ecg import synth
from apps.ecg.actions import do_upload_exam
from apps.ecg.writers import to_csv

from .conftest import PATIENT


def api(path: str) -> str:
    """The API's URL, wherever config/urls.py mounts it (/api/v1/ or /api/v1/)."""
    return reverse("api:openapi-json").removesuffix("openapi.json") + path.lstrip("/")


def test_it_hides_other_towns_exams(client, network):
    exam = do_upload_exam(
        actor=network.doctor,
        clinic=network.clinic,
        files={"a.csv": to_csv(synth.generate("sinus"))},
        patient=PATIENT,
    )
    client.force_login(network.other_doctor)
    for name in ("ecg:detail", "ecg:signal", "ecg:pdf"):
        assert client.get(reverse(name, args=[exam.pk])).status_code == 404, name
    assert client.post(reverse("ecg:claim", args=[exam.pk])).status_code == 404
    assert "王建国" not in client.get(reverse("ecg:list")).content.decode()
    assert client.get(api(f"ecg/exams/{exam.pk}")).status_code == 404
    assert client.get(api("ecg/exams")).json() == []


def test_it_refuses_an_upload_for_a_clinic_outside_the_scope(client, network):
    client.force_login(network.other_doctor)
    response = client.post(
        api("ecg/exams"),
        {
            "clinic": network.clinic.pk,
            "patient_name": "王建国",
            "patient_age": 60,
            "files": [__import__("io").BytesIO(b"x")],
        },
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == "请选择送检的卫生院或医院"


def test_the_api_uploads_and_reads_back(client, network, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(network.doctor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            api("ecg/exams"),
            {
                "clinic": network.clinic.pk,
                "patient_name": "王建国",
                "patient_age": 60,
                "patient_sex": "M",
                "files": [SimpleUploadedFile("vf.csv", to_csv(synth.generate("vf")))],
            },
        )
    assert response.status_code == 201, response.content
    exam_id = response.json()["id"]
    body = client.get(api(f"ecg/exams/{exam_id}")).json()
    assert body["status"] == "waiting" and body["suspected_critical"] is True
    assert body["flag_codes"][0] == "vf"
    client.force_login(network.physician)
    assert client.get(api("ecg/queue")).json()[0]["id"] == exam_id
    assert client.post(api(f"ecg/exams/{exam_id}/claim")).json()["status"] == "claimed"
