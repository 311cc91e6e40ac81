"""Resident place-search benchmark: what a resident types in the report form's place picker,
and the phone's position, timed on a demo county (the `county` size: ~45,000 households).

    .venv/bin/python bench/place_search_bench.py [--size county] [--database-url URL]

Uses the database named by --database-url (or DATABASE_URL) when it already holds a demo
county; otherwise creates a SQLite file under the system's temporary folder, migrates it and
loads the demo county of --size (a few minutes for `county`). Each query runs once to warm
the caches, then REPEAT times; the median is reported, county-wide (no community chosen) and
inside the community of the first 康乐雅苑 (the placeholder's example).

Last line:

    RESULT places=… county_median_ms=… county_max_ms=… community_median_ms=…
           community_max_ms=… locate_median_ms=…
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPEAT = 7
QUERIES = [
    "康乐雅苑 6栋",
    "6栋 康乐雅苑",
    "康乐雅苑6栋2单元",
    "康乐雅苑 1栋 2单元 201室",
    "康乐",
    "潋江大道",
    "便民服务站",
    "大屋组 12号",
]
COMMUNITY_QUERIES = ["1栋", "201", "2单元 201室", *QUERIES]


def setup(database_url: str, size: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["GONGZHI_TASKS"] = "immediate"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from apps.places.models import Place

    try:
        loaded = Place.objects.exists()
    except Exception:  # an empty file: no tables yet
        loaded = False
    if not loaded:
        env = {**os.environ, "DATABASE_URL": database_url}
        for args in (["migrate", "-v0"], ["demo", "--size", size]):
            subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def timed(call) -> float:  # type: ignore[no-untyped-def]
    call()
    runs = []
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        call()
        runs.append((time.perf_counter() - t0) * 1000)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="county")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{Path(tempfile.gettempdir()) / 'place_search.sqlite3'}"
    setup(url, args.size)

    from apps.places.choices import PlaceKind
    from apps.places.models import Place
    from apps.portal.selectors import locate_point, place_search

    places = Place.objects.count()
    households = Place.objects.filter(kind=PlaceKind.HOUSEHOLD).count()
    compound = Place.objects.filter(kind=PlaceKind.COMPOUND, name="康乐雅苑").order_by("path")[0]
    community = compound.ancestors().get(kind=PlaceKind.COMMUNITY)
    print(f"{url.split('://')[0]}: {places} places, {households} households; {community.name}")
    county_ms, community_ms = [], []
    for q in QUERIES:
        ms = timed(lambda q=q: place_search(None, q))
        county_ms.append(ms)
        print(f"county    {q!r:32} {len(place_search(None, q)):3} hits {ms:7.1f} ms")
    for q in COMMUNITY_QUERIES:
        ms = timed(lambda q=q: place_search(community.pk, q))
        community_ms.append(ms)
        print(f"community {q!r:32} {len(place_search(community.pk, q)):3} hits {ms:7.1f} ms")
    lat, lng = compound.lat + 0.0003, compound.lng + 0.0002
    locate_ms = timed(lambda: locate_point(lat, lng))
    located = locate_point(lat, lng)
    print(f"locate    {[a.name for a in located.areas]} nearest {located.compounds[:1]}")
    print(
        f"RESULT places={places} county_median_ms={statistics.median(county_ms):.1f} "
        f"county_max_ms={max(county_ms):.1f} "
        f"community_median_ms={statistics.median(community_ms):.1f} "
        f"community_max_ms={max(community_ms):.1f} locate_median_ms={locate_ms:.1f}"
    )


if __name__ == "__main__":
    main()
