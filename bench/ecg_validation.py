"""Validation of the ECG screening on real, labelled recordings (the development sets).

    .venv/bin/python bench/ecg_validation.py [--size tiny|default] [--data DIR]

1. alarms2015/: 108 ICU ventricular-tachycardia alarms (PhysioNet/CinC Challenge 2015), true
   or false. The whole record is screened; an alarm counts as flagged when a vt or vf flag
   overlaps the 15 s before the alarm onset (300 s), as the Challenge judges it.
2. cinc2017/: 150 single-lead strips (CinC Challenge 2017), labelled N/A/O/~. Per label: how
   many got the AF warning, how many got any critical flag.
3. MIT-BIH record 100: detected beats against the reference annotations (150 ms tolerance).

Prints a table per rhythm and, last, one line:

    RESULT vt_se=… vt_false=… af_se=… af_on_normal=… critical_on_normal=… qrs_ppv=… qrs_se=…

`--size tiny` takes every fourth record of each set (a quick check, not the figures to quote).
`--threshold key=value` (repeatable) screens with an ECG centre's override of a default
threshold (`apps/ecg/screening/thresholds.py`), e.g. `--threshold wct_min_bpm=60` to see what
flagging wide rhythms from 60/min as VT would do.
A file that cannot be read counts as not flagged and is listed.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "ecg"
BEAT_SYMBOLS = set("NLRBAaJSVrFejnE/fQ?")
ALARM_S = 300.0
ALARM_LOOKBACK_S = 15.0
AF_CODES = {"af", "warn_af"}


def labels(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


THRESHOLDS: dict[str, float] = {}


def screen_file(path: Path) -> tuple[dict | None, str]:
    from apps.ecg.readers import EcgReadError, read_path
    from apps.ecg.screening import screen

    try:
        sig = read_path(path)
    except EcgReadError as exc:
        return None, str(exc)
    return screen(sig, THRESHOLDS), ""


def pct(n: int, d: int) -> str:
    return f"{100.0 * n / d:5.1f} % ({n}/{d})" if d else "   — (0/0)"


def alarms(data: Path, step: int, errors: list[str]) -> tuple[int, int, int, int]:
    rows = labels(data / "alarms2015" / "labels.csv")[::step]
    true_hit = true_n = false_hit = false_n = 0
    lo, hi = ALARM_S - ALARM_LOOKBACK_S, ALARM_S
    for row in rows:
        result, error = screen_file(data / "alarms2015" / f"{row['record']}.hea")
        if error:
            errors.append(f"{row['record']}: {error}")
        flagged = bool(result) and any(
            f["code"] in ("vt", "vf") and f["start_s"] <= hi and f["end_s"] >= lo
            for f in result["flags"]  # type: ignore[index]
        )
        if row["true_alarm"] == "1":
            true_n += 1
            true_hit += flagged
        else:
            false_n += 1
            false_hit += flagged
    return true_hit, true_n, false_hit, false_n


def strips(data: Path, step: int, errors: list[str]) -> dict[str, dict[str, int]]:
    rows = labels(data / "cinc2017" / "labels.csv")[::step]
    table: dict[str, dict[str, int]] = {}
    for row in rows:
        result, error = screen_file(data / "cinc2017" / f"{row['record']}.hea")
        if error:
            errors.append(f"{row['record']}: {error}")
        counts = table.setdefault(row["label"], {"n": 0, "af": 0, "critical": 0, "vf": 0})
        counts["n"] += 1
        if result:
            codes = {f["code"] for f in result["flags"]}
            counts["af"] += bool(codes & AF_CODES)
            counts["critical"] += bool(result["critical"])
            counts["vf"] += "vf" in codes
    return table


def match(reference: np.ndarray, detected: np.ndarray, tolerance: int) -> int:
    hits = 0
    used = np.zeros(detected.size, dtype=bool)
    for r in reference:
        k = int(np.searchsorted(detected, r))
        for c in (k - 1, k):
            if 0 <= c < detected.size and not used[c] and abs(int(detected[c]) - r) <= tolerance:
                used[c] = True
                hits += 1
                break
    return hits


def record_100(data: Path) -> tuple[float, float, int]:
    import wfdb

    from apps.ecg.readers import read_path
    from apps.ecg.screening import screen

    sig = read_path(data / "100.hea")
    result = screen(sig, THRESHOLDS)
    detected = np.asarray(result["beats"], dtype=np.int64)
    ann = wfdb.rdann(str(data / "100"), "atr")
    reference = np.array(
        [s for s, sym in zip(ann.sample, ann.symbol, strict=True) if sym in BEAT_SYMBOLS]
    )
    hits = match(reference, detected, int(0.15 * sig.fs))
    vf = sum(f["code"] == "vf" for f in result["flags"])
    return hits / max(1, detected.size), hits / max(1, reference.size), vf


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=["tiny", "default"], default="default")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--threshold", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args()
    from apps.ecg.screening.thresholds import threshold_errors

    for item in args.threshold:
        key, _, value = item.partition("=")
        errors = threshold_errors({key: value})
        if errors:
            parser.error("; ".join(errors.values()))
        THRESHOLDS[key] = float(value)
    import django

    django.setup()
    step = 4 if args.size == "tiny" else 1
    errors: list[str] = []
    started = time.perf_counter()
    t_hit, t_n, f_hit, f_n = alarms(args.data, step, errors)
    table = strips(args.data, step, errors)
    ppv, se, vf_100 = record_100(args.data)
    elapsed = time.perf_counter() - started

    print("VT alarms (CinC 2015), vt/vf flag within 15 s before the alarm")
    print(f"  true alarms flagged (sensitivity) : {pct(t_hit, t_n)}")
    print(f"  false alarms flagged              : {pct(f_hit, f_n)}")
    print("Single-lead strips (CinC 2017)")
    print(f"  {'label':<18}{'AF warning':<22}{'critical flag':<22}{'vf flag':<22}")
    names = {"N": "N normal", "A": "A atrial fib.", "O": "O other rhythm", "~": "~ noisy"}
    for key in ("N", "A", "O", "~"):
        c = table.get(key)
        if c:
            print(
                f"  {names[key]:<18}{pct(c['af'], c['n']):<22}"
                f"{pct(c['critical'], c['n']):<22}{pct(c['vf'], c['n']):<22}"
            )
    print(
        f"MIT-BIH 100: QRS PPV {100 * ppv:.2f} %, Se {100 * se:.2f} % (150 ms); vf flags {vf_100}"
    )
    print(f"Unreadable files: {len(errors)}")
    for line in errors:
        print(f"  {line}")
    print(f"({elapsed:.1f} s)")
    normal = table.get("N", {"n": 0, "af": 0, "critical": 0})
    af = table.get("A", {"n": 0, "af": 0})

    def ratio(n: int, d: int) -> str:
        return f"{n / d:.3f}" if d else "nan"

    print(
        f"RESULT vt_se={ratio(t_hit, t_n)} vt_false={ratio(f_hit, f_n)} "
        f"af_se={ratio(af['af'], af['n'])} af_on_normal={ratio(normal['af'], normal['n'])} "
        f"critical_on_normal={ratio(normal['critical'], normal['n'])} "
        f"qrs_ppv={ppv:.4f} qrs_se={se:.4f}"
    )


if __name__ == "__main__":
    main()
