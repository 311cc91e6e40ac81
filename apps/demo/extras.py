"""Demo data contributed by the other apps (meetings, activities, brands …).

An app adds to the demo county by defining, in `apps/<app>/demo.py`:

    DEMO_ORDER = 50          # optional; lower runs first (default 50)

    def populate_demo(county, size, seed, say) -> dict[str, int]:
        ...                  # write through the app's actions or in bulk; return counts

`populate_demo` runs after the places, people, accounts, cases and ECG exams exist, inside a
transaction: the whole load's with `gongzhi demo`; its own on a first `gongzhi serve`, where
each contribution is one step of the background history (apps.demo.stages), so a failure
leaves nothing of that contribution and the next start runs it again. Each app seeds its own
`random.Random(f"{seed}/<app>")` so the same (size, seed) gives the same data.
"""

import importlib
from collections.abc import Callable
from typing import Any

from django.apps import apps

from apps.places.models import Place

Say = Callable[[str], None]


def contributors() -> list[tuple[int, str, Callable[..., dict[str, Any]]]]:
    """The `populate_demo` functions of the installed project apps, in DEMO_ORDER."""
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("apps.") or config.name == "apps.demo":
            continue
        try:
            module = importlib.import_module(f"{config.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise
            continue
        populate = getattr(module, "populate_demo", None)
        if populate is not None:
            found.append((getattr(module, "DEMO_ORDER", 50), config.label, populate))
    return sorted(found, key=lambda item: (item[0], item[1]))


def populate_extras(county: Place, size: str, seed: int, say: Say) -> dict[str, Any]:
    """Run every app's demo contribution; their counts, prefixed with the app label."""
    counts: dict[str, Any] = {}
    for _order, label, populate in contributors():
        for key, value in (populate(county, size, seed, say) or {}).items():
            counts[f"{label}_{key}"] = value
    return counts
