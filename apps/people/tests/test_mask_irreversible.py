"""ADR 0016: no role without the reveal right can rebuild an ID number from what it sees.

Each test reads one output (API, list page, detail page, place page, residents export) as a
role without the right, then brute-forces the hidden digits the way the outside probe did: the
region code is taken as known (the county of the person's place gives it), the mask's shown
characters and the sex must match, the birth date may be any day the output allows, and the
check digit must be valid. The number of valid candidates must stay large.
"""

import csv
import io
import re
from collections import Counter
from datetime import date, timedelta

import pytest

from apps.core.models import AuditEvent
from apps.core.testing.factories import DutyFactory, PersonFactory
from apps.core.validators import id_check_char

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
MIN_CANDIDATES = 1000

# Numbers with birth dates spread over the year (the end of a year gives the fewest days when
# an age is combined with a year, so it is in the set).
BIRTHS = [date(1945, 1, 1), date(1962, 7, 15), date(1985, 12, 30), date(2001, 3, 9)]


def id_number(birth: date, seq: int) -> str:
    first17 = f"360732{birth:%Y%m%d}{seq:03d}"
    return first17 + id_check_char(first17)


def _sequence_residues(parity: int | None) -> Counter:
    counts: Counter = Counter()
    for seq in range(1000):
        if parity is not None and seq % 2 != parity:
            continue
        digits = f"{seq:03d}"
        counts[sum(int(d) * w for d, w in zip(digits, _WEIGHTS[14:], strict=True)) % 11] += 1
    return counts


def candidates(
    *, region: str, mask: str, first: date, last: date, sex: str | None
) -> tuple[int, set[str]]:
    """How many valid ID numbers fit a mask, a region code, a birth window and the sex; and a
    sample of them (to check the true number is among them, so the count is not vacuous)."""
    assert mask[0] != "*" and region.startswith(mask[0]), "the mask must fit the region"
    shown_last = mask[-1]
    parity = {"M": 1, "F": 0}.get(sex or "")
    residues = _sequence_residues(parity)
    total = 0
    found: set[str] = set()
    day = first
    while day <= last:
        head = f"{region}{day:%Y%m%d}"
        base = sum(int(d) * w for d, w in zip(head, _WEIGHTS[:14], strict=True))
        for residue, count in residues.items():
            if shown_last == "*" or _CHECK[(base + residue) % 11] == shown_last:
                total += count
        found.add(head)
        day += timedelta(days=1)
    return total, found


def window_from_year(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


@pytest.fixture
def residents(world):
    people = []
    for n, birth in enumerate(BIRTHS):
        number = id_number(birth, 101 + 2 * n)
        people.append(
            PersonFactory(
                name=f"居民{n}",
                place=world.household_a,
                sex="M" if int(number[16]) % 2 else "F",
                birth_date=birth,
                secrets__id_number=number,
            )
        )
    return people


def assert_not_rebuildable(person, mask: str, first: date, last: date) -> None:
    region = "360732"
    count, heads = candidates(region=region, mask=mask, first=first, last=last, sex=person.sex)
    assert f"{region}{person.birth_date:%Y%m%d}" in heads  # the true number is a candidate
    assert count >= MIN_CANDIDATES, f"{person.name}: only {count} candidates from {mask}"


class TestTheBruteForce:
    def test_it_narrows_a_full_birth_date_to_a_few_dozen(self, residents):
        """The yardstick: even the short mask beside a full birth date leaves only a few dozen
        candidates, so the tests below fail if any output shows the date to these roles."""
        person = residents[2]
        count, _ = candidates(
            region="360732",
            mask=person.id_number_masked,
            first=person.birth_date,
            last=person.birth_date,
            sex=person.sex,
        )
        assert count < 100


class TestNoRebuildForRolesWithoutTheRight:
    @pytest.mark.parametrize("persona", ["county_leader", "volunteer_a"])
    def test_it_cannot_rebuild_from_the_api(self, client_as, world, residents, persona):
        if persona == "volunteer_a":  # the register shows a volunteer the households it serves
            volunteer = world.user(persona)
            volunteer.person = PersonFactory(name="志愿者甲", place=world.household_a)
            volunteer.save(update_fields=["person"])
            DutyFactory(person=volunteer.person, place=world.household_a)
        body = client_as(persona).get("/api/v1/people/", {"page_size": 100}).json()
        items = {i["name"]: i for i in body["items"]}
        for person in residents:
            item = items[person.name]
            assert item["birth_date"] is None
            assert item["birth_year"] == person.birth_date.year
            assert_not_rebuildable(
                person, item["id_number_masked"], *window_from_year(item["birth_year"])
            )

    def test_it_cannot_rebuild_from_the_list_and_detail_pages(self, client_as, residents):
        client = client_as("county_leader")
        html = client.get("/people/").content.decode()
        for person in residents:
            assert f"{person.birth_date:%Y-%m-%d}" not in html
            detail = client.get(f"/people/{person.pk}/").content.decode()
            assert f"{person.birth_date:%Y-%m-%d}" not in detail
            mask = re.search(r"\d\*{16}[\dX]", detail).group(0)
            year = int(re.search(r"(\d{4})年", detail).group(1))
            assert_not_rebuildable(person, mask, *window_from_year(year))

    def test_it_cannot_rebuild_from_the_place_page(self, client_as, world, residents):
        html = client_as("county_leader").get(f"/places/{world.household_a.pk}/").content.decode()
        today = date.today()
        for person in residents:
            row = html[html.index(person.name) :][:1500]
            mask = re.search(r"\d\*{16}[\dX]", row).group(0)
            age = int(re.search(r'data-label="年龄">(\d+)<', row).group(1))
            # An exact age says the birthday lies in one 366-day window; a year difference
            # says the birth year. Take the narrower reading the page allows.
            assert age == today.year - person.birth_date.year
            assert_not_rebuildable(person, mask, *window_from_year(today.year - age))

    def test_it_cannot_rebuild_from_the_residents_export(self, client_as, residents):
        response = client_as("county_leader").get("/ledgers/export/residents.csv")
        assert response.status_code == 200
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        rows = {r["姓名"]: r for r in csv.DictReader(io.StringIO(text))}
        for person in residents:
            row = rows[person.name]
            assert row["出生日期"] == str(person.birth_date.year)
            assert_not_rebuildable(person, row["身份证号"], *window_from_year(int(row["出生日期"])))
        event = AuditEvent.objects.filter(verb="export").latest("id")
        assert event.changes["revealed_persons"] == 0
        assert event.changes["masked_persons"] == len(residents)
        assert event.changes["shown"] == "脱敏：身份证号仅首尾各1位，电话仅前3后4位，出生日期仅年份"

    def test_it_filters_ages_by_birth_year_only(self, client_as, world, residents):
        """Exact age bounds would cut the shown year into days; the bounds move by whole years."""
        client = client_as("county_leader")
        this_year = date.today().year
        person = residents[2]  # born 1985-12-30
        age = this_year - person.birth_date.year
        for low, high in ((age, age), (age - 1, age), (age, age + 1)):
            names = [
                i["name"]
                for i in client.get("/api/v1/people/", {"age_min": low, "age_max": high}).json()[
                    "items"
                ]
            ]
            assert person.name in names


class TestRolesWithTheRight:
    def test_they_see_the_full_birth_date(self, client_as, residents):
        body = client_as("community_a").get("/api/v1/people/", {"page_size": 100}).json()
        items = {i["name"]: i for i in body["items"]}
        assert items[residents[0].name]["birth_date"] == "1945-01-01"
        assert (
            items[residents[0].name]["id_number_masked"]
            == "3****************" + residents[0].id_number_masked[-1]
        )
