"""The geometry of the opinion map, drawn as SVG by the template.

Only positions are drawn: no participant id, no title or data attribute per point, and the
points are sorted by position so that their order in the file says nothing about who is who.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import ConvexHull, QhullError

WIDTH, HEIGHT, PAD = 640, 420, 36
PALETTE = ["#0b5cad", "#b34700", "#1d7a46", "#7a2e8f", "#8a6d00"]  # AA on white, and as fills


@dataclass(frozen=True)
class GroupShape:
    letter: str
    colour: str
    outline: str  # SVG points of the group's convex hull ("" when too few points)
    label_x: float
    label_y: float


@dataclass(frozen=True)
class MapDrawing:
    width: int
    height: int
    points: list[tuple[float, float, str]]  # x, y, colour
    groups: list[GroupShape]
    me: tuple[float, float] | None


def draw(
    coordinates: dict,
    groups: list[tuple[str, list]],  # (letter, members)
    me=None,
) -> MapDrawing:
    """Scale the map into the drawing and outline each group."""
    xy = np.array(list(coordinates.values()), dtype=float).reshape(-1, 2)
    if len(xy) == 0:
        return MapDrawing(WIDTH, HEIGHT, [], [], None)
    low, high = xy.min(axis=0), xy.max(axis=0)
    span = np.where(high - low > 0, high - low, 1.0)
    scale = min((WIDTH - 2 * PAD) / span[0], (HEIGHT - 2 * PAD) / span[1])
    offset = (np.array([WIDTH, HEIGHT]) - scale * span) / 2

    def place(point) -> tuple[float, float]:
        x, y = offset + scale * (np.asarray(point, dtype=float) - low)
        return round(float(x), 1), round(float(HEIGHT - y), 1)  # y up

    points: list[tuple[float, float, str]] = []
    shapes = []
    for index, (letter, members) in enumerate(groups):
        colour = PALETTE[index % len(PALETTE)]
        placed = [place(coordinates[m]) for m in members if m in coordinates]
        points.extend((x, y, colour) for x, y in placed)
        shapes.append(_shape(letter, colour, np.array(placed, dtype=float).reshape(-1, 2)))
    points.sort()
    return MapDrawing(
        WIDTH,
        HEIGHT,
        points,
        shapes,
        place(coordinates[me]) if me is not None and me in coordinates else None,
    )


def _shape(letter: str, colour: str, placed: np.ndarray) -> GroupShape:
    centre = placed.mean(axis=0) if len(placed) else np.array([WIDTH / 2, HEIGHT / 2])
    outline = ""
    if len(np.unique(placed, axis=0)) >= 3:
        try:
            hull = ConvexHull(placed)
            outline = " ".join(f"{x:.1f},{y:.1f}" for x, y in placed[hull.vertices])
        except QhullError:  # all points on a line
            outline = ""
    label_x = float(np.clip(centre[0], PAD, WIDTH - PAD))
    label_y = float(np.clip(centre[1], PAD, HEIGHT - PAD / 2))
    return GroupShape(letter, colour, outline, round(label_x, 1), round(label_y, 1))
