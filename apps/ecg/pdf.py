"""The PDF report for the clinic: patient, measurements, diagnosis, conclusion, physicians,
and the 12 leads (3×4 + rhythm strip II) on the standard grid, drawn as SVG and rendered by
WeasyPrint with the Noto CJK font embedded (subset) in the file."""

from __future__ import annotations

import numpy as np
from django.template.loader import render_to_string

from . import storage
from .models import Exam

ROW_MM = 25.0
LABEL_MM = 8.0
COLUMNS = (("I", "II", "III"), ("aVR", "aVL", "aVF"), ("V1", "V2", "V3"), ("V4", "V5", "V6"))


def _polyline(values: np.ndarray, fs: float, x0: float, y0: float) -> str:
    """Points in mm at 25 mm/s and 10 mm/mV; at most 200 points per second."""
    step = max(1, int(fs // 200))
    v = values[::step]
    x = x0 + np.arange(v.size) * step / fs * 25.0
    y = np.clip(y0 - v * 10.0, y0 - ROW_MM * 0.9, y0 + ROW_MM * 0.9)
    return " ".join(f"{a:.2f},{b:.2f}" for a, b in zip(x, y, strict=True))


def ecg_svg(exam: Exam) -> str:
    sig = storage.load_signal(exam.signal_file)
    n = min(sig.n_samples, int(10 * sig.fs))
    quarter = n // 4
    width = LABEL_MM + n / sig.fs * 25.0
    height = ROW_MM * 4
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.1f}mm" height="{height:.1f}mm" '
        f'viewBox="0 0 {width:.1f} {height:.1f}">',
        '<defs><pattern id="s" width="1" height="1" patternUnits="userSpaceOnUse">'
        '<path d="M1 0V1H0" fill="none" stroke="#f5c6bf" stroke-width="0.05"/></pattern>'
        '<pattern id="b" width="5" height="5" patternUnits="userSpaceOnUse">'
        '<rect width="5" height="5" fill="url(#s)"/>'
        '<path d="M5 0V5H0" fill="none" stroke="#e48c80" stroke-width="0.12"/></pattern></defs>',
        f'<rect width="{width:.1f}" height="{height:.1f}" fill="url(#b)"/>',
    ]

    def trace(lead: str, a: int, b: int, x0: float, y0: float, label: str) -> None:
        parts.append(
            f'<text x="{x0 + 0.5:.1f}" y="{y0 - ROW_MM / 2 + 3:.1f}" font-size="2.6">{label}</text>'
        )
        values = sig.lead(lead)
        if values is None:
            return
        parts.append(
            f'<polyline fill="none" stroke="#111" stroke-width="0.18" '
            f'points="{_polyline(values[a:b], sig.fs, x0, y0)}"/>'
        )

    for col, leads in enumerate(COLUMNS):
        for row, lead in enumerate(leads):
            a = col * quarter
            trace(lead, a, a + quarter, LABEL_MM + a / sig.fs * 25.0, (row + 0.5) * ROW_MM, lead)
    trace("II", 0, n, LABEL_MM, 3.5 * ROW_MM, "II 节律")
    for row in range(4):
        y = (row + 0.5) * ROW_MM
        parts.append(
            f'<path d="M1 {y} H2.5 V{y - 10} H7.5 V{y} H8" fill="none" '
            f'stroke="#111" stroke-width="0.2"/>'
        )
    parts.append("</svg>")
    return "".join(parts)


def report_pdf(exam: Exam) -> bytes:
    from weasyprint import HTML

    report = exam.report
    html = render_to_string(
        "ecg/report_pdf.html",
        {
            "exam": exam,
            "report": report,
            "terms": list(report.terms.all()),
            "svg": ecg_svg(exam) if exam.signal_file else "",
            "critical": getattr(exam, "critical", None),
        },
    )
    return HTML(string=html).write_pdf()
