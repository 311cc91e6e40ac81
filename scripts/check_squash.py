"""Check that the squashed migrations build the same database as the migrations they replace.

    .venv/bin/python scripts/check_squash.py [--engine sqlite|postgresql]

Migrates two empty databases, one through the squashed migrations (what `migrate` does on an
empty database) and one through the old ones (the loader told not to use the replacements, to
the old leaf of each app), then compares their schemas (tables with their columns and table
constraints, indexes, foreign keys, triggers, functions) and the number of rows in each table
(the reference data). Prints the differences and exits 1 if there is any. ADR 0074.

PostgreSQL: DATABASE_URL names the server (postgres://postgres@127.0.0.1:5432/postgres); two
scratch databases, squash_check_old and squash_check_new, are dropped and made anew.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def split_top(body: str) -> list[str]:
    """The comma-separated items of a CREATE TABLE body (commas inside brackets or quotes stay)."""
    items, depth, quote, cur = [], 0, "", ""
    for ch in body:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"`":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            items.append(cur.strip())
            cur = ""
            continue
        cur += ch
    items.append(cur.strip())
    return sorted(i for i in items if i)


def norm(sql: str | None) -> str:
    return re.sub(r"\s+", " ", sql or "").strip()


def dump(connection) -> dict:
    out: dict = {"tables": {}, "other": [], "rows": {}}
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name")
            for kind, name, table, sql in cur.fetchall():
                if kind == "table":
                    body = sql[sql.index("(") + 1 : sql.rindex(")")]
                    out["tables"][name] = split_top(body)
                elif not name.startswith("sqlite_autoindex"):
                    out["other"].append([kind, name, table, norm(sql)])
        else:
            cur.execute(
                "SELECT table_name, column_name, data_type, character_maximum_length,"
                " numeric_precision, numeric_scale, is_nullable, is_identity,"
                " regexp_replace(coalesce(column_default, ''), '_seq''', '')"
                " FROM information_schema.columns WHERE table_schema = 'public'"
            )
            for row in cur.fetchall():
                out["tables"].setdefault(row[0], []).append(json.dumps(row[1:], default=str))
            cur.execute(
                "SELECT c.conrelid::regclass::text, c.conname, c.contype,"
                " pg_get_constraintdef(c.oid) FROM pg_constraint c"
                " JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = 'public'"
            )
            for table, name, kind, definition in cur.fetchall():
                out["tables"].setdefault(table, []).append(f"CONSTRAINT {name} {kind} {definition}")
            cur.execute(
                "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"
            )
            out["other"] += [["index", *row] for row in cur.fetchall()]
            cur.execute(
                "SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid) FROM pg_trigger"
                " WHERE NOT tgisinternal"
            )
            out["other"] += [["trigger", *row] for row in cur.fetchall()]
            cur.execute(
                "SELECT p.proname, md5(p.prosrc) FROM pg_proc p"
                " JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'"
            )
            out["other"] += [["function", *row] for row in cur.fetchall()]
            for items in out["tables"].values():
                items.sort()
        out["other"].sort()
        for table in sorted(out["tables"]):
            if table not in ("django_migrations", "sqlite_sequence"):
                cur.execute(f'SELECT count(*) FROM "{table}"')
                out["rows"][table] = cur.fetchone()[0]
    return out


def migrate_and_dump(path: str, out_file: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.db.migrations.loader import MigrationLoader

    executor = MigrationExecutor(connection)
    if path == "old":
        # The graph without the replacements: every app to its newest migration that
        # replaces nothing (the old leaf); the plan then runs the old migrations only.
        executor.loader = MigrationLoader(connection, replace_migrations=False)
        graph = executor.loader.graph
        targets = []
        for app in {key[0] for key in graph.nodes}:
            keys = [k for k in graph.nodes if k[0] == app and not graph.nodes[k].replaces]
            leaves = [
                k
                for k in keys
                if not any(c[0] == app and c in keys for c in graph.node_map[k].children)
            ]
            targets += leaves
    else:
        targets = executor.loader.graph.leaf_nodes()
    plan = executor.migration_plan(targets)
    if path == "old":
        assert not any(m.replaces for m, _ in plan), "the old path ran a squashed migration"
    else:
        replaced = {r for m in executor.loader.disk_migrations.values() for r in m.replaces}
        assert not any((m.app_label, m.name) in replaced for m, _ in plan), (
            "the new path ran a replaced one"
        )
    executor.migrate(targets, plan)
    data = dump(connection)
    data["operations"] = sum(len(m.operations) for m, _ in plan)
    data["migrations"] = len(plan)
    Path(out_file).write_text(json.dumps(data, ensure_ascii=False, indent=1))


def compare(old: dict, new: dict) -> list[str]:
    problems = []
    for table in sorted(set(old["tables"]) | set(new["tables"])):
        a, b = set(old["tables"].get(table, [])), set(new["tables"].get(table, []))
        problems += [f"{table}: only in the old path: {x}" for x in sorted(a - b)]
        problems += [f"{table}: only in the squashed path: {x}" for x in sorted(b - a)]
    a, b = {json.dumps(x) for x in old["other"]}, {json.dumps(x) for x in new["other"]}
    problems += [f"only in the old path: {x}" for x in sorted(a - b)]
    problems += [f"only in the squashed path: {x}" for x in sorted(b - a)]
    for table in sorted(set(old["rows"]) | set(new["rows"])):
        before, after = old["rows"].get(table), new["rows"].get(table)
        if before != after:
            problems.append(f"{table}: rows {before} (old) != {after} (squashed)")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--migrate", choices=["old", "new"])
    parser.add_argument("--out")
    args = parser.parse_args()
    if args.migrate:
        migrate_and_dump(args.migrate, args.out)
        return 0
    work = Path(tempfile.mkdtemp(prefix="squash-check-"))
    results = {}
    for path in ("old", "new"):
        env = dict(os.environ, GONGZHI_DATA_DIR=str(work))
        if args.engine == "sqlite":
            env["DATABASE_URL"] = f"sqlite:///{work / path}.sqlite3"
        else:
            server = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
            name = f"squash_check_{path}"
            for sql in (f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"):
                subprocess.run(["psql", server, "-q", "-c", sql], check=True)
            env["DATABASE_URL"] = server.rsplit("/", 1)[0] + "/" + name
        out = work / f"{path}.json"
        subprocess.run(
            [sys.executable, __file__, "--migrate", path, "--out", str(out)],
            env=env,
            cwd=ROOT,
            check=True,
        )
        results[path] = json.loads(out.read_text())
    old, new = results["old"], results["new"]
    print(
        f"old path: {old['migrations']} migrations, {old['operations']} operations; "
        f"squashed: {new['migrations']} migrations, {new['operations']} operations; "
        f"{len(new['tables'])} tables, {sum(new['rows'].values())} reference rows"
    )
    problems = compare(old, new)
    for line in problems:
        print(line)
    print("same schema and reference data" if not problems else f"{len(problems)} differences")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
