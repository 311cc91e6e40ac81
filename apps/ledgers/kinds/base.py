"""What every ledger kind shares: the parsed row, the check context with its look-ups, and
a fast multi-row INSERT."""

from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models
from django.db.models import Max
from django.utils import timezone

from apps.accounts.models import User
from apps.places.choices import CODE_SUFFIX_DIGITS, PlaceKind
from apps.places.models import Place

from ..cells import CellError
from ..errors import ErrorLog, RowError
from ..readers import Layout
from ..specs import LedgerSpec

OUT_OF_SCOPE = "地点不在您的管辖范围内"


class LedgerAbort(RuntimeError):
    """A problem found only while writing (e.g. numbering exhausted): the import rolls back."""


@dataclass
class Row:
    """One data row: its Excel row number, the parsed values, and whether it is still clean."""

    number: int
    data: dict[str, Any]
    ok: bool = True


@dataclass(frozen=True)
class PlaceRef:
    id: int
    path: str
    kind: str
    code: str


@dataclass
class Context:
    """State of one pass over a file: who imports into which scope, errors so far, and the
    keys already seen in the file (for duplicates within the file)."""

    spec: LedgerSpec
    layout: Layout
    scope_path: str = ""
    prepare: bool = False
    errors: ErrorLog = field(default_factory=ErrorLog)
    seen: dict[Any, int] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=dict)
    # The account importing (None: the system, from the command line); registered kinds check
    # their own capabilities per row with it (e.g. keeping the books of this village).
    actor: User | None = None

    def error(self, row: Row, field_name: str, message: str) -> None:
        row.ok = False
        if field_name in self.layout.positions:
            letter, header = self.layout.cell_name(field_name)
        else:
            letter, header = "", self.spec.column(field_name).header
        self.errors.add(RowError(row.number, letter, header, message))

    def in_scope(self, path: str) -> bool:
        return path.startswith(self.scope_path)

    def first_seen(self, key: Any, row: Row) -> int | None:
        """The row where `key` appeared before in this file, or None (and remember it)."""
        earlier = self.seen.get(key)
        if earlier is None:
            self.seen[key] = row.number
        return earlier


def parse_rows(
    spec: LedgerSpec, layout: Layout, numbered: Iterable[tuple[int, Sequence[Any]]], ctx: Context
) -> Iterator[Row]:
    """Turn raw rows into Rows, reporting empty required cells and unreadable values."""
    columns = [(c, layout.positions[c.field]) for c in spec.columns if c.field in layout.positions]
    for number, values in numbered:
        row = Row(number, {})
        for column, index in columns:
            raw = values[index] if index < len(values) else None
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                if column.required:
                    ctx.error(row, column.field, f"{column.header}不能为空")
                continue
            try:
                row.data[column.field] = column.parse(raw)
            except CellError as exc:
                ctx.error(row, column.field, str(exc))
        yield row


def places_by_code(codes: Iterable[str]) -> dict[str, PlaceRef]:
    wanted = {c for c in codes if c}
    if not wanted:
        return {}
    rows = Place.objects.filter(code__in=wanted).values_list("id", "path", "kind", "code")
    return {r[3]: PlaceRef(*r) for r in rows}


KIND_LABELS = dict(PlaceKind.choices)


def resolve_place(
    ctx: Context,
    row: Row,
    field_name: str,
    places: dict[str, PlaceRef],
    kinds: Collection[str] | None = None,
) -> PlaceRef | None:
    """The place a code cell names, checked for existence, kind and the importer's scope."""
    code = row.data.get(field_name)
    if not code:
        return None
    place = places.get(code)
    if place is None:
        ctx.error(row, field_name, f"未找到编码为{code}的地点")
        return None
    if not ctx.in_scope(place.path):  # first: the kind of a place outside is not ours to tell
        ctx.error(row, field_name, OUT_OF_SCOPE)
        return None
    if kinds and place.kind not in kinds:
        wanted = "、".join(KIND_LABELS[k] for k in sorted(kinds))
        ctx.error(row, field_name, f"编码{code}是{KIND_LABELS[place.kind]}，这里应为{wanted}")
        return None
    return place


def is_blank(values: Sequence[Any]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


class FastInsert:
    """INSERT many rows of one model with executemany, skipping model instances.

    Profiling showed Django's per-object work in bulk_create dominating large imports, so the
    hot ledgers write tuples directly. Every concrete column the caller does not give gets the
    field's default, prepared once, so a field added later with a default keeps working.
    """

    def __init__(self, model: type[models.Model], fields: Sequence[str]) -> None:
        meta = model._meta
        now = timezone.now()
        given = list(fields)
        stamped = [f for f in ("created_at", "updated_at") if f not in given and _has(meta, f)]
        self.constant_names: list[str] = []
        self.constants: list[Any] = []
        for f in meta.concrete_fields:
            if f.name in given or (f.primary_key and "id" in given):
                continue
            if f.name in stamped:
                value = f.get_db_prep_save(now, connection)
            elif f.has_default() or f.null or f.empty_strings_allowed:
                value = f.get_db_prep_save(f.get_default(), connection)
            elif f.primary_key:
                continue
            else:
                raise ValueError(f"{meta.label}.{f.name} has no default for a fast insert")
            self.constant_names.append(f.name)
            self.constants.append(value)
        self.fields = [meta.get_field(f) for f in given]
        names = [str(f.column) for f in self.fields] + [
            str(meta.get_field(n).column) for n in self.constant_names
        ]
        quote = connection.ops.quote_name
        self.sql = "INSERT INTO {} ({}) VALUES ({})".format(
            quote(meta.db_table), ", ".join(quote(n) for n in names), ", ".join(["%s"] * len(names))
        )
        self.prep = [f.get_db_prep_save for f in self.fields]

    def run(self, rows: Iterable[Sequence[Any]], *, prepared: bool = False) -> int:
        """Insert `rows` (values in the order of `fields`); `prepared` skips per-value prep."""
        tail = tuple(self.constants)
        if prepared:
            params = [(*r, *tail) for r in rows]
        else:
            params = [
                (*(p(v, connection) for p, v in zip(self.prep, r, strict=True)), *tail)
                for r in rows
            ]
        if params:
            with connection.cursor() as cur:
                cur.executemany(self.sql, params)
        return len(params)


def _has(meta: Any, name: str) -> bool:
    try:
        meta.get_field(name)
    except Exception:
        return False
    return True


def note_code(ctx: Context, parent: PlaceRef, kind: str, code: str) -> None:
    """Remember a code given in the file, so automatic numbering continues after it."""
    highest = ctx.cache.setdefault("highest", {})
    key = (kind, parent.id)
    highest[key] = max(highest.get(key, 0), int(code[-CODE_SUFFIX_DIGITS[kind] :]))


def next_code(ctx: Context, parent: PlaceRef, kind: str) -> str:
    """The next free code of `kind` under `parent`: after the database's and the file's."""
    digits = CODE_SUFFIX_DIGITS[kind]
    highest = ctx.cache.setdefault("highest", {})
    key = (kind, parent.id)
    loaded = ctx.cache.setdefault("highest_loaded", set())
    if key not in loaded:
        top = Place.objects.filter(parent_id=parent.id, kind=kind).aggregate(m=Max("code"))["m"]
        loaded.add(key)
        highest[key] = max(highest.get(key, 0), int(top[-digits:]) if top else 0)
    number = highest.get(key, 0) + 1
    if number >= 10**digits:
        raise LedgerAbort(f"上级{parent.code}下的{KIND_LABELS[kind]}编号已用完")
    highest[key] = number
    return f"{parent.code}{number:0{digits}d}"
