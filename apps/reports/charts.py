"""Charts of a briefing as SVG drawn on the server from the figures (the PDF has no script):
a column chart of cases per month and a bar chart of a breakdown."""

from html import escape

WIDTH = 640


def columns(points: list[tuple[str, int]], title: str, height: int = 220) -> str:
    """Vertical bars, one per (label, value), value on top of each."""
    if not points:
        return ""
    top, bottom, left = 28, 36, 10
    top_value = max(v for _, v in points) or 1
    slot = (WIDTH - 2 * left) / len(points)
    bar = slot * 0.6
    plot = height - top - bottom
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" class="chart" role="img" aria-label="{escape(title)}">',
        f'<text x="{left}" y="16" font-size="13" font-weight="bold">{escape(title)}</text>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{WIDTH - left}" y2="{height - bottom}" '
        'stroke="#999" stroke-width="1"/>',
    ]
    for i, (label, value) in enumerate(points):
        h = plot * value / top_value
        x = left + i * slot + (slot - bar) / 2
        y = height - bottom - h
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="#2f6fb3"/>'
        )
        parts.append(
            f'<text x="{x + bar / 2:.1f}" y="{y - 3:.1f}" font-size="10" '
            f'text-anchor="middle">{value}</text>'
        )
        parts.append(
            f'<text x="{x + bar / 2:.1f}" y="{height - bottom + 14}" font-size="9" '
            f'text-anchor="middle">{escape(label[-5:])}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def bars(points: list[tuple[str, int]], title: str, limit: int = 10) -> str:
    """Horizontal bars, largest first, at most `limit` of them."""
    points = sorted(points, key=lambda p: -p[1])[:limit]
    if not points:
        return ""
    row, top, label_w = 22, 28, 150
    height = top + row * len(points) + 8
    top_value = max(v for _, v in points) or 1
    span = WIDTH - label_w - 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" class="chart" role="img" aria-label="{escape(title)}">',
        f'<text x="10" y="16" font-size="13" font-weight="bold">{escape(title)}</text>',
    ]
    for i, (label, value) in enumerate(points):
        y = top + i * row
        w = span * value / top_value
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 14}" font-size="11" '
            f'text-anchor="end">{escape(label[:12])}</text>'
        )
        parts.append(
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row - 8}" fill="#3a8f5c"/>'
        )
        parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + 14}" font-size="11">{value}</text>')
    parts.append("</svg>")
    return "".join(parts)
