"""`gongzhi stats verify` finds a planted inconsistency and exits non-zero; `rebuild` mends it."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F

from apps.cases.models import Case
from apps.cases.tests.helpers import make_case
from apps.stats.models import CaseRollup

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("stats", *args, stdout=out)
    return out.getvalue()


class TestStatsCommand:
    def test_it_reports_no_difference_on_cases_made_by_the_actions(self, world):
        make_case(world)
        make_case(world, place=world.household_b, actor=world.user("outsider_b"))
        assert run("verify") == "rollups match the cases\n"

    def test_it_finds_a_planted_counter_and_exits_non_zero(self, world):
        case = make_case(world)
        CaseRollup.objects.update(n=F("n") + 2)
        with pytest.raises(CommandError, match="1 differences"):
            run("verify")
        row = CaseRollup.objects.get()
        with pytest.raises(CommandError):
            out = io.StringIO()
            call_command("stats", "verify", stdout=out)
        assert f"place={row.place_path} day={row.day}" in out.getvalue()
        assert "status=submitted n: expected 1, found 3" in out.getvalue()
        assert case.place.path.startswith(row.place_path)

    def test_it_finds_a_case_changed_behind_the_rollups_back(self, world):
        case = make_case(world)
        Case.objects.filter(pk=case.pk).update(status="cancelled")
        with pytest.raises(CommandError, match="4 differences"):
            run("verify")

    def test_it_rebuilds_what_verify_found(self, world):
        make_case(world)
        CaseRollup.objects.all().delete()
        assert run("rebuild") == "rebuilt 2 rollup rows\n"
        assert run("verify") == "rollups match the cases\n"


class TestSqlRebuild:
    def test_the_sql_rebuild_writes_what_the_python_reference_computes(self, world):
        from apps.core.testing.factories import PersonFactory
        from apps.stats import rollups
        from apps.stats.models import CaseMonthRollup

        from .helpers import scramble

        cases = scramble(world, n=60, seed=5)
        # persons concerned count towards person-times of resolved cases (at least 1 each)
        people = [PersonFactory(place=world.household_a) for _ in range(3)]
        for i, case in enumerate(cases[:30]):
            case.persons.add(*people[: i % 4])
        rollups.rebuild_python()
        want = {t.name: rollups.found(t) for t in rollups.TABLES}
        assert sum(v[8] for v in want["stats_caserollup"].values()) > 0  # person_times
        rollups.rebuild()
        got = {t.name: rollups.found(t) for t in rollups.TABLES}
        assert got == want
        assert CaseMonthRollup.objects.exists()
        assert rollups.verify() == []


class TestSqlVerify:
    def test_the_sql_verify_finds_what_the_python_reference_finds(self, world):
        from apps.stats import rollups
        from apps.stats.models import CaseMonthRollup

        from .helpers import scramble

        scramble(world, n=40, seed=8)
        assert rollups.verify() == rollups.verify_python() == []
        row = CaseRollup.objects.order_by("pk").first()
        CaseRollup.objects.filter(pk=row.pk).update(resolved=F("resolved") + 1)
        CaseMonthRollup.objects.order_by("pk").last().delete()
        CaseRollup.objects.create(
            place_path=row.place_path,
            day=row.day,
            category_id=0,
            source="qr",
            kind="need",
            status="submitted",
            n=5,
        )
        got = rollups.verify()
        assert sorted(map(str, got)) == sorted(map(str, rollups.verify_python()))
        assert len({d.table for d in got}) == 2
        assert any(d.counter == "n" and d.expected == 0 and d.found == 5 for d in got)
