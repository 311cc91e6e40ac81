"""Synthetic 12-lead ECGs of known rhythm, for tests, the benchmark and the demo county.

Each beat is a sum of Gaussian waves (P, Q, R, S, T) with per-lead amplitudes; the limb leads
III, aVR, aVL and aVF are computed from I and II (Einthoven, Goldberger), so the signals obey
the same relations as a recorded ECG. Rhythms: normal sinus at any rate, atrial fibrillation,
ventricular tachycardia, ventricular fibrillation, third-degree AV block, sinus pauses,
ST elevation and long QT, with optional baseline wander, mains hum and noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .readers import STANDARD_LEADS, EcgSignal

RHYTHMS = (
    "sinus",
    "af",
    "vt",
    "vf",
    "avb3",
    "pause",
    "stemi",
    "long_qt",
    "svt",
)

# Per-lead amplitudes (mV) of P, Q, R, S, T for the independent leads I, II, V1–V6.
_NORMAL = {
    "I": (0.08, -0.05, 0.7, -0.1, 0.2),
    "II": (0.12, -0.05, 1.1, -0.15, 0.3),
    "V1": (0.06, 0.0, 0.25, -0.9, -0.1),
    "V2": (0.07, 0.0, 0.45, -1.2, 0.35),
    "V3": (0.07, -0.02, 0.8, -0.8, 0.4),
    "V4": (0.08, -0.05, 1.3, -0.5, 0.4),
    "V5": (0.08, -0.08, 1.4, -0.25, 0.35),
    "V6": (0.07, -0.08, 1.1, -0.1, 0.25),
}
_INDEPENDENT = ("I", "II", "V1", "V2", "V3", "V4", "V5", "V6")


@dataclass
class BeatShape:
    """Timing of one beat relative to its R peak (seconds)."""

    pr: float = 0.16  # P onset to QRS onset
    qrs: float = 0.09  # QRS duration
    qt: float = 0.40  # QRS onset to T end
    st: float = 0.0  # ST elevation (mV) added in `st_leads`
    st_leads: tuple[str, ...] = ()
    wide: bool = False  # ventricular morphology: broad, no P, discordant T
    p_wave: bool = True


def _gauss(t: np.ndarray, centre: float, sigma: float) -> np.ndarray:
    return np.exp(-0.5 * ((t - centre) / sigma) ** 2)


def _add_beat(out: dict[str, np.ndarray], fs: float, r_time: float, shape: BeatShape) -> None:
    n = next(iter(out.values())).size
    start = max(0, int((r_time - 0.35) * fs))
    stop = min(n, int((r_time + shape.qt + 0.1) * fs))
    if stop <= start:
        return
    t = np.arange(start, stop) / fs - r_time
    half = shape.qrs / 2
    qrs_sigma = shape.qrs / 7
    t_sigma = max(0.028, 0.045 * shape.qt / 0.40) if not shape.wide else 0.06
    t_centre = -half + shape.qt - 2.4 * t_sigma
    for lead in _INDEPENDENT:
        _p_amp, q_amp, r_amp, s_amp, t_amp = _NORMAL[lead]
        if shape.wide:
            r_amp, s_amp, t_amp = r_amp * 1.3, s_amp * 1.5, -np.sign(r_amp + s_amp) * 0.45
            q_amp = 0.0
        wave = (
            q_amp * _gauss(t, -half + qrs_sigma * 1.2, qrs_sigma)
            + r_amp * _gauss(t, 0.0, qrs_sigma * 1.1)
            + s_amp * _gauss(t, half - qrs_sigma * 1.2, qrs_sigma)
            + t_amp * _gauss(t, t_centre, t_sigma)
        )
        if shape.st and lead in shape.st_leads:
            # ST elevation: a plateau from the J point merging into the T wave.
            ramp = np.clip((t - (half - 0.01)) / 0.02, 0, 1) * np.clip(
                (t_centre + t_sigma - t) / (t_sigma * 1.5), 0, 1
            )
            wave += shape.st * ramp
        out[lead][start:stop] += wave


def _add_p(out: dict[str, np.ndarray], fs: float, p_centre: float) -> None:
    n = next(iter(out.values())).size
    start, stop = max(0, int((p_centre - 0.08) * fs)), min(n, int((p_centre + 0.08) * fs))
    if stop <= start:
        return
    t = np.arange(start, stop) / fs - p_centre
    bump = _gauss(t, 0.0, 0.022)
    for lead in _INDEPENDENT:
        out[lead][start:stop] += _NORMAL[lead][0] * bump


def _assemble(out: dict[str, np.ndarray], fs: float) -> EcgSignal:
    lead_i, lead_ii = out["I"], out["II"]
    full = {
        **out,
        "III": lead_ii - lead_i,
        "aVR": -(lead_i + lead_ii) / 2,
        "aVL": lead_i - lead_ii / 2,
        "aVF": lead_ii - lead_i / 2,
    }
    data = np.vstack([full[lead] for lead in STANDARD_LEADS]).astype(np.float32)
    return EcgSignal(fs=fs, leads=list(STANDARD_LEADS), data=data, source_format="synthetic")


def _r_times(rr: np.ndarray, first: float, seconds: float) -> list[float]:
    times, t = [], first
    for interval in rr:
        if t >= seconds:
            break
        times.append(t)
        t += float(interval)
    return times


def generate(
    rhythm: str = "sinus",
    *,
    rate: float = 72.0,
    seconds: float = 10.0,
    fs: float = 500.0,
    seed: int = 0,
    noise: float = 0.01,
    wander: float = 0.0,
    mains: float = 0.0,
    pause_seconds: float = 3.5,
    st_mv: float = 0.3,
    qt: float | None = None,
    atrial_rate: float = 80.0,
) -> EcgSignal:
    """A 12-lead ECG of the given rhythm. `rate` is the ventricular rate where it applies."""
    if rhythm not in RHYTHMS:
        raise ValueError(f"unknown rhythm {rhythm!r}; choose from {', '.join(RHYTHMS)}")
    rng = np.random.default_rng(seed)
    n = round(seconds * fs)
    out = {lead: np.zeros(n) for lead in _INDEPENDENT}
    first = 0.3 + rng.uniform(0, 0.2)
    count = int(seconds * max(rate, 30) / 60) + 10
    rr_mean = 60.0 / rate
    if rhythm == "vf":
        _vf(out, fs, rng)
    else:
        shape = BeatShape(qt=qt or _default_qt(rr_mean))
        if rhythm == "af":
            rr = rng.uniform(0.55, 1.45, count) * rr_mean
            shape.p_wave = False
            _fibrillatory_waves(out, fs, rng)
        elif rhythm == "vt":
            rr = np.full(count, rr_mean)
            shape = BeatShape(qrs=0.16, qt=0.36, wide=True, p_wave=False)
        elif rhythm == "svt":
            rr = np.full(count, rr_mean)
            shape = BeatShape(qt=0.26, p_wave=False)
        elif rhythm == "avb3":
            rr = np.full(count, rr_mean)
            shape = BeatShape(qrs=0.11, qt=0.46, p_wave=False)
            p_rr = 60.0 / atrial_rate
            for p in np.arange(rng.uniform(0.1, 0.5), seconds, p_rr):
                _add_p(out, fs, float(p))
        elif rhythm == "pause":
            rr = rr_mean * (1 + rng.normal(0, 0.02, count))
            k = max(2, int(seconds / rr_mean / 2) - 1)
            rr[k] = pause_seconds
        elif rhythm == "stemi":
            rr = rr_mean * (1 + rng.normal(0, 0.02, count))
            shape.st = st_mv
            shape.st_leads = ("V1", "V2", "V3", "V4")
        elif rhythm == "long_qt":
            rr = rr_mean * (1 + rng.normal(0, 0.02, count))
            shape.qt = qt or 0.62
        else:
            rr = rr_mean * (1 + rng.normal(0, 0.02, count))
        for r_time in _r_times(rr, first, seconds):
            if shape.p_wave:
                qrs_onset = r_time - shape.qrs / 2
                _add_p(out, fs, qrs_onset - shape.pr + 0.05)
            _add_beat(out, fs, r_time, shape)
    t = np.arange(n) / fs
    for lead in _INDEPENDENT:
        if noise:
            out[lead] += rng.normal(0, noise, n)
        if wander:
            out[lead] += wander * np.sin(2 * np.pi * 0.3 * t + rng.uniform(0, 6.28))
        if mains:
            out[lead] += mains * np.sin(2 * np.pi * 50 * t)
    return _assemble(out, fs)


def _default_qt(rr: float) -> float:
    """A QT that keeps QTc (Bazett) near 410 ms, capped to fit inside the beat."""
    return float(min(0.41 * np.sqrt(rr), 0.75 * rr + 0.05))


def _fibrillatory_waves(out: dict[str, np.ndarray], fs: float, rng: np.random.Generator) -> None:
    n = next(iter(out.values())).size
    t = np.arange(n) / fs
    freq = 6.0 + 0.6 * np.sin(2 * np.pi * 0.2 * t)
    phase = 2 * np.pi * np.cumsum(freq) / fs
    f_wave = 0.05 * np.sin(phase + rng.uniform(0, 6.28))
    for lead, weight in (("V1", 1.5), ("II", 0.8), ("I", 0.3), ("V2", 1.0)):
        out[lead] += weight * f_wave


def _vf(out: dict[str, np.ndarray], fs: float, rng: np.random.Generator) -> None:
    """Chaotic undulations at 4–7 Hz with wandering amplitude: no QRS, no baseline."""
    n = next(iter(out.values())).size
    t = np.arange(n) / fs
    freq = 5.2 + 1.2 * np.sin(2 * np.pi * 0.23 * t + rng.uniform(0, 6.28))
    freq += np.convolve(rng.normal(0, 1.5, n), np.ones(int(fs / 2)) / (fs / 2), mode="same")
    phase = 2 * np.pi * np.cumsum(freq) / fs
    envelope = 0.55 + 0.3 * np.sin(2 * np.pi * 0.4 * t + rng.uniform(0, 6.28))
    for lead in _INDEPENDENT:
        gain = rng.uniform(0.6, 1.2) * (1 if rng.random() > 0.3 else -1)
        out[lead] += gain * envelope * np.sin(phase + rng.uniform(-0.5, 0.5))
