"""The normalised signal on disk: one compressed .npz per exam (float32 mV, lead names, fs),
written once at upload and read by the screening and the viewer without re-parsing."""

import io

import numpy as np
from django.core.files.base import ContentFile

from .readers import EcgSignal


def signal_bytes(sig: EcgSignal) -> bytes:
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        data=sig.data.astype(np.float32),
        leads=np.array(sig.leads),
        fs=np.array(sig.fs),
        source_format=np.array(sig.source_format),
    )
    return buffer.getvalue()


def signal_file(sig: EcgSignal, name: str) -> ContentFile:
    return ContentFile(signal_bytes(sig), name=name)


def load_signal(field_file) -> EcgSignal:  # type: ignore[no-untyped-def]
    with field_file.open("rb") as handle, np.load(io.BytesIO(handle.read())) as npz:
        return EcgSignal(
            fs=float(npz["fs"]),
            leads=[str(x) for x in npz["leads"]],
            data=npz["data"],
            source_format=str(npz["source_format"]),
        )


def viewer_payload(sig: EcgSignal, start_s: float = 0.0, seconds: float = 10.0) -> dict:
    """A window of the signal for the viewer, in integer microvolts (compact JSON)."""
    a = max(0, int(start_s * sig.fs))
    b = min(sig.n_samples, a + int(seconds * sig.fs))
    return {
        "fs": sig.fs,
        "start_s": a / sig.fs,
        "duration_s": sig.duration,
        "leads": sig.leads,
        "units": "uV",
        "data": np.rint(sig.data[:, a:b] * 1000).astype(np.int32).tolist(),
    }
