"""Households and their residents: family shapes, names, ID numbers, phones and care tags.

Shapes and rates are plausible for a county in Gannan, not statistics: villages hold more
elderly people living alone and more left-behind children (留守儿童, whose parents work in
Guangdong) than town compounds; every ID number is a valid GB 11643 number of 兴国县 (region
360732) that matches the person's birth date and sex, and no two residents share one.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from apps.core.text import pinyin_initials
from apps.core.validators import id_check_char
from apps.people.choices import Relation, Sex
from apps.people.models import Person

from . import names
from .writer import Row

# Ages and dates count from this day, so a seed gives the same county whenever it is run.
REFERENCE_DATE = date(2026, 4, 1)
REGION = "360732"

# (shape, weight in a village, weight in a town compound)
SHAPES = (
    ("alone_elderly", 12, 8),
    ("elderly_couple", 14, 10),
    ("single_young", 3, 6),
    ("couple", 6, 12),
    ("nuclear", 22, 38),
    ("three_generations", 20, 18),
    ("left_behind", 18, 2),
    ("single_parent", 5, 6),
)
_SHAPE_NAMES = [s for s, _, _ in SHAPES]
_WEIGHTS = {False: [w for _, w, _ in SHAPES], True: [w for _, _, w in SHAPES]}


@dataclass
class Member:
    """A resident being built: the Person row plus what later steps choose by."""

    person: Row
    age: int
    household_id: int
    urban: bool
    tags: set[str] = field(default_factory=set)
    party: bool = False
    volunteer: bool = False

    @property
    def adult(self) -> bool:
        return self.age >= 18


class IdNumbers:
    """Issues unique ID numbers: per (birth date, sex) a running sequence code, whose last
    digit is odd for men and even for women as GB 11643 requires."""

    def __init__(self) -> None:
        self.next: dict[tuple[date, str], int] = {}

    def issue(self, birth: date, sex: str, rng: random.Random) -> str:
        key = (birth, sex)
        k = self.next.get(key)
        if k is None:
            k = rng.randrange(100)
        if k >= 500:  # 500 people of one sex born on one day: use the next day instead
            return self.issue(birth + timedelta(days=1), sex, rng)
        self.next[key] = k + rng.randint(1, 3)
        first17 = f"{REGION}{birth:%Y%m%d}{2 * k + (1 if sex == Sex.MALE else 0):03d}"
        return first17 + id_check_char(first17)


_INITIALS: dict[str, str] = {}


def initials(name: str) -> str:
    """pinyin_initials with a cache: a county has far fewer distinct names than people."""
    value = _INITIALS.get(name)
    if value is None:
        value = _INITIALS[name] = pinyin_initials(name)
    return value


def birth_date(age: int, rng: random.Random) -> date:
    return REFERENCE_DATE - timedelta(days=int(age * 365.25) + rng.randrange(365))


MemberSpec = tuple[str, int, str, bool]  # relation, age, sex, of the family line


def family(rng: random.Random, urban: bool) -> tuple[str, list[MemberSpec]]:
    """A household shape and its members as (relation, age, sex, of the family line)."""
    shape = rng.choices(_SHAPE_NAMES, _WEIGHTS[urban])[0]
    return shape, _members(shape, rng)


def _members(shape: str, rng: random.Random) -> list[MemberSpec]:
    male, female = str(Sex.MALE), str(Sex.FEMALE)
    head, spouse = str(Relation.HEAD), str(Relation.SPOUSE)
    if shape == "alone_elderly":
        return [(head, rng.randint(65, 92), rng.choice((male, female, female)), True)]
    if shape == "elderly_couple":
        age = rng.randint(60, 88)
        return [
            (head, age, male, True),
            (spouse, max(55, age - rng.randint(0, 5)), female, False),
        ]
    if shape == "single_young":
        return [(head, rng.randint(22, 40), rng.choice((male, female)), True)]
    if shape == "couple":
        age = rng.randint(24, 58)
        return [
            (head, age, male, True),
            (spouse, max(20, age - rng.randint(0, 4)), female, False),
        ]
    if shape == "left_behind":
        age = rng.randint(56, 76)
        # grandparents with the children of parents who work away (留守)
        home: list[MemberSpec] = [(head, age, male, True)]
        if rng.random() < 0.7:
            home.append((spouse, age - rng.randint(0, 4), female, False))
        for _ in range(rng.randint(1, 2)):
            home.append((Relation.GRANDCHILD, rng.randint(3, 15), rng.choice((male, female)), True))
        return home
    parent_age = rng.randint(27, 50)
    members: list[MemberSpec] = [(head, parent_age, male, True)]
    if shape == "single_parent":
        members[0] = (head, parent_age, rng.choice((male, female)), True)
    else:
        members.append((spouse, parent_age - rng.randint(0, 4), female, False))
    for _ in range(rng.randint(1, 2)):
        child_age = rng.randint(0, max(0, min(22, parent_age - 22)))
        members.append((Relation.CHILD, child_age, rng.choice((male, female)), True))
    if shape == "three_generations":
        grand_age = parent_age + rng.randint(22, 32)
        members.append((Relation.PARENT, grand_age, rng.choice((male, female)), True))
    return members[:5]


class ResidentFactory:
    """Builds the Person rows of one household."""

    def __init__(self, rng: random.Random, ids: IdNumbers) -> None:
        self.rng = rng
        self.ids = ids

    def household(self, make: Callable[..., Row], household: Row, urban: bool) -> list[Member]:
        """Residents of `household`; `make(**columns)` queues a Person row and returns it."""
        rng = self.rng
        line = names.surname(rng)
        shape, spec = family(rng, urban)
        members: list[Member] = []
        for relation, age, sex, of_line in spec:
            born = birth_date(age, rng)
            surname = (
                line
                if of_line and (sex == Sex.MALE or relation != Relation.PARENT)
                else names.surname(rng)
            )
            name = surname + names.given_name(rng, born.year, sex)
            person = make(
                place_id=household.pk,
                relation=relation,
                sex=sex,
                birth_date=born,
                name=name,
                name_initials=initials(name),
            )
            # Person's own setters encrypt and index; they only set attributes, so they run
            # on a Row as well, and the demo stores exactly what the application would.
            Person.set_id_number(person, self.ids.issue(born, sex, rng))  # type: ignore[arg-type]
            if age >= 14 and rng.random() < (0.55 if age >= 80 else 0.95):
                Person.set_phone(person, names.phone(rng))  # type: ignore[arg-type]
            members.append(Member(person, age, household.pk, urban))
        _tag(members, shape, urban, rng)
        return members


def _tag(members: list[Member], shape: str, urban: bool, rng: random.Random) -> None:
    """Care tags at rough real-life rates; older and poorer households carry more."""
    dibao = rng.random() < (0.02 if urban else 0.045)
    for m in members:
        tags = m.tags
        if m.age >= 80:
            tags.add("aged")
        if shape == "alone_elderly":
            tags.add("alone_elderly")
            if not urban and rng.random() < 0.06:
                tags.add("special_hardship")
        if shape == "elderly_couple" and m.age >= 60:
            tags.add("empty_nest")
        if shape == "left_behind" and m.age < 16:
            tags.add("left_behind_child")
        if rng.random() < (0.06 if m.age >= 60 else 0.015):
            tags.add("disabled")
        if dibao:
            tags.add("dibao")
        if m.person.sex == Sex.MALE and 25 <= m.age <= 80 and rng.random() < 0.025:
            tags.add("veteran")
        if 20 <= m.age <= 55 and rng.random() < (0.04 if urban else 0.012):
            tags.add("unemployed")
        if rng.random() < 0.01:
            tags.add("serious_illness")
