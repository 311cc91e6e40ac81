"""Photos on a visit record: checked and thumbnailed with the case engine's image helpers."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from apps.core.models import AuditEvent
from apps.visits.actions import do_add_visit_photo, do_generate_cycle, do_record_visit
from apps.visits.models import VisitPhoto, VisitRecord, VisitTask

pytestmark = pytest.mark.django_db


def png(name="door.png", size=(800, 600)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, "blue").save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


@pytest.fixture
def task(visit_round, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    plan = visit_round.plan
    plan.rule = "FREQ=DAILY"
    plan.save()
    cycle, _ = do_generate_cycle(plan, timezone.localdate())
    return VisitTask.objects.get(cycle=cycle, place=world.household_a)


def test_a_visit_keeps_its_photos_with_thumbnails(task, visit_round):
    record = do_record_visit(task, actor=visit_round.member_user, photos=[png(), png("b.png")])
    photos = list(record.photos.all())
    assert [(p.content_type, p.width, p.height) for p in photos] == [("image/png", 800, 600)] * 2
    with Image.open(photos[0].thumbnail.path) as thumb:
        assert max(thumb.size) == 320


def test_a_file_that_is_not_an_image_refuses_the_whole_visit(task, visit_round):
    fake = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    with pytest.raises(ValidationError, match="文件不是有效的图片"):
        do_record_visit(task, actor=visit_round.member_user, photos=[fake])
    task.refresh_from_db()
    assert task.status == "planned" and not VisitRecord.objects.exists()


def test_a_photo_too_large_is_refused(task, visit_round, settings):
    record = do_record_visit(task, actor=visit_round.member_user)
    settings.CASES_ATTACHMENT_MAX_BYTES = 100
    with pytest.raises(ValidationError, match="图片不能超过"):
        do_add_visit_photo(record, png(), actor=visit_round.member_user)


def test_a_photo_added_later_is_audited(task, visit_round):
    record = do_record_visit(task, actor=visit_round.member_user)
    do_add_visit_photo(record, png(), actor=visit_round.member_user)
    assert AuditEvent.objects.filter(object_type="visits.visitphoto", verb="create").count() == 1


def test_the_page_uploads_photos_and_shows_thumbnails(client, task, visit_round):
    client.force_login(visit_round.member_user)
    response = client.post(
        f"/visits/tasks/{task.pk}/record/", {"item_0": "on", "photos": [png(), png("2.png")]}
    )
    assert response.status_code == 302
    assert VisitPhoto.objects.count() == 2
    body = client.get(f"/visits/tasks/{task.pk}/").content.decode()
    assert body.count('class="thumb"') == 2


def test_the_api_adds_a_photo_and_an_outsider_gets_404(client, task, visit_round, world):
    record = do_record_visit(task, actor=visit_round.member_user)
    client.force_login(world.user("outsider_b"))
    url = f"/api/v1/visits/records/{record.pk}/photos"
    assert client.post(url, {"file": png()}).status_code == 404
    client.force_login(visit_round.member_user)
    response = client.post(url, {"file": png()})
    assert response.status_code == 201 and response.json()["width"] == 800
