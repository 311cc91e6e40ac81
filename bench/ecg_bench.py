"""Tele-ECG benchmark: screening speed, QRS accuracy, comparison with neurokit2, and the
latency from upload to flag through the task system.

    .venv/bin/python bench/ecg_bench.py [--runs 50] [--uploads 10]

1. Screening of a 10 s 12-lead 500 Hz ECG (synthetic, several rhythms): median over --runs.
2. Screening of MIT-BIH record 100 (30 min, 2 leads, 360 Hz).
3. neurokit2 `ecg_process` on the same signals (every lead of the 10 s ECG; lead II of
   record 100), in the same run, and its QRS accuracy on record 100.
4. QRS sensitivity and positive predictivity on record 100 against its annotations (150 ms).
5. Upload → flag: an HTTP upload through the Django test client with the in-process task
   backend ("inline", the embedded default) on a fresh SQLite database, timed until the
   screening has written its flags; median over --uploads after one warm-up upload.

Last line:

    RESULT screen_10s_ms=… ratio_to_neurokit=… qrs_se=… qrs_ppv=… upload_to_flag_ms=…
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = Path("/work/shared/data/ecg")
BEAT_SYMBOLS = set("NLRBAaJSVrFejnE/fQ?")


def django_setup(data_dir: str) -> None:
    os.environ["GONGZHI_DATA_DIR"] = data_dir
    os.environ["DATABASE_URL"] = f"sqlite:///{data_dir}/bench.sqlite3"
    os.environ["GONGZHI_TASKS"] = "inline"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def median_ms(func, runs: int) -> float:  # type: ignore[no-untyped-def]
    func()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def match(reference: np.ndarray, detected: np.ndarray, tolerance: int) -> int:
    used = np.zeros(detected.size, dtype=bool)
    hits = 0
    for r in reference.tolist():
        k = int(np.searchsorted(detected, r))
        near = [
            (abs(int(detected[c]) - r), c)
            for c in (k - 1, k)
            if 0 <= c < detected.size and not used[c] and abs(int(detected[c]) - r) <= tolerance
        ]
        if near:
            used[min(near)[1]] = True
            hits += 1
    return hits


def screening(runs: int) -> dict[str, float]:
    from apps.ecg import synth
    from apps.ecg.screening import analyse

    out = {}
    for rhythm, options in (
        ("sinus", {"rate": 72}),
        ("af", {"rate": 110}),
        ("stemi", {}),
        ("vt", {"rate": 180}),
        ("vf", {}),
    ):
        sig = synth.generate(rhythm, seed=1, **options)
        out[rhythm] = median_ms(lambda sig=sig: analyse(sig), runs)
        print(f"screen 10 s 12-lead 500 Hz {rhythm:6}: {out[rhythm]:7.2f} ms (median of {runs})")
    return out


def neurokit_10s(runs: int) -> float:
    import neurokit2 as nk

    from apps.ecg import synth

    sig = synth.generate("sinus", rate=72, seed=1)

    def run() -> None:
        for lead in sig.data:
            nk.ecg_process(lead.astype(np.float64), sampling_rate=int(sig.fs))

    ms = median_ms(run, max(3, runs // 5))
    print(f"neurokit2 ecg_process, same 10 s 12-lead: {ms:7.2f} ms (median of {max(3, runs // 5)})")
    return ms


def record_100() -> tuple[float, float, float]:
    import wfdb

    from apps.ecg.readers import read_path
    from apps.ecg.screening import analyse

    sig = read_path(DATA / "100.hea")
    ann = wfdb.rdann(str(DATA / "100"), "atr")
    reference = np.array(
        [s for s, sym in zip(ann.sample, ann.symbol, strict=True) if sym in BEAT_SYMBOLS]
    )
    start = time.perf_counter()
    result = analyse(sig)
    ms = (time.perf_counter() - start) * 1000
    hits = match(reference, result.beats, int(0.15 * sig.fs))
    se, ppv = hits / reference.size, hits / result.beats.size
    print(
        f"record 100 (30 min, 2 leads): screening {ms:.0f} ms; {reference.size} reference "
        f"beats, {result.beats.size} detected, {hits} matched: Se {se:.4%}, PPV {ppv:.4%}"
    )
    return ms, se, ppv


def neurokit_100() -> float:
    import neurokit2 as nk
    import wfdb

    from apps.ecg.readers import read_path

    sig = read_path(DATA / "100.hea")
    ann = wfdb.rdann(str(DATA / "100"), "atr")
    reference = np.array(
        [s for s, sym in zip(ann.sample, ann.symbol, strict=True) if sym in BEAT_SYMBOLS]
    )
    start = time.perf_counter()
    _, info = nk.ecg_process(sig.data[0].astype(np.float64), sampling_rate=int(sig.fs))
    ms = (time.perf_counter() - start) * 1000
    peaks = np.asarray(info["ECG_R_Peaks"])
    hits = match(reference, peaks, int(0.15 * sig.fs))
    print(
        f"neurokit2 ecg_process on record 100 lead II: {ms:.0f} ms; Se "
        f"{hits / reference.size:.4%}, PPV {hits / peaks.size:.4%}"
    )
    return ms


def upload_to_flag(uploads: int) -> float:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.test import Client

    from apps.accounts.choices import Role
    from apps.core.testing.factories import make_place, make_user
    from apps.ecg import synth
    from apps.ecg.models import Exam
    from apps.ecg.writers import to_csv
    from apps.places.choices import PlaceKind

    call_command("migrate", verbosity=0)
    county = make_place(PlaceKind.COUNTY, "兴国县")
    town = make_place(PlaceKind.TOWN, "潋江镇", county)
    clinic = make_place(PlaceKind.CLINIC, "潋江镇卫生院", town)
    doctor = make_user("bench_doctor", Role.CLINIC_DOCTOR, town)
    client = Client()
    client.force_login(doctor)
    body = to_csv(synth.generate("stemi", rate=85))
    times = []
    for i in range(uploads + 1):  # the first upload warms the process up and is not counted
        start = time.perf_counter()
        response = client.post(
            "/ecg/exams/upload/",
            {
                "clinic": clinic.pk,
                "patient_name": f"测试{i}",
                "patient_age": 60,
                "signal_files": SimpleUploadedFile("ecg.csv", body),
            },
        )
        assert response.status_code == 302, response.content[:300]
        pk = int(response["Location"].rstrip("/").split("/")[-1])
        while not Exam.objects.filter(pk=pk, screened_at__isnull=False).exists():
            time.sleep(0.002)
            if time.perf_counter() - start > 30:
                raise RuntimeError("screening did not finish within 30 s")
        if i:
            times.append((time.perf_counter() - start) * 1000)
        assert Exam.objects.get(pk=pk).suspected_critical
    ms = statistics.median(times)
    print(
        f"upload → flag (HTTP upload, inline task backend, SQLite): median {ms:.0f} ms, "
        f"max {max(times):.0f} ms over {uploads}"
    )
    return ms


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--uploads", type=int, default=10)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    with tempfile.TemporaryDirectory(prefix="gongzhi-ecg-bench-") as data_dir:
        django_setup(data_dir)
        ours = screening(args.runs)
        theirs = neurokit_10s(args.runs)
        ratio = theirs / ours["sinus"]
        print(f"neurokit2 / ours on the same 10 s 12-lead: {ratio:.1f}×")
        _, se, ppv = record_100()
        neurokit_100()
        latency = upload_to_flag(args.uploads)
    print(
        f"RESULT screen_10s_ms={ours['sinus']:.1f} ratio_to_neurokit={ratio:.1f} "
        f"qrs_se={se:.4f} qrs_ppv={ppv:.4f} upload_to_flag_ms={latency:.0f}"
    )


if __name__ == "__main__":
    main()
