"""The squashed migrations (ADR 0074): what an empty database runs.

The schema they build is compared with the old path's by scripts/check_squash.py (slow: it
migrates two databases); these checks read the migration graph only.
"""

from pathlib import Path

from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import (
    CreateModel,
    DeleteModel,
    RunPython,
    SeparateDatabaseAndState,
)


def fresh_plan():
    loader = MigrationLoader(None, ignore_no_migrations=True)  # nothing applied: squashes used
    graph = loader.graph
    seen, plan = set(), []
    for leaf in graph.leaf_nodes():
        for key in graph.forwards_plan(leaf):
            if key not in seen:
                seen.add(key)
                plan.append(graph.nodes[key])
    return loader, plan


def test_an_empty_database_runs_the_squashed_migrations_only():
    loader, plan = fresh_plan()
    replaced = {key for m in loader.disk_migrations.values() for key in m.replaces}
    assert replaced, "no squashed migration found"
    assert not [f"{m.app_label}.{m.name}" for m in plan if (m.app_label, m.name) in replaced]
    # Every migration that replaces others is in the plan (none left out by a partial squash).
    squashes = {key for key, m in loader.disk_migrations.items() if m.replaces}
    assert squashes <= {(m.app_label, m.name) for m in plan}


def test_no_model_moves_between_apps_on_an_empty_database():
    _, plan = fresh_plan()
    # A model move is a SeparateDatabaseAndState that creates or deletes a model in the state
    # (a state-only AlterField, e.g. a new upload_to, moves nothing).
    moves = [
        f"{m.app_label}.{m.name}"
        for m in plan
        for op in m.operations
        if isinstance(op, SeparateDatabaseAndState)
        and any(isinstance(s, CreateModel | DeleteModel) for s in op.state_operations)
    ]
    assert moves == []


def test_the_reference_data_is_seeded_by_the_squashed_migrations():
    _, plan = fresh_plan()
    seeding = {
        m.app_label for m in plan if m.replaces for op in m.operations if isinstance(op, RunPython)
    }
    assert {"cases", "people", "ecg", "errands"} <= seeding
    # No squashed migration imports an old migration module (they may be deleted one day).
    for m in plan:
        if m.replaces:
            module = __import__(type(m).__module__, fromlist=["_"])
            source = Path(module.__file__).read_text(encoding="utf-8")
            assert "import_module" not in source and "migrations.0" not in source, m.name


def test_an_empty_database_runs_far_fewer_operations():
    _, plan = fresh_plan()
    # 333 operations before the squash (ADR 0074); a guard against a slow creep back.
    assert sum(len(m.operations) for m in plan) <= 230


def test_a_database_half_way_through_the_old_migrations_is_refused():
    from apps.core.squash_guard import half_squashed

    loader = MigrationLoader(None, load=False)
    loader.load_disk()
    disk = loader.disk_migrations
    replaced = {tuple(k) for m in disk.values() for k in m.replaces}
    squashes = {k for k, m in disk.items() if m.replaces}
    assert half_squashed(set(), disk) == []  # empty
    assert half_squashed(replaced, disk) == []  # migrated to the end before the squash
    # Stopped before the volunteers moved out of services (issue 13): refused.
    before_move = replaced - {
        ("volunteers", "0001_initial"),
        ("services", "0003_move_to_volunteers_and_dual_state"),
    }
    assert "volunteers.0001_initial" in half_squashed(before_move, disk)
    # Begun on the squashed path and interrupted: the rest runs.
    one_squash = next(iter(squashes))
    assert half_squashed({one_squash, *disk[one_squash].replaces}, disk) == []
