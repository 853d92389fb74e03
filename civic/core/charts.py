"""The SVG charts that every package uses, drawn on the server. Each is shown with its data
table (collapsed under the chart where it is long), so that the figures are there for screen
readers and for anyone who prefers them.

Labels are never cut: a long label wraps onto several lines above its bar. Charts are drawn
for a 360-pixel column by default, the width of a phone, and grow with the text column on a
wider screen (see `.chart` in civic.css); figures are written next to each bar, so colour is
never the only cue.
"""

import textwrap

from markupsafe import Markup, escape

from civic.core import formatting

LINE = 18  # height of one line of label text, in SVG units (14 px text)
CHAR = 7.8  # average width of a character of 14 px system-ui text


def _wrap(text: str, width: float) -> list[str]:
    """The label on as many lines as it needs for the width, never cut."""
    return textwrap.wrap(str(text), max(8, int(width / CHAR)), break_long_words=False) or [""]


def _svg(title: str, width: int, height: float, body: list[str]) -> Markup:
    head = (
        f'<svg class="chart" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {width} {height:g}" width="{width}" height="{height:g}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    )
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704  # nosec B704 - all escaped


def _label(lines: list[str], x: float, y: float) -> str:
    """Lines of text from (x, y), the first line's baseline."""
    spans = "".join(
        f'<tspan x="{x:g}" dy="{0 if i == 0 else LINE}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return f'<text x="{x:g}" y="{y:g}" class="chart-label">{spans}</text>'


def bar_chart(
    values: list[int], labels: list[str], title: str, width: int = 360, bar_height: int = 18
) -> Markup:
    """Horizontal bars, each under its label, with the figure written at its end."""
    top = max(values) if values and max(values) > 0 else 1
    number_width = 48
    room = width - number_width
    parts, y = [], 4.0
    for value, label in zip(values, labels, strict=True):
        lines = _wrap(label, width)
        parts.append(_label(lines, 0, y + 12))
        y += LINE * len(lines) + 2
        length = round(room * value / top)
        parts.append(
            f'<rect x="0" y="{y:g}" width="{length}" height="{bar_height}" class="chart-bar">'
            f"</rect>"
            f'<text x="{length + 4}" y="{y + bar_height - 4:g}" class="chart-value">'
            f"{escape(formatting.number(value))}</text>"
        )
        y += bar_height + 10
    return _svg(title, width, y, parts)


# Series differ in shape as well as colour: filled, outlined, grey.
SERIES_STYLES = (
    'class="chart-bar"',
    'fill="#ffffff" stroke="#1f2933" stroke-width="1.5"',
    'fill="#9aa5b1"',
)


def _legend(names: list[str], swatches: list[str], width: int, y: float) -> tuple[list[str], float]:
    """Swatch and name for each series, flowing onto new lines; returns the parts and the y
    under the legend."""
    parts, x = [], 0.0
    for swatch, name in zip(swatches, names, strict=True):
        room = 22 + CHAR * len(str(name)) + 12
        if x and x + room > width:
            x, y = 0.0, y + LINE + 4
        parts.append(
            f'<rect x="{x:g}" y="{y:g}" width="14" height="12" {swatch}></rect>'
            f'<text x="{x + 20:g}" y="{y + 11:g}" class="chart-label">{escape(name)}</text>'
        )
        x += room
    return parts, y + LINE + 8


def share_chart(
    rows: list[tuple[str, list[float | None]]], series: list[str], title: str, width: int = 360
) -> Markup:
    """Bars of shares (0 to 1), one to three per label (one per series); a hidden value is
    written "< 5" and drawn as no bar."""
    value_width, bar = 64, 14
    room = width - value_width
    top = max([v for _, values in rows for v in values if v] or [1])
    parts, y = [], 4.0
    if len(series) > 1:
        legend, y = _legend(series, list(SERIES_STYLES[: len(series)]), width, y)
        parts.extend(legend)
    for label, values in rows:
        lines = _wrap(label, width)
        parts.append(_label(lines, 0, y + 12))
        y += LINE * len(lines) + 2
        for style, value in zip(SERIES_STYLES, values, strict=False):
            if value is None:
                written, length = "< 5", 0
            else:
                written, length = formatting.percent(value, 1), round(room * value / top)
            parts.append(
                f'<rect x="0" y="{y:g}" width="{length}" height="{bar}" {style}></rect>'
                f'<text x="{length + 4}" y="{y + bar - 2:g}" class="chart-value">'
                f"{escape(written)}</text>"
            )
            y += bar + 2
        y += 8
    return _svg(title, width, y, parts)


def merit_profile(
    rows: list[tuple[str, list[int]]],
    grades: list[str],
    colours: list[str],
    title: str,
    width: int = 360,
) -> Markup:
    """Each item's grades as one bar cut in as many parts, worst on the left, with the 50 %
    line: the majority grade is the one that line crosses (Balinski & Laraki's merit profile).
    A legend names the colour of each grade."""
    bar_height = 20
    swatches = [f'fill="{c}" stroke="#1a1a1a" stroke-width="0.5"' for c in colours]
    parts, y = _legend(grades, swatches, width, 4.0)
    first_bar = y
    for label, counts in rows:
        lines = _wrap(label, width)
        parts.append(_label(lines, 0, y + 12))
        y += LINE * len(lines) + 2
        total = sum(counts) or 1
        x = 0.0
        for grade, count in enumerate(counts):
            if count:
                length = width * count / total
                parts.append(
                    f'<rect x="{x:.1f}" y="{y:g}" width="{length:.1f}" height="{bar_height}" '
                    f'fill="{colours[grade]}" stroke="#ffffff" stroke-width="1">'
                    f"<title>{escape(str(grades[grade]))} : {count}</title></rect>"
                )
                x += length
        y += bar_height + 10
    middle = width / 2
    parts.append(
        f'<line x1="{middle:g}" y1="{first_bar:g}" x2="{middle:g}" y2="{y:g}" '
        f'stroke="#1a1a1a" stroke-width="2" stroke-dasharray="4 3"></line>'
        f'<text x="{middle:g}" y="{y + 14:g}" text-anchor="middle" class="chart-label">'
        f"{escape(formatting.percent(0.5))}</text>"
    )
    return _svg(title, width, y + 20, parts)
