"""The materialised path of the place tree: fixed-width digit segments, one per level.

Pure functions on strings (no query, no model), so both the models and the scope rule
(`places.scope`) build on them.
"""

SEGMENT = 10  # digits per level of the materialised path: ids below 10^10


def path_segment(pk: int) -> str:
    return f"{pk:0{SEGMENT}d}"


def path_upper(path: str) -> str:
    """The smallest digit string of the same length above every path that starts with `path`.

    Paths are digits only and fixed-width per level, so "everything under X" is the indexed
    range [X.path, path_upper(X.path)) under any collation: one B-tree range scan on SQLite and
    PostgreSQL alike, with no LIKE and no operator class.
    """
    return str(int(path) + 1).zfill(len(path))


def ancestor_paths(path: str, include_self: bool = False) -> list[str]:
    """The paths of the places above `path`, from the root down (and `path` itself when
    `include_self`): every whole-segment prefix."""
    end = len(path) + 1 if include_self else len(path)
    return [path[:i] for i in range(SEGMENT, end, SEGMENT)]
