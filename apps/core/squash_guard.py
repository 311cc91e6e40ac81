"""Refuse to migrate a database left part-way through the migrations that are now squashed.

A squashed migration inherits the old ones' place only when all or none of the old migrations
are applied (ADR 0074). A database stopped in between (made by a release before the squash and
never migrated to its end) would mix the old path of some apps with the squashed path of others,
and the models moved between apps would be created twice or not at all. It is refused with a
sentence that says what to do; an empty database, a fully migrated one and one begun on the
squashed path pass.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError

LAST_RELEASE_BEFORE_SQUASH = "3aa68b8"


def half_squashed(applied: set[tuple[str, str]], disk_migrations: dict[Any, Any]) -> list[str]:
    """The replaced migrations still missing, when the database has begun the old path only."""
    squashes = {key for key, migration in disk_migrations.items() if migration.replaces}
    replaced = {tuple(key) for m in disk_migrations.values() for key in m.replaces}
    done = replaced & applied
    if not done or done == replaced or squashes & applied:
        return []
    return sorted(f"{app}.{name}" for app, name in replaced - applied)


def refuse_half_squashed(sender: Any, using: str = "default", **kwargs: Any) -> None:
    if getattr(sender, "name", "") != "apps.core":  # pre_migrate comes once per app
        return
    from django.db import connections
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.recorder import MigrationRecorder

    applied = set(MigrationRecorder(connections[using]).applied_migrations())
    loader = MigrationLoader(None, load=False)
    loader.load_disk()
    missing = half_squashed(applied, loader.disk_migrations)
    if missing:
        raise CommandError(
            f"数据库停在旧迁移的中途（还缺 {len(missing)} 个，如 {missing[0]}），这些迁移已合并"
            f"（ADR 0074）。请先用 {LAST_RELEASE_BEFORE_SQUASH} 或更早的版本执行 migrate 到底，"
            "再升级到本版本。"
        )
