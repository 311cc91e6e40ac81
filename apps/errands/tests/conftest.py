import pytest

from apps.cases.choices import CaseKind, Level
from apps.cases.models import Category
from apps.cases.tests.helpers import make_case, walk
from apps.core.testing.factories import PersonFactory


@pytest.fixture
def errand(world):
    """A 医保缴费 errand for a resident of household A, dispatched to the grid worker of A
    (whose account stands for a person) and claimed."""
    category = Category.objects.get(code="insurance-payment")
    category.default_level = Level.COMMUNITY
    category.save()
    resident = PersonFactory(name="钟奶奶", place=world.household_a)
    helper = PersonFactory(name="刘网格", place=world.grid_a)
    worker = world.user("grid_worker_a")
    worker.person = helper
    worker.save()
    case = make_case(
        world, category=category, kind=CaseKind.ERRAND, title="代缴城乡居民医保", reporter=resident
    )
    return walk(
        case,
        world,
        ("accept", "community_a", None),
        ("dispatch", "community_a", {"assignee": worker.pk}),
        ("claim", "grid_worker_a", None),
    )
