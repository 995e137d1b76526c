"""Server-side SVG charts: plain ``<svg>`` with presentation attributes only (no scripts, no
``style``), so they pass the CSP and need no JavaScript. Every label is escaped; the tables next
to the charts carry the same numbers for screen readers and export."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

BAR = "#2b6cb0"
ZERO = "#c05621"
INK = "#1a202c"
GRID = "#cbd5e0"


def _number(value: float) -> str:
    return f"{value:g}"


def column_chart(points: Sequence[tuple[str, float]], *, title: str, label_every: int = 1,
                 overlay: Sequence[float] | None = None, width: int = 760, height: int = 240) -> Markup:
    """Vertical bars, one per point (``overlay``: a second, darker bar drawn over each, e.g. the
    zero-result share of each day's searches)."""
    left, bottom, top = 40, 40, 16
    plot_w, plot_h = width - left - 8, height - bottom - top
    peak = max([v for _, v in points] + [1.0])
    step = plot_w / max(len(points), 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'class="chart" aria-label="{escape(title)}"><title>{escape(title)}</title>',
             f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 8}" y2="{top + plot_h}" stroke="{GRID}"/>',
             f'<text x="{left - 4}" y="{top + 4}" text-anchor="end" font-size="11" fill="{INK}">{_number(peak)}</text>',
             f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end" font-size="11" fill="{INK}">0</text>']
    for n, (label, value) in enumerate(points):
        x = left + n * step + step * 0.1
        bar_h = plot_h * value / peak
        parts.append(f'<rect x="{x:.1f}" y="{top + plot_h - bar_h:.1f}" width="{step * 0.8:.1f}" '
                     f'height="{bar_h:.1f}" fill="{BAR}"><title>{escape(label)}: {_number(value)}</title></rect>')
        if overlay is not None and overlay[n]:
            over_h = plot_h * overlay[n] / peak
            parts.append(f'<rect x="{x:.1f}" y="{top + plot_h - over_h:.1f}" width="{step * 0.8:.1f}" '
                         f'height="{over_h:.1f}" fill="{ZERO}"/>')
        if n % label_every == 0:
            parts.append(f'<text x="{x + step * 0.4:.1f}" y="{top + plot_h + 14}" text-anchor="middle" '
                         f'font-size="10" fill="{INK}">{escape(label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_chart(points: Sequence[tuple[str, float]], *, title: str, width: int = 760) -> Markup:
    """Horizontal bars with their labels and values, one row per point."""
    row, label_w, top = 22, 220, 4
    height = top * 2 + row * max(len(points), 1)
    plot_w = width - label_w - 60
    peak = max([v for _, v in points] + [1.0])
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'class="chart" aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for n, (label, value) in enumerate(points):
        y = top + n * row
        bar_w = plot_w * value / peak
        short = label if len(label) <= 32 else label[:31] + "…"
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" font-size="12" fill="{INK}">'
                     f'{escape(short)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{bar_w:.1f}" height="{row - 6}" fill="{BAR}">'
                     f'<title>{escape(label)}: {_number(value)}</title></rect>')
        parts.append(f'<text x="{label_w + bar_w + 4:.1f}" y="{y + 15}" font-size="12" fill="{INK}">'
                     f'{_number(value)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
