"""Signboard PDFs (A4, or a large board layout) with the QR code of the zone's report page on
the resident portal (segno for the QR, weasyprint for the PDF, as elsewhere in Gongzhi)."""

import base64
import io
from typing import Any

import segno
from django.template.loader import render_to_string

from .actions import current_chiefs
from .models import Signboard, ZoneProfile

LAYOUTS = {"a4": "A4", "board": "1200mm 800mm"}


def report_path(board: Signboard) -> str:
    """The resident portal's report page with the zone filled in (what the QR opens)."""
    return f"/portal/report/forest-hazard/?place={board.zone.code}&board={board.code}"


def qr_data_uri(url: str) -> str:
    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(out, kind="png", scale=10, border=2)
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def board_context(board: Signboard, base_url: str) -> dict[str, Any]:
    profile = ZoneProfile.objects.filter(zone=board.zone).first()
    url = base_url.rstrip("/") + report_path(board)
    return {
        "board": board,
        "zone": board.zone,
        "profile": profile,
        "chiefs": current_chiefs(board.zone),
        "url": url,
        "qr": qr_data_uri(url),
    }


def boards_pdf(boards: list[Signboard], base_url: str, layout: str = "a4") -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "forestry/signboard_pdf.html",
        {
            "pages": [board_context(b, base_url) for b in boards],
            "page_size": LAYOUTS.get(layout, "A4"),
            "large": layout == "board",
        },
    )
    return bytes(HTML(string=html).write_pdf())
