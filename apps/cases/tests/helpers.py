"""Shared set-up for the case tests: a category with known limits and a case factory."""

import datetime as dt
from typing import Any

from apps.accounts.models import User
from apps.cases.actions import do_create_case, do_transition
from apps.cases.choices import Level, LimitUnit
from apps.cases.models import Case, Category


def make_category(
    code: str = "test-repairs",
    *,
    level: str = Level.COMMUNITY,
    respond: tuple[int, str] = (1, LimitUnit.WORKDAYS),
    resolve: tuple[int, str] = (5, LimitUnit.WORKDAYS),
) -> Category:
    category, _ = Category.objects.update_or_create(
        code=code,
        defaults={
            "name": f"测试{code}",
            "default_level": level,
            "response_amount": respond[0],
            "response_unit": respond[1],
            "resolve_amount": resolve[0],
            "resolve_unit": resolve[1],
        },
    )
    return category


def make_case(
    world: Any,
    *,
    actor: User | None = None,
    category: Category | None = None,
    place: Any = None,
    **fields: Any,
) -> Case:
    actor = actor or world.user("community_a")
    case, _ = do_create_case(
        actor=actor,
        category=category or make_category(),
        place=place or world.household_a,
        title=fields.pop("title", "楼道灯坏了"),
        description=fields.pop("description", "三楼"),
        **fields,
    )
    return case


def walk(case: Case, world: Any, *steps: tuple[str, str, dict[str, Any] | None]) -> Case:
    """Run (action, user name, data) steps through do_transition; return the fresh case."""
    for action, user, data in steps:
        note = (data or {}).pop("note", "说明") if data else "说明"
        case = do_transition(
            case, action, actor=world.user(user) if user else None, note=note, data=data
        )
    return Case.objects.get(pk=case.pk)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)
