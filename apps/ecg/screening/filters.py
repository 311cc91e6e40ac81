"""Filters for the screening: one zero-phase Butterworth band-pass per record, and O(n)
moving averages (cumulative sums) for everything else, so 12 leads × 10 s cost a few ms."""

from functools import lru_cache

import numpy as np
from scipy import signal


@lru_cache(maxsize=64)
def _ba(fs: float, low: float | None, high: float | None, order: int) -> tuple:
    nyquist = fs / 2
    if low and high:
        return signal.butter(order, [low / nyquist, min(high / nyquist, 0.99)], "band")
    if low:
        return signal.butter(order, low / nyquist, "high")
    return signal.butter(order, min(float(high or 40) / nyquist, 0.99), "low")


def bandpass(
    x: np.ndarray, fs: float, low: float | None, high: float | None, order: int = 2
) -> np.ndarray:
    """Forward-backward IIR filter along the last axis (no phase shift), with odd-reflected
    edges of 0.5 s so the ends settle."""
    b, a = _ba(float(fs), low, high, order)
    x = np.asarray(x, dtype=np.float64)
    pad = min(int(0.5 * fs), x.shape[-1] - 1)
    head = 2 * x[..., :1] - x[..., pad:0:-1]
    tail = 2 * x[..., -1:] - x[..., -2 : -pad - 2 : -1]
    padded = np.concatenate([head, x, tail], axis=-1)
    y = signal.lfilter(b, a, padded, axis=-1)
    y = signal.lfilter(b, a, y[..., ::-1], axis=-1)[..., ::-1]
    return y[..., pad : pad + x.shape[-1]]


def smooth(x: np.ndarray, width: int) -> np.ndarray:
    """Centred moving average along the last axis, same length (edges repeat the end value)."""
    if width <= 1:
        return x
    half = width // 2
    pad = [(0, 0)] * (x.ndim - 1) + [(half + 1, width - half - 1)]
    csum = np.cumsum(np.pad(np.asarray(x, dtype=np.float64), pad, mode="edge"), axis=-1)
    return (csum[..., width:] - csum[..., :-width]) / width
