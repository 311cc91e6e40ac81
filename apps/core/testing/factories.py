"""factory_boy factories shared by every app's tests."""

import itertools
from datetime import date
from typing import Any

import factory
from django.contrib.auth import get_user_model

from apps.core.validators import id_check_char
from apps.duties.models import Duty
from apps.orgs.models import Organisation
from apps.people.models import Person
from apps.places.actions import allocate_ids, assign_path
from apps.places.choices import PlaceKind
from apps.places.models import Place, child_code

_id_serial = itertools.count(1)


def make_id_number(birth: date = date(1980, 5, 17), region: str = "360732") -> str:
    """A valid GB 11643 number (checksum right), unique within a test run."""
    seq = f"{next(_id_serial) % 1000:03d}"
    first17 = f"{region}{birth:%Y%m%d}{seq}"
    return first17 + id_check_char(first17)


def make_place(
    kind: str, name: str, parent: Place | None = None, code: str = "", **fields
) -> Place:
    """Create a place with a valid code and path, bypassing actions (test set-up only)."""
    if not code and parent is None:
        code = "360732000000"
    elif not code and parent is not None:
        if kind == PlaceKind.TOWN:
            code = f"{parent.code[:6]}{100 + parent.children.count() + 1:03d}000"
        elif kind == PlaceKind.COMMUNITY:
            code = f"{parent.code[:9]}{200 + parent.children.count() + 1:03d}"
        else:
            code = child_code(kind, parent, parent.children.count() + 1)
    place = Place(kind=kind, name=name, parent=parent, code=code, **fields)
    place.pk = allocate_ids(Place, 1)[0]
    assign_path(place)
    place.save(force_insert=True)
    return place


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    name = factory.Iterator(["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "黄敏", "赵强"])
    sex = "M"

    @factory.post_generation
    def secrets(obj: Person, create: bool, extracted: Any, **kwargs: Any) -> None:
        obj.set_id_number(kwargs.get("id_number") or make_id_number())
        obj.set_phone(kwargs.get("phone") or f"138{next(_id_serial):08d}"[:11])
        if create:
            obj.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = "party_branch"
    name = factory.Sequence(lambda n: f"第{n}党支部")


class DutyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Duty

    kind = "baolian"
    start_date = date(2024, 1, 1)


def make_user(username: str, role: str, scope: Place | None, **fields):
    user_model = get_user_model()
    user = user_model(username=username, role=role, scope=scope, **fields)
    user.set_password("Gongzhi-test-2026")
    user.save()
    return user
