"""Server-rendered SVG charts: stacked bars and lines, with a text alternative table.

No JavaScript, no fonts to fetch, no randomness: the same data gives the same bytes. Every
chart is `role="img"` labelled by its own <title> and <desc>; series differ by more than
colour (a legend in words, dash patterns and marker shapes for lines), and each chart comes
with a table holding every number it draws, for screen readers and for copying.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from warroom.xmltext import escape, quoteattr

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, BOTTOM = 52, 12, 54
LEGEND_ROW = 18  # height of one row of the legend, above the plot area
PALETTE = ("#b42318", "#dc6803", "#ca8504", "#2e90fa", "#7a5af8", "#12b76a", "#667085")
DASHES = ("", "6 3", "2 3", "8 3 2 3")
MARKERS = ("circle", "square", "triangle", "diamond")
CHAR_WIDTH = 6.2  # average advance of an 11px sans-serif character
MAX_MARKERS = 16  # more points than this and markers smear into the line


@dataclass(frozen=True)
class Table:
    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Plot:
    id: str  # unique in the page: prefixes the ids of <title> and <desc>
    title: str
    desc: str
    svg: str
    table: Table


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float | None, ...]  # one per category; None: no value (a gap)
    color: str = ""  # defaults to the palette by position


def number(value: float) -> str:
    """Short, stable text for a number: 12, 12.5, 0.25 (never 12.000000001)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def nice_step(value: float, integer: bool = False) -> float:
    """The smallest 1, 2, 2.5 or 5 x 10^k at or above value (whole numbers if `integer`)."""
    if value <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    steps = (1, 2, 5, 10) if integer else (1, 2, 2.5, 5, 10)
    found = next(float(m * power) for m in steps if m * power >= value - 1e-12)
    return max(1.0, found) if integer else found


def scale(values: Sequence[float], integer: bool = False) -> tuple[float, float, list[float]]:
    """Axis bounds and ticks: about 4 steps of a nice size, always including 0."""
    lo, hi = min([*values, 0.0]), max([*values, 0.0])
    step = nice_step((hi - lo) / 4, integer)
    bottom = math.floor(lo / step - 1e-9) * step if lo < 0 else 0.0
    top = max(math.ceil(hi / step - 1e-9) * step, bottom + step)
    count = round((top - bottom) / step)
    return bottom, top, [bottom + step * i for i in range(count + 1)]


def _head(plot_id: str, title: str, desc: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="{plot_id}-title {plot_id}-desc" class="plot" '
        f'id={quoteattr(plot_id)} font-family="system-ui, sans-serif" font-size="11">',
        f'<title id="{plot_id}-title">{escape(title)}</title>',
        f'<desc id="{plot_id}-desc">{escape(desc)}</desc>',
    ]


def _axes(ticks: Sequence[float], y_of: Callable[[float], float], unit: str,
          top_margin: float) -> list[str]:
    """Horizontal grid lines with their values, and the y axis label."""
    middle = top_margin + (HEIGHT - BOTTOM - top_margin) / 2
    out = ['<g class="y-axis" fill="currentColor" stroke="none">']
    for value in ticks:
        y = y_of(value)
        strong = ' stroke-opacity="0.6"' if value == 0 else ' stroke-opacity="0.15"'
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{number(y)}" y2="{number(y)}" '
                   f'stroke="currentColor"{strong}/>')
        out.append(f'<text x="{LEFT - 6}" y="{number(y + 4)}" text-anchor="end">'
                   f'{number(value)}</text>')
    out.append(f'<text x="12" y="{number(middle)}" text-anchor="middle" '
               f'transform="rotate(-90 12 {number(middle)})">{escape(unit)}</text>')
    out.append("</g>")
    return out


def _y_mapper(bottom: float, top: float, top_margin: float) -> Callable[[float], float]:
    height = HEIGHT - BOTTOM - top_margin

    def y_of(value: float) -> float:
        return HEIGHT - BOTTOM - (value - bottom) * height / (top - bottom)
    return y_of


def _wrap(label: str) -> list[str]:
    """One line, or two split at the space that best balances them."""
    spaces = [i for i, ch in enumerate(label) if ch == " "]
    if not spaces:
        return [label]
    cut = min(spaces, key=lambda i: max(i, len(label) - i - 1))
    return [label[:cut], label[cut + 1:]]


def _x_labels(categories: Sequence[str], centers: Sequence[float]) -> list[str]:
    slot = (WIDTH - LEFT - RIGHT) / max(len(categories), 1)
    wrapped = [[c] for c in categories]
    if max((len(c) for c in categories), default=0) * CHAR_WIDTH + 10 > slot:
        wrapped = [_wrap(c) for c in categories]
    widest = max((len(line) for lines_ in wrapped for line in lines_), default=1)
    every = max(1, math.ceil((widest * CHAR_WIDTH + 10) / slot))  # labels never overlap
    out = ['<g class="x-axis" fill="currentColor">']
    for index, (lines_, x) in enumerate(zip(wrapped, centers, strict=True)):
        if index % every:
            continue
        y = HEIGHT - BOTTOM + 16
        if len(lines_) == 1:
            out.append(f'<text x="{number(x)}" y="{y}" text-anchor="middle">'
                       f'{escape(lines_[0])}</text>')
        else:
            spans = "".join(f'<tspan x="{number(x)}" dy="{0 if i == 0 else 13}">'
                            f'{escape(line)}</tspan>' for i, line in enumerate(lines_))
            out.append(f'<text x="{number(x)}" y="{y}" text-anchor="middle">{spans}</text>')
    out.append("</g>")
    return out


def _legend(series: Sequence[Series], lines: bool) -> tuple[list[str], float]:
    """The legend in words, wrapped into rows; returns it and the top margin it needs."""
    out = ['<g class="legend" fill="currentColor">']
    x, y = float(LEFT), 14.0
    for index, item in enumerate(series):
        width = 30 + CHAR_WIDTH * len(item.name)
        if x + width > WIDTH - RIGHT and x > LEFT:
            x, y = float(LEFT), y + LEGEND_ROW
        color = item.color or PALETTE[index % len(PALETTE)]
        if lines:
            out.append(f'<line x1="{number(x)}" x2="{number(x + 18)}" y1="{number(y)}" '
                       f'y2="{number(y)}" stroke="{color}" stroke-width="2"{_dash(index)}/>')
            out.append(_marker(index, x + 9, y, color))
        else:
            out.append(f'<rect x="{number(x)}" y="{number(y - 6)}" width="12" height="12" '
                       f'fill="{color}"/>')
        out.append(f'<text x="{number(x + 22)}" y="{number(y + 4)}">{escape(item.name)}</text>')
        x += width + 8
    out.append("</g>")
    return out, y + 20


def _empty(categories: Sequence[str], values: Sequence[float]) -> list[str]:
    if categories and any(values):
        return []
    middle = (HEIGHT - BOTTOM) / 2 + 10
    return [f'<text class="empty" x="{number((LEFT + WIDTH - RIGHT) / 2)}" '
            f'y="{number(middle)}" text-anchor="middle" fill="currentColor">'
            f'No data in this period</text>']


def _dash(index: int) -> str:
    dash = DASHES[index % len(DASHES)]
    return f' stroke-dasharray="{dash}"' if dash else ""


def _marker(index: int, x: float, y: float, color: str) -> str:
    shape = MARKERS[index % len(MARKERS)]
    if shape == "circle":
        return f'<circle cx="{number(x)}" cy="{number(y)}" r="3.5" fill="{color}"/>'
    if shape == "square":
        return (f'<rect x="{number(x - 3.5)}" y="{number(y - 3.5)}" width="7" height="7" '
                f'fill="{color}"/>')
    if shape == "triangle":
        points = f"{number(x)},{number(y - 4.5)} {number(x + 4.5)},{number(y + 3.5)} " \
                 f"{number(x - 4.5)},{number(y + 3.5)}"
    else:
        points = f"{number(x)},{number(y - 5)} {number(x + 5)},{number(y)} " \
                 f"{number(x)},{number(y + 5)} {number(x - 5)},{number(y)}"
    return f'<polygon points="{points}" fill="{color}"/>'


def _table(caption: str, first: str, categories: Sequence[str], series: Sequence[Series],
           fmt: str) -> Table:
    rows = tuple(
        (cat, *("" if s.values[i] is None else fmt.format(number(s.values[i] or 0.0))
                for s in series))
        for i, cat in enumerate(categories)
    )
    return Table(caption, (first, *(s.name for s in series)), rows)


def stacked_bars(plot_id: str, title: str, desc: str, categories: Sequence[str],
                 series: Sequence[Series], *, unit: str, first_column: str,
                 value_format: str = "{}", integer: bool = True) -> Plot:
    """One bar per category (a <g class="bar">), its series stacked bottom-up."""
    totals = [sum(s.values[i] or 0.0 for s in series) for i in range(len(categories))]
    bottom, top, ticks = scale(totals, integer)
    legend, margin = _legend(series, lines=False)
    y_of = _y_mapper(bottom, top, margin)
    plot_width = WIDTH - LEFT - RIGHT
    slot = plot_width / max(len(categories), 1)
    bar = max(1.0, slot * 0.7)
    out = _head(plot_id, title, desc) + _axes(ticks, y_of, unit, margin) + legend
    centers = []
    for index, category in enumerate(categories):
        x = LEFT + slot * index + (slot - bar) / 2
        centers.append(x + bar / 2)
        out.append(f'<g class="bar" data-category={quoteattr(category)}>')
        y = float(HEIGHT - BOTTOM)
        for number_, item in enumerate(series):
            value = item.values[index] or 0.0
            if value <= 0:
                continue
            height = y_of(0) - y_of(value)
            y -= height
            color = item.color or PALETTE[number_ % len(PALETTE)]
            out.append(f'<rect x="{number(x)}" y="{number(y)}" width="{number(bar)}" '
                       f'height="{number(height)}" fill="{color}">'
                       f'<title>{escape(category)}: {escape(item.name)} '
                       f'{escape(value_format.format(number(value)))}</title></rect>')
        out.append("</g>")
    out += _x_labels(categories, centers) + _empty(categories, totals)
    out.append("</svg>")
    return Plot(plot_id, title, desc, "\n".join(out),
                _table(title, first_column, categories, series, value_format))


def lines(plot_id: str, title: str, desc: str, categories: Sequence[str],
          series: Sequence[Series], *, unit: str, first_column: str,
          value_format: str = "{}") -> Plot:
    """One line per series (a <g class="series">), a marker on each value; None is a gap.
    The axis starts at 0, or lower when a value is negative (an overspent budget)."""
    values = [v for s in series for v in s.values if v is not None]
    bottom, top, ticks = scale(values)
    legend, margin = _legend(series, lines=True)
    y_of = _y_mapper(bottom, top, margin)
    plot_width = WIDTH - LEFT - RIGHT
    slot = plot_width / max(len(categories), 1)
    centers = [LEFT + slot * (i + 0.5) for i in range(len(categories))]
    out = _head(plot_id, title, desc) + _axes(ticks, y_of, unit, margin) + legend
    for index, item in enumerate(series):
        color = item.color or PALETTE[index % len(PALETTE)]
        out.append(f'<g class="series" data-series={quoteattr(item.name)}>')
        runs: list[list[str]] = [[]]
        for x, value in zip(centers, item.values, strict=True):
            if value is None:
                runs.append([])
            else:
                runs[-1].append(f"{number(x)},{number(y_of(value))}")
        for run in runs:
            if len(run) > 1:
                out.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="{color}" '
                           f'stroke-width="2"{_dash(index)}/>')
        if len(categories) <= MAX_MARKERS:
            for x, value in zip(centers, item.values, strict=True):
                if value is not None:
                    out.append(_marker(index, x, y_of(value), color))
        out.append("</g>")
    out += _x_labels(categories, centers) + _empty(categories, [1.0] if values else [])
    out.append("</svg>")
    return Plot(plot_id, title, desc, "\n".join(out),
                _table(title, first_column, categories, series, value_format))
