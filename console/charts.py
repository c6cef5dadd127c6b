"""Charts as inline SVG, drawn on the server: no script, no CDN, readable by a screen reader.

Each chart is an `<svg role="img">` whose <title> and <desc> say what it shows and its total and
peak in words; every bar and point carries its own <title> ("11-20：5"), which browsers show on
hover and which the tests read through `data-label` / `data-value`. The look comes from
console.css (svg.chart .bar, .bar2, .line, .axis).
"""
from __future__ import annotations

import itertools
from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 200
LEFT, RIGHT, TOP, BOTTOM = 36, 20, 10, 24  # margins for the axis labels
LINE_CLASSES = ("line", "line2")
_ids = itertools.count(1)


def _number(value: float) -> str:
    return f"{value:g}" if value != int(value) else str(int(value))


def _nice_max(value: float) -> float:
    """A round top for the axis (1, 2, 5 × 10ⁿ), so the scale reads at a glance."""
    if value <= 0:
        return 1
    step = 1.0
    while step * 10 <= value:
        step *= 10
    return next(m * step for m in (1, 2, 5, 10) if m * step >= value)


def _x_labels(labels: Sequence[str], x_of) -> str:
    """At most about ten labels under the axis: 90 days would otherwise overlap."""
    every = max(1, -(-len(labels) // 10))
    return "".join(f'<text x="{x_of(i):.1f}" y="{HEIGHT - 6}" text-anchor="middle">{escape(label)}</text>'
                   for i, label in enumerate(labels) if i % every == 0)


def _frame(title: str, summary: str, top: float, body: str) -> Markup:
    """The svg element with its accessible name and description, the axes and the y scale."""
    uid = next(_ids)
    base = HEIGHT - BOTTOM
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="chart{uid}t chart{uid}d" '
        f'preserveAspectRatio="xMidYMid meet">'
        f'<title id="chart{uid}t">{escape(title)}</title><desc id="chart{uid}d">{escape(summary)}</desc>'
        f'<line class="axis" x1="{LEFT}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}"/>'
        f'<line class="axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{base}"/>'
        f'<text x="{LEFT - 4}" y="{TOP + 8}" text-anchor="end">{_number(top)}</text>'
        f'<text x="{LEFT - 4}" y="{base}" text-anchor="end">0</text>{body}</svg>')


def _summary(labels: Sequence[str], values: Sequence[float], name: str = "") -> str:
    if not values:
        return "没有数据"
    peak = max(range(len(values)), key=lambda i: values[i])
    return (f"{name}合计 {_number(sum(values))}，最高 {_number(values[peak])}（{labels[peak]}）")


def _y(value: float, top: float) -> float:
    return HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * value / top


def bar_chart(title: str, points: Sequence[tuple[str, float]]) -> Markup:
    """One bar per (label, value), e.g. bookings per day."""
    labels, values = [p[0] for p in points], [p[1] for p in points]
    top = _nice_max(max(values, default=0))
    slot = (WIDTH - LEFT - RIGHT) / max(len(points), 1)
    bar = max(slot * 0.7, 1)

    def x_of(i: int) -> float:
        return LEFT + slot * i + slot / 2

    bars = "".join(
        f'<rect class="bar" x="{x_of(i) - bar / 2:.1f}" y="{_y(v, top):.1f}" width="{bar:.1f}" '
        f'height="{_y(0, top) - _y(v, top):.1f}" data-label="{escape(label)}" data-value="{_number(v)}">'
        f'<title>{escape(label)}：{_number(v)}</title></rect>'
        for i, (label, v) in enumerate(points))
    return _frame(title, _summary(labels, values), top, bars + _x_labels(labels, x_of))


def line_chart(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float]]]) -> Markup:
    """One line per named series over the same labels, e.g. conversations and questions per day."""
    top = _nice_max(max((v for _, values in series for v in values), default=0))
    step = (WIDTH - LEFT - RIGHT) / max(len(labels) - 1, 1)

    def x_of(i: int) -> float:
        return LEFT + step * i

    body = []
    for (name, values), css in zip(series, itertools.cycle(LINE_CLASSES)):
        coords = " ".join(f"{x_of(i):.1f},{_y(v, top):.1f}" for i, v in enumerate(values))
        body.append(f'<g data-series="{escape(name)}"><polyline class="{css}" points="{coords}"/>')
        body.extend(f'<circle class="{css}" cx="{x_of(i):.1f}" cy="{_y(v, top):.1f}" r="2.5" '
                    f'data-label="{escape(label)}" data-value="{_number(v)}">'
                    f'<title>{escape(name)} {escape(label)}：{_number(v)}</title></circle>'
                    for i, (label, v) in enumerate(zip(labels, values)))
        body.append("</g>")
    summary = "；".join(_summary(labels, values, name) for name, values in series)
    return _frame(title, summary, top, "".join(body) + _x_labels(labels, x_of))
