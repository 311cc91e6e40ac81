"""Writing an EcgSignal as CSV or HL7 aECG XML (exports, demo uploads, reader round trips)."""

from __future__ import annotations

import io
from xml.sax.saxutils import quoteattr

import numpy as np

from .readers import EcgSignal


def to_csv(sig: EcgSignal, units: str = "uV") -> bytes:
    """One column per lead with `# fs:` and `# units:` header lines."""
    scale = 1000.0 if units == "uV" else 1.0
    out = io.StringIO()
    out.write(f"# fs: {sig.fs:g}\n# units: {units}\n")
    out.write(",".join(sig.leads) + "\n")
    values = np.rint(sig.data.T * scale).astype(np.int64) if units == "uV" else sig.data.T
    fmt = "%d" if units == "uV" else "%.4f"
    np.savetxt(out, values, fmt=fmt, delimiter=",")
    return out.getvalue().encode()


_LEAD_CODES = {
    "I": "MDC_ECG_LEAD_I",
    "II": "MDC_ECG_LEAD_II",
    "III": "MDC_ECG_LEAD_III",
    "aVR": "MDC_ECG_LEAD_AVR",
    "aVL": "MDC_ECG_LEAD_AVL",
    "aVF": "MDC_ECG_LEAD_AVF",
    **{f"V{i}": f"MDC_ECG_LEAD_V{i}" for i in range(1, 7)},
}


def to_aecg(sig: EcgSignal, scale_uv: float = 5.0) -> bytes:
    """A minimal HL7 v3 AnnotatedECG: one rhythm series, time as GLIST_TS, leads as SLIST_PQ
    with origin 0 and `scale_uv` µV per digit."""
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<AnnotatedECG xmlns="urn:hl7-org:v3" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
        '<id root="2.16.840.1.113883.3.0"/>',
        '<code code="93000" codeSystem="2.16.840.1.113883.6.12"/>',
        '<component><series><code code="RHYTHM" codeSystem="2.16.840.1.113883.5.4"/>',
        "<component><sequenceSet>",
        '<component><sequence><code code="TIME_ABSOLUTE" codeSystem="2.16.840.1.113883.5.4"/>'
        '<value xsi:type="GLIST_TS"><head value="20260101000000.000"/>'
        f'<increment value={quoteattr(f"{1 / sig.fs:.6f}")} unit="s"/></value>'
        "</sequence></component>",
    ]
    for i, lead in enumerate(sig.leads):
        digits = np.rint(sig.data[i] * 1000 / scale_uv).astype(np.int64)
        parts.append(
            f'<component><sequence><code code="{_LEAD_CODES[lead]}" '
            'codeSystem="2.16.840.1.113883.6.24"/>'
            '<value xsi:type="SLIST_PQ"><origin value="0" unit="uV"/>'
            f'<scale value="{scale_uv:g}" unit="uV"/>'
            f"<digits>{' '.join(map(str, digits.tolist()))}</digits></value>"
            "</sequence></component>"
        )
    parts.append("</sequenceSet></component></series></component></AnnotatedECG>")
    return "".join(parts).encode()
