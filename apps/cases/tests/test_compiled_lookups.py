"""The transition's lock and UPDATE compiled once per process (apps.core.compiled): the same
row and related objects as the queryset, one query, and the same refusals as `save`."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from apps.cases.actions import _LOCK_BY, _SAVE_CHANGED, do_transition_within
from apps.cases.choices import Action, Status
from apps.cases.models import Case

from .helpers import make_case

pytestmark = pytest.mark.django_db


def _columns(case: Case) -> dict[str, Any]:
    return {f.attname: getattr(case, f.attname) for f in Case._meta.concrete_fields}


def test_the_compiled_lock_reads_the_case_with_place_unit_and_category_in_one_query(world):
    case = make_case(world)
    plain = Case.objects.select_related("place", "handling_unit", "category").get(pk=case.pk)
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        by_id = _LOCK_BY["pk"].get(case.pk)
        by_token = _LOCK_BY["tracking_token"].get(case.tracking_token)
        related = (by_id.place.name, by_id.handling_unit.name, by_id.category.code)
    assert len(queries) == 2  # the related objects came with the row
    assert _columns(by_id) == _columns(by_token) == _columns(plain)
    assert related == (plain.place.name, plain.handling_unit.name, plain.category.code)
    if connection.features.has_select_for_update:
        assert "FOR UPDATE" in queries[0]["sql"]


def test_no_case_is_a_404_through_the_compiled_lock(world):
    with transaction.atomic(), pytest.raises(Case.DoesNotExist):
        _LOCK_BY["pk"].get(10**9)
    with pytest.raises(Http404):
        do_transition_within(("pk", 10**9), Action.ACCEPT, actor=world.user("community_a"))
    with pytest.raises(Http404):
        do_transition_within(("tracking_token", "no-such-token"), Action.RATE, actor=None)


def test_the_compiled_update_refuses_too_long_text_and_stamps_updated_at(world):
    case = make_case(world)
    before = case.updated_at
    case.rating_comment = "长" * 501
    with pytest.raises(ValidationError) as refused:
        _SAVE_CHANGED.save(case)
    assert "评价意见最多500个字符" in str(refused.value)
    case.rating_comment = "办得快"
    case.status = Status.ACCEPTED
    _SAVE_CHANGED.save(case)
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.rating_comment, fresh.status) == ("办得快", Status.ACCEPTED)
    assert fresh.updated_at == case.updated_at and fresh.updated_at >= before


def test_the_compiled_update_of_a_row_that_is_gone_fails_like_save(world):
    case = make_case(world)
    case.pk = 10**9
    with pytest.raises(DatabaseError, match="did not affect any rows"):
        _SAVE_CHANGED.save(case)


def test_the_compiled_duplicate_pool_reads_the_rows_the_queryset_reads(world):
    """Five values (two paths, two datetimes, an id): the same rows, in the same order and of
    the same types, as the ORM's query; the datetimes found in their adapted form on SQLite
    (text) as on PostgreSQL."""
    import datetime as dt

    from apps.cases.duplicates import _POOL, _pooled
    from apps.places.paths import path_upper

    first = make_case(world, title="小区路灯不亮")
    second = make_case(world, title="小区路灯又坏了", place=world.compound_a)
    make_case(world, title="小区路灯不亮", place=world.household_b, actor=world.user("outsider_b"))
    area = world.community_a
    now = second.created_at
    for since, until, left_out in (
        (now - dt.timedelta(days=1), now + dt.timedelta(days=1), first.pk),
        (now - dt.timedelta(days=1), now + dt.timedelta(days=1), 10**9),
        (now + dt.timedelta(minutes=1), now + dt.timedelta(days=1), 10**9),
    ):
        bounds = (area.path, path_upper(area.path), since, until, left_out)
        plain = [tuple(r) for r in _pooled(Case.objects.all(), *bounds)]
        assert _POOL.rows(*bounds) == plain
    assert {r[0] for r in _POOL.rows(area.path, path_upper(area.path), *bounds[2:4], 0)} == set()
    everything = _POOL.rows(
        area.path, path_upper(area.path), now - dt.timedelta(days=1), now + dt.timedelta(days=1), 0
    )
    assert [r[0] for r in everything] == [second.pk, first.pk]
    assert isinstance(everything[0][5], dt.datetime) and everything[0][5] == second.created_at


def test_the_ancestor_of_a_kind_is_the_one_the_queryset_finds(world):
    from apps.places.choices import PlaceKind

    household = world.household_a
    for kind in (PlaceKind.TOWN, PlaceKind.COMMUNITY, PlaceKind.GRID, PlaceKind.HOUSEHOLD):
        expected = (
            household if household.kind == kind else household.ancestors().filter(kind=kind).first()
        )
        assert household.ancestor_of_kind(kind) == expected
    assert world.county.ancestor_of_kind(PlaceKind.COMMUNITY) is None
    assert household.ancestor_of_kind(PlaceKind.HOSPITAL) is None


def test_an_id_beyond_64_bits_finds_nothing_through_a_compiled_query(world):
    with transaction.atomic(), pytest.raises(Case.DoesNotExist):
        _LOCK_BY["pk"].get(2**70)
    from apps.cases.actions import _user_in
    from apps.cases.errors import InvalidTransitionData

    with pytest.raises(InvalidTransitionData, match="承办人不存在"):
        _user_in(str(2**70), "承办人")
    assert _user_in(str(world.user("grid_worker_a").pk), "承办人") == world.user("grid_worker_a")
