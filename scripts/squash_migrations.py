"""The tool the migrations were squashed with (ADR 0074); a record to adapt for the next squash.

    .venv/bin/python scripts/squash_migrations.py            # writes apps/*/migrations/*_squashed_*
    .venv/bin/python scripts/check_squash.py --engine sqlite  # then compare, and on postgresql

1. Copies the checkout (`git archive HEAD`) to a scratch folder, empties every app's migrations
   folder there and runs `makemigrations`: the models as they stand, in parts that Django
   splits where apps point at each other.
2. For each app not in KEEP, builds the squashed migrations: the old migrations are cut as SPLIT
   says (a squashed migration inherits all the dependencies of those it replaces, so a range
   must not span a move between apps), each part gets the fresh parts CONTENT names, then
   `fold` (later fields into their CreateModel when no cycle forbids it, indexes and constraints
   into the CreateModel's options), `replaces` = its range, dependencies mapped to the new names.
3. Copies the seed data functions of SEEDS into the squashed modules (no import from an old
   migration module) and appends their RunPython.

It must run before any app of SPLIT changes its old migrations' list; with other apps or a later
squash, SPLIT, KEEP and SEEDS are to be worked out again (cycles show in `migrate --plan`).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
KEEP = {"forestry", "outbox", "collective", "projects"}  # others were changing them that day
# app: (how many old migrations go into the first part, fresh parts of each of the two parts)
SPLIT: dict[str, tuple[int, list[list[int]]]] = {
    "accounts": (1, [[0], [1]]),
    "orgs": (1, [[0], [1]]),
    "services": (2, [[], []]),
    "people": (3, [[0], []]),
    "cases": (6, [[0, 1], []]),
    "stats": (1, [[], []]),
}
# (app, old module whose functions and constants are copied, the RunPython to append);
# into the app's first squashed migration that has operations
SEEDS = [
    ("cases", "0002_default_catalogue", "migrations.RunPython(seed, migrations.RunPython.noop)"),
    ("ecg", "0002_seed_terms", "migrations.RunPython(seed, migrations.RunPython.noop)"),
    ("errands", "0002_default_templates", "migrations.RunPython(seed, unseed)"),
    ("people", "0002_reference_lists", "migrations.RunPython(seed, migrations.RunPython.noop)"),
]
# Carried by hand into cases' first squashed migration after a re-run: 0003's seed_skills and
# DEFAULT_CATEGORY_SKILLS (it updates the categories 0002 seeded, so a new database needs it
# too; defined after its `class Migration`, which add_seeds does not copy). The categories'
# skills are checked by apps/cases/tests/test_dispatch_suggestions.py.


EMPTY = (
    "    # Nothing to run on a new database: the models these migrations moved to another app"
    " are\n    # created there with the same tables (ADR 0074); this stands for the old ones.\n"
    "    operations = []\n"
)


def old_names(app: str) -> list[str]:
    folder = ROOT / "apps" / app / "migrations"
    return sorted(p.stem for p in folder.glob("0*.py") if "_squashed_" not in p.stem)


def refs(thing: Any) -> str:
    return repr(thing.deconstruct())


def fold(ops: list[Any], app: str) -> list[Any]:
    from django.db.migrations.operations import AddConstraint, AddField, AddIndex, CreateModel

    creates = [o for o in ops if isinstance(o, CreateModel)]
    names = [c.name_lower for c in creates]
    need = {
        c.name_lower: {n for n in names if n != c.name_lower and c.references_model(n, app)}
        for c in creates
    }

    def reaches(a: str, b: str) -> bool:
        stack, seen = [a], set()
        while stack:
            x = stack.pop()
            if x == b:
                return True
            if x not in seen:
                seen.add(x)
                stack += need[x]
        return False

    extra: dict[str, list[Any]] = {}
    drop = set()
    for i, o in enumerate(ops):
        if isinstance(o, AddField) and o.model_name_lower in need:
            m = o.model_name_lower
            targets = {n for n in names if n != m and o.references_model(n, app)}
            if not any(reaches(t, m) for t in targets):  # a cycle keeps its AddField
                need[m] |= targets
                extra.setdefault(m, []).append((o.name, o.field))
                drop.add(i)
    ordered, done, rest = [], set(), list(creates)
    while rest:
        c = next(c for c in rest if need[c.name_lower] <= done)
        fields = [*c.fields, *extra.get(c.name_lower, [])]
        ordered.append(CreateModel(c.name, fields, c.options, c.bases, c.managers))
        done.add(c.name_lower)
        rest.remove(c)
    ops = ordered + [
        o for i, o in enumerate(ops) if i not in drop and not isinstance(o, CreateModel)
    ]
    created = {o.name_lower: o for o in ops if isinstance(o, CreateModel)}
    added: dict[str, list[str]] = {}
    for o in ops:
        if isinstance(o, AddField):
            added.setdefault(o.model_name_lower, []).append(o.name)
    out = []
    for o in ops:
        if isinstance(o, (AddIndex, AddConstraint)) and o.model_name_lower in created:
            thing = o.index if isinstance(o, AddIndex) else o.constraint
            if not any(f in refs(thing) for f in added.get(o.model_name_lower, [])):
                key = "indexes" if isinstance(o, AddIndex) else "constraints"
                options = created[o.model_name_lower].options
                options[key] = [*options.get(key, []), thing]
                continue
        out.append(o)
    return out


def build(scratch: Path) -> None:
    """Runs in the scratch copy (its fresh migrations are what the loader finds)."""
    sys.path.insert(0, str(scratch))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import migrations
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.writer import MigrationWriter

    apps = sorted(p.parent.parent.name for p in (ROOT / "apps").glob("*/migrations/__init__.py"))
    old = {a: old_names(a) for a in apps if a not in KEEP and old_names(a)}
    fresh: dict[str, list[Any]] = {}
    for (app, _), m in sorted(
        MigrationLoader(None, ignore_no_migrations=True).disk_migrations.items()
    ):
        if app in old:
            fresh.setdefault(app, []).append(m)

    def dep_key(d: Any) -> tuple[str, str]:
        return ("__setting__", d.setting) if getattr(d, "setting", None) else tuple(d)

    plan: dict[str, list[dict[str, Any]]] = {}
    for app, olds in old.items():
        parts = fresh.get(app, [])
        if app in SPLIT:
            cut, content = SPLIT[app]
            ranges = [olds[:cut], olds[cut:]]
        else:
            ranges, content = [olds], [list(range(len(parts)))]
        plan[app] = []
        for i, (rng, idxs) in enumerate(zip(ranges, content, strict=True)):
            ops: list[Any] = []
            deps: list[tuple[str, str]] = []
            for j in idxs:
                ops += parts[j].operations
                deps += [dep_key(d) for d in parts[j].dependencies if d[0] != app]
            plan[app].append(
                {
                    "gen": [parts[j].name for j in idxs],
                    "ops": ops,
                    "deps": deps,
                    "replaces": rng,
                    "name": f"{i + 1:04d}_squashed_{rng[-1]}",
                }
            )

    def resolve(dep: tuple[str, str]) -> tuple[str, str]:
        if dep[0] == "__setting__":
            return ("accounts", plan["accounts"][0]["name"])
        app, name = dep
        if app not in plan:
            return dep
        for part in plan[app]:
            if name in part["gen"] or (name == "__first__" and part is plan[app][0]):
                return (app, part["name"])
        raise KeyError(dep)

    for app, parts in plan.items():
        for i, part in enumerate(parts):
            deps = [(app, parts[i - 1]["name"])] if i else []
            for d in map(resolve, part["deps"]):
                if d not in deps and d[0] != app:
                    deps.append(d)
            m = migrations.Migration(part["name"], app)
            m.operations = fold(list(part["ops"]), app)
            m.dependencies = deps
            m.replaces = [(app, n) for n in part["replaces"]]
            m.initial = True
            path = ROOT / "apps" / app / "migrations" / f"{part['name']}.py"
            text = MigrationWriter(m).as_string()
            text = re.sub(r"    operations = \[\s*\]\n", lambda _: EMPTY, text)
            path.write_text(text, encoding="utf-8")
            print(app, part["name"], dict(Counter(type(o).__name__ for o in m.operations)))


def add_seeds() -> None:
    for app, old, op in SEEDS:
        folder = ROOT / "apps" / app / "migrations"
        src = (folder / f"{old}.py").read_text(encoding="utf-8")
        body = src[: src.index("class Migration")]
        body = "\n".join(
            line
            for line in body.splitlines()
            if not line.startswith(("from django.db import migrations", "import "))
        ).strip("\n")
        body = (
            f"# Reference data a new database needs, copied from {old}.py (which this\n"
            "# migration replaces): a squashed migration imports nothing from the old modules.\n"
            + body
        )
        target = next(
            p
            for p in sorted(folder.glob("0*_squashed_*.py"))
            if "operations = [\n" in p.read_text()
        )
        text = target.read_text(encoding="utf-8")
        i = text.index("class Migration")
        text = text[:i] + body + "\n\n\n" + text[i:]
        text = text[: -len("    ]\n")] + f"        {op},\n    ]\n"
        target.write_text(text, encoding="utf-8")


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--build":
        build(Path(sys.argv[2]))
        return 0
    scratch = Path(tempfile.mkdtemp(prefix="squash-"))
    archive = subprocess.run(["git", "archive", "HEAD"], cwd=ROOT, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(scratch)], input=archive.stdout, check=True)
    for p in scratch.glob("apps/*/migrations/0*.py"):
        p.unlink()
    env = dict(
        os.environ, DATABASE_URL=f"sqlite:///{scratch}/x.sqlite3", GONGZHI_DATA_DIR=str(scratch)
    )
    subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "-v0"], cwd=scratch, env=env, check=True
    )
    for p in ROOT.glob("apps/*/migrations/0*_squashed_*.py"):
        p.unlink()
    subprocess.run(
        [sys.executable, __file__, "--build", str(scratch)], cwd=scratch, env=env, check=True
    )
    add_seeds()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "format",
            "-q",
            *map(str, ROOT.glob("apps/*/migrations/*_squashed_*.py")),
        ]
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
