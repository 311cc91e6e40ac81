"""The demo county carries photos on some cases, visits and patrols, and they are served to the
staff who may see those records (a newcomer sees pictures on the first start)."""

import io

import pytest
from PIL import Image

from apps.accounts.models import User
from apps.cases.models import CaseAttachment
from apps.places.models import subtree_q
from apps.visits.choices import VisitKind
from apps.visits.models import VisitPhoto

from ..generator import generate
from ..photos import PATROL_KINDS

pytestmark = pytest.mark.django_db


def test_the_tiny_demo_has_photos_that_its_staff_can_open(client):
    result = generate("tiny", 2026)
    counts = result["counts"]
    assert counts["photos_cases"] >= 12
    assert counts["photos_visits"] > 0 and counts["photos_patrols"] > 0
    assert CaseAttachment.objects.count() == counts["photos_cases"]
    visits = VisitPhoto.objects.filter(record__task__plan__kind=VisitKind.HOUSEHOLD)
    patrols = VisitPhoto.objects.filter(record__task__plan__kind__in=PATROL_KINDS)
    assert (visits.count(), patrols.count()) == (counts["photos_visits"], counts["photos_patrols"])
    # nine pictures, each stored once, shared by the records
    names = set(CaseAttachment.objects.values_list("file", flat=True))
    assert 1 < len(names) <= 9
    # the community of the login the README names has pictures of its own
    home = User.objects.get(username="community01").scope
    assert CaseAttachment.objects.filter(subtree_q(home, "case__place")).exists()
    assert visits.filter(subtree_q(home, "record__task__place")).exists()
    attachment = CaseAttachment.objects.first()
    client.force_login(User.objects.get(username="leader"))
    response = client.get(attachment.thumbnail.url)
    assert response.status_code == 200
    with Image.open(io.BytesIO(b"".join(response.streaming_content))) as image:
        assert image.size == (320, 240)
