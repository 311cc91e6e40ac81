from dataclasses import dataclass
from typing import Any

import pytest

from apps.cases.choices import CaseKind, Level
from apps.cases.tests.helpers import make_case, make_category, walk
from apps.core.testing.factories import PersonFactory
from apps.mediation.actions import do_register_mediator


@dataclass
class Dispute:
    case: Any
    judge: Any
    mediator: Any
    outsider_mediator: Any


@pytest.fixture
def dispute(world) -> Dispute:
    """A neighbours' dispute in household A, accepted, dispatched to the grid worker of A and
    claimed; a county judge and a people's mediator of community A; a mediator of B."""
    category = make_category("test-dispute", level=Level.COMMUNITY)
    case = make_case(world, category=category, kind=CaseKind.DISPUTE, title="邻里漏水纠纷")
    assignee = world.user("grid_worker_a")
    case = walk(
        case,
        world,
        ("accept", "community_a", None),
        ("dispatch", "community_a", {"assignee": assignee.pk}),
        ("claim", "grid_worker_a", None),
    )
    admin = world.user("admin")
    judge = do_register_mediator(
        actor=admin,
        person=PersonFactory(name="周法官", place=world.county),
        area=world.county,
        kind="judge",
        unit="兴国县人民法院",
    )
    mediator = do_register_mediator(
        actor=world.user("community_a"),
        person=PersonFactory(name="钟调解", place=world.grid_a),
        area=world.community_a,
        kind="peoples_mediator",
    )
    other = do_register_mediator(
        actor=admin,
        person=PersonFactory(name="邱调解", place=world.grid_b),
        area=world.community_b,
        kind="peoples_mediator",
    )
    return Dispute(case, judge, mediator, other)
