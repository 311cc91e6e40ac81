"""What the resident sees and hears after reporting, over HTTP: their own words and photo, the
result and after-photos once resolved (no staff names), a rating only when there is a result,
the lookup by number and phone for a lost link, and text messages at acceptance and
resolution."""

import re

import pytest
from django.test import Client

from apps.cases.actions import do_create_case, do_transition
from apps.cases.choices import Rating, Status
from apps.cases.images import do_add_attachment
from apps.cases.models import Case
from apps.notifications.choices import ChannelKind
from apps.notifications.models import Channel
from apps.notifications.sms import LoggingSmsGateway

from .conftest import photo, submit

pytestmark = pytest.mark.django_db


def reported(world, category, **fields) -> Case:
    submit(Client(), category, place_code=world.household_a.code, photo=photo(), **fields)
    return Case.objects.get()


def resolve(case: Case, world, note: str = "已上门代买药品，药已送到老人家中") -> Case:
    staff, vol = world.user("community_a"), world.user("volunteer_a")
    vol.display_name = "王小明"
    vol.save()
    case = do_transition(case, "accept", actor=staff)
    case = do_transition(case, "dispatch", actor=staff, data={"assignee": vol.pk})
    case = do_transition(case, "claim", actor=vol)
    case = do_transition(case, "start", actor=vol)
    case = do_transition(case, "resolve", actor=vol, note=note)
    do_add_attachment(case, photo("green"), actor=vol, event=case.events.order_by("-id").first())
    return case


def page(case: Case) -> str:
    response = Client().get(f"/portal/t/{case.tracking_token}/")
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_the_residents_own_words_and_photo(world, category):
    case = reported(world, category)
    text = page(case)
    assert "您反映的情况" in text and "家里老人行动不便，需要帮忙代买药品" in text
    own = case.attachments.get()
    assert f'src="{own.thumbnail.url}?t={case.tracking_token}"' in text
    # Nothing to rate yet, and no result section.
    assert "办理结果" not in text and 'name="rating"' not in text


def test_it_shows_the_result_and_after_photo_without_staff_names(world, category):
    case = resolve(reported(world, category), world, note="王小明已上门代买药品，药已送到")
    text = page(case)
    assert "办理结果" in text and "办理人员已上门代买药品，药已送到" in text
    after = case.attachments.order_by("-id").first()
    assert f'src="{after.thumbnail.url}?t={case.tracking_token}"' in text
    assert 'id="result-photos"' in text
    for name in ("王小明", "vol_a", "staff_a"):
        assert name not in text
    assert 'name="rating"' in text and "您对办理结果满意吗" in text


def test_it_shows_no_other_residents_report(world, category):
    mine = reported(world, category)
    submit(
        Client(),
        category,
        place_code=world.household_a.code,
        description="楼道灯坏了，晚上看不见",
        form_token="another-token-0123456789",
    )
    assert "楼道灯坏了" not in page(mine)


def test_it_hides_the_result_again_while_the_case_is_reopened(world, category):
    case = resolve(reported(world, category), world)
    Client().post(f"/portal/t/{case.tracking_token}/rate/", {"rating": Rating.UNSATISFIED})
    text = page(Case.objects.get())
    assert "办理结果" not in text and 'name="rating"' not in text


def find(client: Client, number: str, last_four: str):
    return client.post("/portal/find/", {"number": number, "last_four": last_four})


def test_it_finds_a_case_by_number_and_the_phones_last_four(world, category):
    case = reported(world, category)
    assert "凭编号和电话后四位查询进度" in Client().get("/portal/").content.decode()
    for number in (case.number, case.number.lower(), str(case.pk)):
        response = find(Client(), number, "5678")
        assert response.status_code == 302
        assert response["Location"] == f"/portal/t/{case.tracking_token}/"


def test_it_answers_a_wrong_pair_without_saying_which_part(world, category):
    case = reported(world, category)
    for number, last_four in ((case.number, "1234"), ("SX99999999", "5678"), ("abc", "5678")):
        response = find(Client(), number, last_four)
        assert response.status_code == 404
        text = response.content.decode()
        assert "编号与电话后四位不匹配" in text and case.tracking_token not in text
    assert "请填写电话的后四位数字" in find(Client(), case.number, "56").content.decode()


def test_it_throttles_lookups_per_address(world, category, settings):
    settings.PORTAL_LOOKUPS_PER_HOUR = 3
    case = reported(world, category)
    client = Client()
    for n in range(3):
        assert find(client, case.number, f"000{n}").status_code == 404
    blocked = find(client, case.number, "5678")  # even the right pair, once over the limit
    assert blocked.status_code == 429 and "查询过于频繁" in blocked.content.decode()
    assert find(Client(REMOTE_ADDR="10.0.0.9"), case.number, "5678").status_code == 302


@pytest.fixture
def sms_channel(world):
    channel = Channel(kind=ChannelKind.SMS, name="县短信平台", place=world.county)
    channel.options = {"gateway": "log"}
    channel.save()
    LoggingSmsGateway.outbox.clear()
    yield channel
    LoggingSmsGateway.outbox.clear()


def test_it_texts_the_resident_at_acceptance_and_resolution(
    world, category, sms_channel, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://gz.example.cn"
    with django_capture_on_commit_callbacks(execute=True):
        case = reported(world, category)
    assert LoggingSmsGateway.outbox == []  # nothing at submission: the page gave the link
    with django_capture_on_commit_callbacks(execute=True):
        resolve(case, world)
    link = f"https://gz.example.cn/portal/t/{case.tracking_token}/"
    assert [phone for phone, _ in LoggingSmsGateway.outbox] == ["13912345678", "13912345678"]
    accepted, resolved = (text for _, text in LoggingSmsGateway.outbox)
    assert f"您反映的事项{case.number}（助老服务）已受理" in accepted and link in accepted
    assert "已办结，请查看办理结果并评价" in resolved and link in resolved
    assert not re.search("王小明|vol_a|staff_a", accepted + resolved)


def test_it_texts_nobody_without_a_phone(
    world, category, sms_channel, django_capture_on_commit_callbacks
):
    staff = world.user("community_a")
    with django_capture_on_commit_callbacks(execute=True):
        case, _ = do_create_case(
            actor=staff, category=category, place=world.household_a, title="来电：楼道灯坏了"
        )
        do_transition(case, "accept", actor=staff)
    assert Case.objects.get().status == Status.ACCEPTED
    assert LoggingSmsGateway.outbox == []
