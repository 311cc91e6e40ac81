"""The screening on real recordings: VT on a true ICU alarm, an artefact burst excluded from
record 100 instead of making pauses or runs, no VF on organised wide or bigeminal rhythms
built from real beats, the STEMI rule with right bundle branch block, and the batch CLI."""

import json
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from apps.ecg import synth
from apps.ecg.readers import EcgSignal, read_path
from apps.ecg.screening import analyse
from apps.ecg.screening.filters import bandpass
from apps.ecg.screening.qrs import detect_qrs

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "ecg"
ALARMS = DATA / "alarms2015"

pytestmark = pytest.mark.skipif(not ALARMS.exists(), reason="development sets not present")


def _record_100(seconds: float) -> EcgSignal:
    sig = read_path(DATA / "100.hea")
    n = int(seconds * sig.fs)
    return EcgSignal(sig.fs, sig.leads, sig.data[:, :n].copy(), "wfdb")


def test_a_short_vt_run_before_a_true_icu_alarm_is_flagged():
    # v131l: sinus rhythm at 75/min, then 7 broad beats at ~165/min just before the alarm
    result = analyse(read_path(ALARMS / "v131l.hea"))
    vt = [f for f in result.flags if f.code == "vt" and f.end_s >= 285 and f.start_s <= 300]
    assert vt, [(f.code, f.start_s, f.evidence) for f in result.flags]
    assert vt[0].critical and vt[0].values["beats"] >= 5
    assert vt[0].values["heart_rate"] > 100
    assert "个宽QRS/室性心搏连续" in vt[0].evidence


def test_an_artefact_burst_in_record_100_is_excluded_not_read_as_rhythm():
    sig = _record_100(60)
    clean = analyse(sig)
    rng = np.random.default_rng(3)
    fs = sig.fs
    a, b = int(20 * fs), int(24 * fs)
    t = np.arange(b - a) / fs
    burst = 4.0 * rng.standard_normal(b - a) + 3.0 * np.sin(2 * np.pi * 7 * t)
    sig.data[:, a:b] += burst.astype(np.float32)
    result = analyse(sig)
    spans = [(e["start_s"], e["end_s"]) for e in result.excluded]
    assert any(s <= 20.5 and e >= 23.5 for s, e in spans), spans
    assert result.as_dict()["excluded_s"] <= 6
    codes = {f.code for f in result.flags}
    assert not codes & {"pause", "warn_pause", "vf", "vt", "tachy", "brady"}, codes
    # beats outside the burst are all still there; no 0 bpm window
    outside = lambda beats: beats[(beats < a - fs) | (beats > b + fs)]  # noqa: E731
    assert abs(outside(result.beats).size - outside(clean.beats).size) <= 1
    rates = [w["heart_rate"] for w in result.measurements.get("windows", [])]
    assert all(r is None or r > 40 for r in rates), rates


def _wide_beat(fs: float) -> np.ndarray:
    """A broad ventricular-looking complex: 160 ms biphasic QRS and a discordant T wave."""
    t = np.arange(int(0.5 * fs)) / fs
    qrs = 1.6 * np.exp(-(((t - 0.06) / 0.03) ** 2)) - 0.9 * np.exp(-(((t - 0.13) / 0.03) ** 2))
    twave = -0.4 * np.exp(-(((t - 0.32) / 0.06) ** 2))
    return (qrs + twave).astype(np.float32)


def test_no_vf_on_bigeminy_built_from_record_100():
    # every other sinus beat of record 100 is followed, early, by a broad ventricular beat
    sig = _record_100(60)
    fs = sig.fs
    beats = detect_qrs(bandpass(sig.data, fs, 0.5, 40.0), fs).beats
    shape = _wide_beat(fs)
    for k in range(0, beats.size - 1, 2):
        at = beats[k] + int(0.45 * (beats[k + 1] - beats[k]))
        stop = min(sig.n_samples, at + shape.size)
        sig.data[:, at:stop] += shape[: stop - at]
    result = analyse(sig)
    codes = {f.code for f in result.flags}
    assert "vf" not in codes, [f.evidence for f in result.flags if f.code == "vf"]
    assert "vt" not in codes  # a ventricular beat every other beat is not a run


@pytest.mark.parametrize("rate", [60, 72, 85])
def test_no_vf_or_vt_on_a_regular_wide_rhythm_like_pacing(rate):
    sig = synth.generate("vt", rate=rate, seconds=30, noise=0.02)
    codes = {f.code for f in analyse(sig).flags}
    assert not codes & {"vf", "vt"}, codes


def _with_bbb(sig: EcgSignal, sign: float = 1.0) -> EcgSignal:
    """Add a bundle branch block pattern to a 12-lead ECG, 60–120 ms after each R: right
    (sign +1) a late R' in V1–V2 and a broad S in I, V5, V6; left (sign -1) the opposite, a
    deep broad S in V1–V2 and a slurred R in I, V5, V6."""
    fs = sig.fs
    beats = detect_qrs(bandpass(sig.data, fs, 0.5, 40.0), fs).beats
    t = np.arange(int(0.2 * fs)) / fs
    late = np.exp(-(((t - 0.07) / 0.018) ** 2)).astype(np.float32)
    data = sig.data.copy()
    for lead, size in (("V1", 0.8), ("V2", 0.5), ("I", -0.3), ("V5", -0.3), ("V6", -0.3)):
        i = sig.leads.index(lead)
        for b in beats:
            stop = min(sig.n_samples, b + late.size)
            data[i, b:stop] += sign * size * late[: stop - b]
    return EcgSignal(fs, sig.leads, data, "synthetic")


def test_the_stemi_rule_still_applies_with_right_bundle_branch_block():
    sig = _with_bbb(synth.generate("stemi", rate=80))
    result = analyse(sig)
    assert result.measurements["qrs_ms"] >= 120
    assert "stemi" in {f.code for f in result.flags if f.critical}
    assert "st_unjudged" not in {f.code for f in result.flags}


def test_with_left_bundle_branch_block_it_says_st_cannot_be_judged():
    result = analyse(_with_bbb(synth.generate("sinus", rate=70), sign=-1.0))
    assert result.measurements["qrs_ms"] >= 120
    flag = next(f for f in result.flags if f.code == "st_unjudged")
    assert not flag.critical
    assert "ST段无法自动判断" in flag.label


def test_the_batch_cli_prints_one_json_line_per_file_and_goes_on_after_a_bad_one(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("I,II\n1,2\n")
    files = [str(ALARMS / "v131l.hea"), str(bad), str(DATA / "cinc2017" / "A00002.hea")]
    out = StringIO()
    with pytest.raises(CommandError, match="1 个文件无法读取"):
        call_command("ecg", "screen", *files, "--json", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["file"] for line in lines] == files
    assert "CSV 缺少采样率" in lines[1]["error"] and "flags" not in lines[1]
    assert {(c["name"], c["units"]) for c in lines[0]["dropped_channels"]} == {
        ("ABP", "mmHg"),
        ("RESP", "NU"),
    }
    assert lines[0]["monitoring_leads"] == ["V"]
    assert "vt" in {f["code"] for f in lines[0]["flags"]}
    assert lines[2]["leads"] == ["ECG"] and lines[2]["recorded_at"].startswith("2014-")
