"""Charts drawn on the server as SVG: no script, nothing fetched, readable by a screen reader (a title and a
description name the chart; every chart sits beside the table of its figures), and the same in print.

Text in a chart is escaped here: labels may one day carry a team's or a person's name.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

# Drawn narrow, so that on a 375 px phone the words stay about 14 px high.
WIDTH = 420
BAR_HEIGHT = 26
GAP = 10
LABEL_WIDTH = 116
VALUE_WIDTH = 56


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # a share from 0 to 1, or None when there is nothing to show
    text: str  # the value as people read it ("75%", "fewer than 10")


def bar_chart(chart_id: str, title: str, description: str, bars: list[Bar]) -> Markup:
    """Horizontal bars of shares (0-100%), one a row, with the value written at the end of each bar."""
    height = max(1, len(bars)) * (BAR_HEIGHT + GAP) + GAP
    track = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    parts = [
        f'<svg class="portal-chart" id="{escape(chart_id)}" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>',
    ]
    for number, bar in enumerate(bars):
        top = GAP + number * (BAR_HEIGHT + GAP)
        middle = top + BAR_HEIGHT / 2
        parts.append(f'<text class="portal-chart__label" x="{LABEL_WIDTH - 8}" y="{middle}" text-anchor="end" '
                     f'dominant-baseline="middle">{escape(bar.label)}</text>')
        parts.append(f'<rect class="portal-chart__track" x="{LABEL_WIDTH}" y="{top}" width="{track}" '
                     f'height="{BAR_HEIGHT}"/>')
        if bar.value is not None:
            length = round(track * min(max(bar.value, 0.0), 1.0), 1)
            parts.append(f'<rect class="portal-chart__bar" x="{LABEL_WIDTH}" y="{top}" width="{length}" '
                         f'height="{BAR_HEIGHT}"/>')
        parts.append(f'<text class="portal-chart__value" x="{LABEL_WIDTH + track + 8}" y="{middle}" '
                     f'dominant-baseline="middle">{escape(bar.text)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
