"""Charts drawn on the server as accessible SVG; each is shown with its data table."""

from markupsafe import Markup, escape


def bar_chart(
    values: list[int],
    labels: list[str],
    title: str,
    width: int = 360,
    bar_height: int = 26,
    label_width: int = 90,
) -> Markup:
    """Horizontal bars; the figures are also written, so colour is never the only cue."""
    top = max(values) if values and max(values) > 0 else 1
    height = bar_height * len(values) + 8
    number_width = 40
    room = width - label_width - number_width
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    for i, (value, label) in enumerate(zip(values, labels, strict=True)):
        y = 4 + i * bar_height
        length = round(room * value / top)
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 17}" text-anchor="end" class="chart-label">'
            f"{escape(label)}</text>"
            f'<rect x="{label_width}" y="{y + 4}" width="{length}" height="{bar_height - 8}" '
            f'class="chart-bar"></rect>'
            f'<text x="{label_width + length + 4}" y="{y + 17}" class="chart-value">{value}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  # nosec B704 - every text above is escaped
