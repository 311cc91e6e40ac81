"""Uploaded photos are served by the application with the scope rule of their record: the
case's staff and the holder of its tracking token see a case photo, a visit's staff see a visit
photo; anyone else — another community, an anonymous visitor, a wrong token — gets 404, as for
the record itself. Names are random; names given before keep working; behind nginx the
application answers with X-Accel-Redirect instead of the file."""

import datetime as dt
import io
import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.cases.images import do_add_attachment
from apps.cases.models import CaseAttachment
from apps.cases.tests.helpers import make_case
from apps.visits.actions import do_record_visit
from apps.visits.tests.helpers import friday_household_task

pytestmark = pytest.mark.django_db

RANDOM_NAME = re.compile(r"^(cases|visits)/[0-9a-f]{2}/[0-9a-f]{32}\.(png|jpg)$")


def png(colour: str = "red") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(out, "PNG")
    return SimpleUploadedFile("photo.png", out.getvalue(), content_type="image/png")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.GONGZHI_MEDIA_ACCEL_PREFIX = ""
    return tmp_path


@pytest.fixture
def photo(world, media):
    """The resident's photo, sent with the report (the tracking page shows it)."""
    case = make_case(world)
    return do_add_attachment(case, png(), actor=None, event=case.events.order_by("id").first())


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_new_photo_gets_a_random_name_saying_nothing_of_its_case(photo):
    for name in (photo.file.name, photo.thumbnail.name):
        assert RANDOM_NAME.match(name), name
    assert photo.file.name != photo.thumbnail.name
    assert photo.file.url.startswith("/media/cases/")


def test_the_cases_staff_see_the_photo_and_its_thumbnail(client, world, photo):
    client.force_login(world.user("community_a"))
    full = client.get(photo.file.url)
    assert full.status_code == 200 and full["Content-Type"] == "image/png"
    assert body(full) == photo.file.open("rb").read()
    assert "private" in full["Cache-Control"]
    thumb = client.get(photo.thumbnail.url)
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    with Image.open(io.BytesIO(body(thumb))) as image:
        assert max(image.size) == 320


def test_another_community_and_an_anonymous_visitor_get_404(client, world, photo):
    assert client.get(photo.file.url).status_code == 404
    assert client.get(photo.thumbnail.url).status_code == 404
    client.force_login(world.user("outsider_b"))
    assert client.get(photo.file.url).status_code == 404
    assert client.get(photo.thumbnail.url).status_code == 404


def test_the_resident_sees_the_photo_through_the_tracking_token_only(client, world, photo):
    token = photo.case.tracking_token
    assert client.get(f"{photo.thumbnail.url}?t={token}").status_code == 200
    assert client.get(f"{photo.file.url}?t={token}").status_code == 200
    assert client.get(f"{photo.file.url}?t=wrong-token").status_code == 404
    other = make_case(world, title="另一件")
    assert client.get(f"{photo.file.url}?t={other.tracking_token}").status_code == 404
    # the tracking page shows it, with the token
    page = client.get(f"/portal/t/{token}/")
    assert f"{photo.thumbnail.url}?t={token}" in page.content.decode()


def test_a_photo_stored_under_the_old_naming_still_works(client, world, media):
    case = make_case(world)
    content = png().read()
    old = CaseAttachment(case=case, content_type="image/png", size=len(content))
    old.file.save("x.png", ContentFile(content), save=False)
    legacy = f"cases/{case.pk}/20260101093000-{case.pk}.png"
    (media / legacy).parent.mkdir(parents=True, exist_ok=True)
    (media / legacy).write_bytes(content)
    old.file.name = legacy
    old.save()
    client.force_login(world.user("community_a"))
    response = client.get(f"/media/{legacy}")
    assert response.status_code == 200 and body(response) == content
    client.force_login(world.user("outsider_b"))
    assert client.get(f"/media/{legacy}").status_code == 404


def test_behind_nginx_the_application_answers_with_x_accel_redirect(client, world, photo, settings):
    settings.GONGZHI_MEDIA_ACCEL_PREFIX = "/protected-media/"
    client.force_login(world.user("community_a"))
    response = client.get(photo.file.url)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-media/{photo.file.name}"
    assert response.content == b"" and response["Content-Type"] == "image/png"
    client.force_login(world.user("outsider_b"))
    response = client.get(photo.file.url)
    assert response.status_code == 404 and "X-Accel-Redirect" not in response


@pytest.mark.parametrize(
    "url",
    [
        "/media/cases/../../config/settings.py",
        "/media/cases//x.jpg",
        "/media/ecg/uploads/2026/12/exam.zip",
        "/media/imports/2026/12/residents.xlsx",
        "/media/reports/2026/12/briefing.pdf",
        "/media/cases/00/0000000000000000000000000000000.jpg",
    ],
)
def test_unknown_or_unserved_names_are_404_even_for_the_county(client, world, media, url):
    client.force_login(world.user("county_leader"))
    assert client.get(url).status_code == 404


def test_a_nul_byte_in_the_name_is_refused_not_a_server_error(client, world, media):
    client.force_login(world.user("county_leader"))
    assert client.get("/media/cases/a%00b.jpg").status_code in (400, 404)


def test_a_visit_photo_is_seen_by_the_visits_staff_not_by_another_community(client, world, media):
    party, task = friday_household_task(world)
    record = do_record_visit(
        task,
        actor=party,
        answers={"政策宣传": True},
        visited_at=dt.datetime(2026, 12, 4, 10, tzinfo=dt.UTC),
        photos=[png("green")],
    )
    photo = record.photos.get()
    assert RANDOM_NAME.match(photo.file.name) and RANDOM_NAME.match(photo.thumbnail.name)
    for user in (party, world.user("community_a"), world.user("county_leader")):
        client.force_login(user)
        assert client.get(photo.thumbnail.url).status_code == 200, user
    client.force_login(world.user("outsider_b"))
    assert client.get(photo.file.url).status_code == 404
    client.logout()
    assert client.get(photo.file.url).status_code == 404


def test_an_api_key_in_a_header_fetches_the_photos_of_its_scope(client, world, photo):
    from apps.accounts.apikeys import do_create_api_key

    _, key_a = do_create_api_key(name="A 对接", scope=world.community_a, actor=None)
    _, key_b = do_create_api_key(name="B 对接", scope=world.community_b, actor=None)
    assert client.get(photo.file.url, HTTP_X_API_KEY=key_a).status_code == 200
    assert client.get(photo.file.url, HTTP_X_API_KEY=key_b).status_code == 404
    assert client.get(photo.file.url, {"api_key": key_a}).status_code == 404  # not in URLs
