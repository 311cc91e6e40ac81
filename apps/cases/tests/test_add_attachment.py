"""Photos: checked with Pillow, stored with a thumbnail, attached to a step."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.cases.errors import InvalidTransitionData, NotAllowed
from apps.cases.images import do_add_attachment

from .helpers import make_case

pytestmark = pytest.mark.django_db


def png(size=(800, 600)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, "red").save(out, "PNG")
    return SimpleUploadedFile("photo.png", out.getvalue(), content_type="image/png")


def test_it_stores_the_photo_and_a_thumbnail(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = make_case(world)
    attachment = do_add_attachment(case, png(), actor=world.user("community_a"))
    assert (attachment.content_type, attachment.width, attachment.height) == ("image/png", 800, 600)
    with Image.open(attachment.thumbnail.path) as thumb:
        assert max(thumb.size) == 320
    assert attachment.event.action == "attach"


def test_it_refuses_a_file_that_is_not_an_image(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    fake = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    with pytest.raises(InvalidTransitionData, match="不是有效的图片"):
        do_add_attachment(make_case(world), fake, actor=world.user("community_a"))


def test_it_refuses_a_large_file(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.CASES_ATTACHMENT_MAX_BYTES = 100
    with pytest.raises(InvalidTransitionData, match="不能超过"):
        do_add_attachment(make_case(world), png(), actor=world.user("community_a"))


def test_it_refuses_an_unrelated_user(world):
    with pytest.raises(NotAllowed):
        do_add_attachment(make_case(world), png(), actor=world.user("grid_worker_a"))
