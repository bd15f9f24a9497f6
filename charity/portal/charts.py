"""Charts as inline SVG rendered on the server: no JavaScript, nothing to vendor, works
under a strict Content-Security-Policy and in a PDF.

Every text is escaped and every number is formatted by the caller's `fmt` (the page's locale
formatting), so the markup is safe to insert with `|safe`/Markup. The SVG scales to its
container (viewBox, width 100 %) and stays readable on a 360-px phone. It is an image with a
title and a description (role="img", aria-labelledby); the page follows it with a table of
the same numbers, because a picture alone is not accessible and not citable.

Colours come from CSS classes (static/css/portal.css), not inline styles.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from decimal import Decimal
from typing import Callable, Sequence

from markupsafe import Markup, escape

WIDTH, HEIGHT = 360, 220
LEFT, RIGHT, TOP, BOTTOM = 56, 8, 28, 36  # room for the value axis, the legend, the labels
_ids = itertools.count(1)


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[Decimal | int]
    css: str = "s1"  # colour class: s1, s2, s3


def _num(x: float) -> str:
    # Coordinates only (never money): two decimals are plenty for a 360-unit view box.
    return f"{x:.2f}".rstrip("0").rstrip(".")


def nice_max(value: Decimal | int) -> Decimal:
    """A round upper bound for the value axis (1, 2, 2.5 or 5 × 10^n), at least `value`."""
    value = Decimal(value)
    if value <= 0:
        return Decimal(1)
    exp = value.adjusted()
    for step in (1, 2, Decimal("2.5"), 5, 10):
        top = Decimal(step).scaleb(exp)
        if top >= value:
            return top
    return Decimal(10).scaleb(exp)  # pragma: no cover - the loop always returns


def _frame(title: str, desc: str, body: list[str], legend: Sequence[Series],
           uid: str | None) -> Markup:
    uid = escape(uid or next(_ids))
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
             f'aria-labelledby="chart-t{uid} chart-d{uid}" '
             f'preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="chart-t{uid}">{escape(title)}</title>',
             f'<desc id="chart-d{uid}">{escape(desc)}</desc>']
    x = LEFT
    for s in legend:
        parts.append(f'<rect class="{escape(s.css)}" x="{x}" y="6" width="10" height="10"/>'
                     f'<text class="legend" x="{x + 14}" y="15">{escape(s.name)}</text>')
        x += 24 + 12 * len(s.name)
    parts.extend(body)
    parts.append("</svg>")
    return Markup("".join(parts))


def _axes(top: Decimal, fmt: Callable, labels: Sequence[str]) -> list[str]:
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    out = []
    for i in range(5):  # four gridlines and the base line
        y = TOP + plot_h * i / 4
        value = Decimal(format(top * (4 - i) / 4, "f"))  # 1E+2 → 100
        out.append(f'<line class="grid" x1="{LEFT}" y1="{_num(y)}" x2="{WIDTH - RIGHT}" '
                   f'y2="{_num(y)}"/><text class="tick" x="{LEFT - 4}" y="{_num(y + 4)}" '
                   f'text-anchor="end">{escape(fmt(value))}</text>')
    n = len(labels)
    # At most ~6 category labels fit under 300 px: show every k-th one.
    k = max(1, -(-n // 6))
    for i, label in enumerate(labels):
        if i % k and i != n - 1:
            continue
        x = LEFT + plot_w * (i + 0.5) / n
        out.append(f'<text class="tick" x="{_num(x)}" y="{HEIGHT - BOTTOM + 16}" '
                   f'text-anchor="middle">{escape(label)}</text>')
    return out


def _scale(series: Sequence[Series]) -> Decimal:
    return nice_max(max((Decimal(v) for s in series for v in s.values), default=Decimal(0)))


def bar_chart(title: str, desc: str, labels: Sequence[str], series: Sequence[Series],
              fmt: Callable[[Decimal], str] = str, axis_fmt: Callable | None = None,
              uid: str | None = None) -> Markup:
    """Grouped vertical bars: one group per label, one bar per series. `fmt` formats the
    values (in each bar's tooltip), `axis_fmt` the value axis (default: `fmt`)."""
    top = _scale(series)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n, m = max(len(labels), 1), max(len(series), 1)
    group = plot_w / n
    bar = group * 0.8 / m
    body = _axes(top, axis_fmt or fmt, labels)
    for j, s in enumerate(series):
        for i, v in enumerate(s.values):
            v = max(Decimal(v), Decimal(0))
            h = float(v / top) * plot_h
            x = LEFT + group * i + group * 0.1 + bar * j
            body.append(f'<rect class="{escape(s.css)}" x="{_num(x)}" y="{_num(TOP + plot_h - h)}"'
                        f' width="{_num(bar)}" height="{_num(h)}"><title>'
                        f'{escape(labels[i])} {escape(s.name)}: {escape(fmt(Decimal(v)))}'
                        f'</title></rect>')
    return _frame(title, desc, body, series, uid)


def line_chart(title: str, desc: str, labels: Sequence[str], series: Sequence[Series],
               fmt: Callable[[Decimal], str] = str, axis_fmt: Callable | None = None,
               area: bool = True, uid: str | None = None) -> Markup:
    """One line per series (filled below for the first one when `area`), a dot per point."""
    top = _scale(series)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = max(len(labels), 1)
    body = _axes(top, axis_fmt or fmt, labels)
    base = TOP + plot_h
    for j, s in enumerate(series):
        pts = [(LEFT + plot_w * (i + 0.5) / n, base - float(Decimal(v) / top) * plot_h)
               for i, v in enumerate(s.values)]
        if not pts:
            continue
        path = " ".join(f"{_num(x)},{_num(y)}" for x, y in pts)
        if area and j == 0:
            body.append(f'<polygon class="{escape(s.css)} area" points="{_num(pts[0][0])},'
                        f'{_num(base)} {path} {_num(pts[-1][0])},{_num(base)}"/>')
        body.append(f'<polyline class="{escape(s.css)} line" points="{path}"/>')
        for (x, y), label, v in zip(pts, labels, s.values):
            body.append(f'<circle class="{escape(s.css)}" cx="{_num(x)}" cy="{_num(y)}" r="2.5">'
                        f'<title>{escape(label)} {escape(s.name)}: {escape(fmt(Decimal(v)))}'
                        f'</title></circle>')
    return _frame(title, desc, body, series, uid)


def percent(value: Decimal, target: Decimal | None) -> Decimal | None:
    """Percent of `target` reached, one decimal, not capped (a campaign may exceed its
    target); None without a target. The progress bar caps it at 100 itself."""
    if not target or target <= 0:
        return None
    return (Decimal(value) * 100 / Decimal(target)).quantize(Decimal("0.1"))
