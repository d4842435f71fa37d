"""Small bar charts drawn as SVG on the server: no script, no inline styles (only SVG
presentation attributes, which the CSP allows), a title and description for screen readers.
The table beside each chart carries the same figures and is the accessible equivalent."""
import math
from dataclasses import dataclass

from markupsafe import Markup

INK = "#1d2330"
MUTED = "#5b6475"
GRID = "#d9dde5"
# Two series: the previous year in grey, the chosen year in the council's blue (both have
# at least 3:1 contrast against white, so the bars are visible to people with low vision).
SERIES_FILLS = ("#7a8598", "#1f5f8b")
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'DejaVu Sans', sans-serif"


@dataclass(frozen=True)
class Column:
    label: str    # under the column, e.g. a date
    value: int
    series: int   # index into the legend (0 = previous year, 1 = chosen year)
    tooltip: str  # the full description, shown on hover


def _fmt(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def nice_ticks(maximum: int, most: int = 5) -> list[int]:
    """Round tick values from 0 to at least ``maximum``: 0, 5, 10 … rather than 0, 7, 14."""
    maximum = max(int(maximum), 1)
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if math.ceil(maximum / step) <= most:
            break
    else:
        step = 10 ** len(str(maximum))
    top = math.ceil(maximum / step) * step
    return list(range(0, top + 1, step))


def _open(chart_id: str, width: int, height: int, title: str, description: str) -> Markup:
    return Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{id}" role="img" '
        'aria-labelledby="{id}-title {id}-desc" viewBox="0 0 {w} {h}" width="100%" '
        'preserveAspectRatio="xMinYMin meet" font-family="{font}" font-size="12" fill="{ink}">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
    ).format(id=chart_id, w=width, h=height, font=FONT, ink=INK, title=title, desc=description)


def _legend(series_names: list[str], x: float, y: float) -> Markup:
    parts = []
    for index, name in enumerate(series_names):
        parts.append(Markup(
            '<rect x="{x}" y="{y}" width="12" height="12" fill="{fill}"/>'
            '<text x="{tx}" y="{ty}">{name}</text>'
        ).format(x=_fmt(x), y=_fmt(y), fill=SERIES_FILLS[index % 2], tx=_fmt(x + 17),
                 ty=_fmt(y + 10), name=name))
        x += 30 + 7 * len(name)
    return Markup("").join(parts)


def column_chart(columns: list[Column], *, chart_id: str, title: str, description: str,
                 series_names: list[str]) -> Markup:
    """Vertical columns in order (e.g. people present per meeting, oldest first)."""
    width, height = 760, 320
    left, right, top, bottom = 44, 12, 34, 78
    plot_w, plot_h = width - left - right, height - top - bottom
    ticks = nice_ticks(max((c.value for c in columns), default=0))
    scale = plot_h / ticks[-1]
    base = top + plot_h
    parts = [_open(chart_id, width, height, title, description), _legend(series_names, left, 8)]
    for tick in ticks:
        y = base - tick * scale
        parts.append(Markup(
            '<line x1="{x1}" x2="{x2}" y1="{y}" y2="{y}" stroke="{grid}" stroke-width="1"/>'
            '<text x="{tx}" y="{ty}" text-anchor="end" fill="{muted}">{tick}</text>'
        ).format(x1=left, x2=width - right, y=_fmt(y), grid=GRID, tx=left - 6, ty=_fmt(y + 4),
                 muted=MUTED, tick=tick))
    count = max(len(columns), 1)
    slot = plot_w / count
    bar = min(slot * 0.7, 44)
    label_every = math.ceil(count / 24)
    show_values = count <= 30
    for index, column in enumerate(columns):
        x = left + index * slot + (slot - bar) / 2
        bar_h = column.value * scale
        parts.append(Markup(
            '<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{fill}"><title>{tip}</title></rect>'
        ).format(x=_fmt(x), y=_fmt(base - bar_h), w=_fmt(bar), h=_fmt(bar_h),
                 fill=SERIES_FILLS[column.series % 2], tip=column.tooltip))
        centre = x + bar / 2
        if show_values:
            parts.append(Markup('<text x="{x}" y="{y}" text-anchor="middle">{v}</text>').format(
                x=_fmt(centre), y=_fmt(base - bar_h - 4), v=column.value))
        if index % label_every == 0:
            ly = base + 14
            parts.append(Markup(
                '<text x="{x}" y="{y}" text-anchor="end" fill="{muted}" '
                'transform="rotate(-45 {x} {y})">{label}</text>'
            ).format(x=_fmt(centre), y=_fmt(ly), muted=MUTED, label=_short(column.label, 14)))
    parts.append(Markup('<line x1="{x1}" x2="{x2}" y1="{y}" y2="{y}" stroke="{ink}" stroke-width="1"/>')
                 .format(x1=left, x2=width - right, y=_fmt(base), ink=INK))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def grouped_bar_chart(rows: list[tuple[str, list[int]]], *, chart_id: str, title: str,
                      description: str, series_names: list[str]) -> Markup:
    """Horizontal bars, one group per row (e.g. a sector), one bar per series (year)."""
    width = 760
    label_w, right, top = 230, 44, 34
    bar_h, gap = 13, 12
    group_h = bar_h * len(series_names) + gap
    height = top + group_h * max(len(rows), 1) + 6
    plot_w = width - label_w - right
    maximum = max((v for _label, values in rows for v in values), default=0)
    ticks = nice_ticks(maximum)
    scale = plot_w / ticks[-1]
    parts = [_open(chart_id, width, height, title, description), _legend(series_names, label_w, 8)]
    for tick in ticks:
        x = label_w + tick * scale
        parts.append(Markup('<line x1="{x}" x2="{x}" y1="{y1}" y2="{y2}" stroke="{grid}" stroke-width="1"/>')
                     .format(x=_fmt(x), y1=top - 4, y2=height - 4, grid=GRID))
    for index, (label, values) in enumerate(rows):
        y = top + index * group_h
        parts.append(Markup(
            '<text x="{x}" y="{y}" text-anchor="end"><title>{full}</title>{label}</text>'
        ).format(x=label_w - 8, y=_fmt(y + bar_h * len(values) / 2 + 4), full=label,
                 label=_short(label, 34)))
        for series, value in enumerate(values):
            by = y + series * bar_h
            w = value * scale
            parts.append(Markup(
                '<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{fill}">'
                '<title>{label}, {name}: {v}</title></rect>'
                '<text x="{tx}" y="{ty}" font-size="11">{v}</text>'
            ).format(x=label_w, y=_fmt(by), w=_fmt(w), h=bar_h - 2,
                     fill=SERIES_FILLS[series % 2], label=label, name=series_names[series],
                     v=value, tx=_fmt(label_w + w + 4), ty=_fmt(by + bar_h - 3)))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)
