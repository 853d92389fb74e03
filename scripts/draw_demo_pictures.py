"""Draws the demo's pictures and the drawings of the public services' types: flat scenes in
soft colours, 1200 x 480, with no text in them, in the style of the climate plan's cover.

    .venv/bin/python scripts/draw_demo_pictures.py

Each picture is drawn twice as large and reduced (smooth edges), then kept to a small
palette so that the PNG stays small (< 60 KB). The text alternatives that describe them are
written next to where the demo uses them (civic/*/demo.py)."""

import math
import random
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
W, H = 1200, 480
S = 2  # drawn at twice the size, then reduced

# Soft colours, as in the climate plan's cover.
SKY_TOP, SKY_LOW = (214, 233, 239), (238, 240, 228)
HILL_FAR, HILL_MID, HILL_NEAR = (170, 204, 152), (144, 189, 126), (112, 163, 98)
GRASS = (98, 150, 86)
TREE, TREE_DARK, TRUNK = (70, 133, 80), (52, 112, 66), (122, 82, 56)
ROOF, ROOF_LIGHT, WALL, WALL_LIGHT = (192, 88, 58), (214, 118, 78), (238, 216, 190), (246, 232, 210)
DOOR, WINDOW = (122, 82, 56), (252, 236, 160)
SUN = (252, 203, 87)
ROAD, LINE = (127, 127, 127), (245, 245, 245)
WATER, WATER_DARK, WATER_LIGHT = (120, 190, 220), (86, 160, 200), (176, 222, 238)
WHITE = (250, 250, 247)
INK = (60, 64, 70)
SKINS = [(246, 208, 170), (214, 160, 120), (150, 100, 70), (110, 72, 50), (232, 186, 150)]
HAIRS = [(70, 50, 40), (40, 36, 34), (150, 110, 60), (200, 200, 195), (110, 70, 40)]
SHIRTS = [
    (86, 132, 190), (226, 124, 96), (242, 190, 80), (120, 170, 120), (170, 120, 180),
    (90, 160, 170), (220, 150, 170),
]  # fmt: skip
FLOOR, WALL_IN = (214, 196, 170), (240, 232, 216)


class Canvas:
    """Coordinates in the 1200 x 480 picture; drawn at S times the size."""

    def __init__(self, top=SKY_TOP, low=SKY_LOW, horizon=300):
        self.image = Image.new("RGB", (W * S, H * S), low)
        self.d = ImageDraw.Draw(self.image)
        self.rng = random.Random(16)  # noqa: S311  # nosec B311 - a drawing, not security
        bands = 8
        for i in range(bands):  # a sky in flat bands, light near the horizon
            t = i / (bands - 1)
            colour = tuple(round(a + (b - a) * t) for a, b in zip(top, low, strict=True))
            self.rect(0, horizon * i / bands, W, horizon * (i + 1) / bands + 1, colour)

    @staticmethod
    def _p(points):
        return [(x * S, y * S) for x, y in points]

    def rect(self, x0, y0, x1, y1, fill, radius=0):
        box = [x0 * S, y0 * S, x1 * S, y1 * S]
        if radius:
            self.d.rounded_rectangle(box, radius * S, fill=fill)
        else:
            self.d.rectangle(box, fill=fill)

    def ellipse(self, cx, cy, rx, ry, fill, outline=None, width=0):
        self.d.ellipse(
            [(cx - rx) * S, (cy - ry) * S, (cx + rx) * S, (cy + ry) * S],
            fill=fill,
            outline=outline,
            width=width * S,
        )

    def circle(self, cx, cy, r, fill, outline=None, width=0):
        self.ellipse(cx, cy, r, r, fill, outline, width)

    def poly(self, points, fill):
        self.d.polygon(self._p(points), fill=fill)

    def line(self, points, fill, width):
        self.d.line(self._p(points), fill=fill, width=round(width * S), joint="curve")

    def save(self, path: Path, colours: int = 64) -> None:
        small = self.image.resize((W, H), Image.LANCZOS)
        quantised = small.quantize(colours, method=Image.Quantize.FASTOCTREE, dither=0)
        path.parent.mkdir(parents=True, exist_ok=True)
        quantised.save(path, optimize=True)
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size // 1024} KB")


# --- landscape --------------------------------------------------------------------------------


def hill(c: Canvas, base, amplitude, waves, phase, fill, bottom=H):
    points = [(0, bottom)]
    for x in range(0, W + 21, 20):
        y = base - amplitude * math.sin(x / W * math.pi * waves + phase)
        points.append((x, y))
    points.append((W, bottom))
    c.poly(points, fill)


def landscape(c: Canvas, ground=360):
    hill(c, 290, 30, 2.2, 0.4, HILL_FAR)
    hill(c, 320, 24, 3.1, 2.0, HILL_MID)
    hill(c, ground, 10, 1.5, 1.0, HILL_NEAR)
    c.rect(0, ground + 12, W, H, GRASS)


def sun(c: Canvas, x=1000, y=90, r=52):
    c.circle(x, y, r, SUN)


def cloud(c: Canvas, x, y, s=1.0):
    for dx, dy, r in ((0, 0, 26), (30, -12, 32), (64, 0, 26), (30, 8, 24)):
        c.circle(x + dx * s, y + dy * s, r * s, WHITE)


def tree(c: Canvas, x, ground, s=1.0, crown=TREE):
    c.rect(x - 5 * s, ground - 40 * s, x + 5 * s, ground, TRUNK)
    c.circle(x, ground - 52 * s, 26 * s, crown)


def house(c: Canvas, x, ground, w=90, h=70, wall=WALL, roof=ROOF, solar=False):
    c.rect(x, ground - h, x + w, ground, wall)
    c.poly([(x - 10, ground - h), (x + w / 2, ground - h - 46), (x + w + 10, ground - h)], roof)
    if solar:
        c.poly(
            [
                (x + w * 0.55, ground - h - 36),
                (x + w * 0.75, ground - h - 20),
                (x + w * 0.62, ground - h - 12),
                (x + w * 0.42, ground - h - 28),
            ],
            (52, 72, 120),
        )
    c.rect(x + w * 0.6, ground - 34, x + w * 0.6 + 18, ground, DOOR)
    c.rect(x + w * 0.18, ground - h + 18, x + w * 0.18 + 18, ground - h + 36, WINDOW)


def road(c: Canvas, y, height=26):
    c.rect(0, y, W, y + height, ROAD)
    for x in range(10, W, 80):
        c.rect(x, y + height / 2 - 2, x + 40, y + height / 2 + 2, LINE)


# --- people and things ------------------------------------------------------------------------


def person(c: Canvas, x, ground, s=1.0, shirt=None, skin=None, hair=None, arms_up=False):
    rng = c.rng
    shirt = shirt or rng.choice(SHIRTS)
    skin = skin or rng.choice(SKINS)
    hair = hair or rng.choice(HAIRS)
    legs = (72, 78, 96)
    c.rect(x - 9 * s, ground - 40 * s, x - 2 * s, ground, legs)
    c.rect(x + 2 * s, ground - 40 * s, x + 9 * s, ground, legs)
    c.rect(x - 14 * s, ground - 86 * s, x + 14 * s, ground - 36 * s, shirt, radius=9 * s)
    if arms_up:
        c.line([(x + 12 * s, ground - 80 * s), (x + 30 * s, ground - 108 * s)], shirt, 7 * s)
    c.circle(x, ground - 100 * s, 14 * s, skin)
    c.ellipse(x, ground - 108 * s, 14 * s, 8 * s, hair)


def seated(c: Canvas, x, seat_y, s=1.0, shirt=None, skin=None, hair=None):
    """A person seen from behind, seated: head and shoulders above the chair's back."""
    rng = c.rng
    shirt = shirt or rng.choice(SHIRTS)
    c.rect(x - 18 * s, seat_y - 46 * s, x + 18 * s, seat_y, shirt, radius=12 * s)
    c.circle(x, seat_y - 60 * s, 15 * s, skin or rng.choice(SKINS))
    c.ellipse(x, seat_y - 64 * s, 15 * s, 12 * s, hair or rng.choice(HAIRS))


def bike(c: Canvas, x, ground, s=1.0, frame=(40, 120, 80), rider=True):
    r = 22 * s
    back, front = (x - 34 * s, ground - r), (x + 34 * s, ground - r)
    for cx, cy in (back, front):
        c.circle(cx, cy, r, None, outline=INK, width=max(1, round(4 * s)))
    seat, bar, pedal = (x - 10 * s, ground - 52 * s), (x + 24 * s, ground - 56 * s), (x, ground - r)
    c.line([back, pedal, front, bar, (x - 8 * s, ground - 46 * s), back], frame, 4 * s)
    c.line([pedal, seat], frame, 4 * s)
    if rider:
        shirt = c.rng.choice(SHIRTS)
        c.line([(x - 8 * s, ground - 56 * s), (x + 2 * s, ground - 96 * s)], shirt, 16 * s)
        c.line([(x + 2 * s, ground - 90 * s), bar], shirt, 6 * s)
        c.line([seat, (x + 6 * s, ground - 40 * s), pedal], (72, 78, 96), 7 * s)
        c.circle(x + 6 * s, ground - 110 * s, 13 * s, c.rng.choice(SKINS))
        c.ellipse(x + 6 * s, ground - 118 * s, 13 * s, 7 * s, (70, 150, 200))  # helmet


def bus(c: Canvas, x, ground, w=220, colour=(232, 120, 80)):
    c.rect(x, ground - 96, x + w, ground - 14, colour, radius=14)
    for wx in range(int(x) + 16, int(x + w) - 40, 40):
        c.rect(wx, ground - 84, wx + 30, ground - 56, WATER_LIGHT, radius=4)
    c.rect(x + w - 30, ground - 84, x + w - 10, ground - 20, WATER_LIGHT, radius=4)
    for wx in (x + 40, x + w - 50):
        c.circle(wx, ground - 14, 16, INK)
        c.circle(wx, ground - 14, 7, (180, 180, 180))


def table(c: Canvas, x0, x1, top, colour=(196, 150, 100)):
    c.rect(x0, top, x1, top + 14, colour, radius=4)
    c.rect(x0 + 16, top + 14, x0 + 28, top + 70, colour)
    c.rect(x1 - 28, top + 14, x1 - 16, top + 70, colour)


def plant(c: Canvas, x, ground, s=1.0):
    c.rect(x - 14 * s, ground - 30 * s, x + 14 * s, ground, ROOF_LIGHT, radius=4 * s)
    for dx, dy in ((-10, -50), (8, -58), (0, -70), (-16, -34), (14, -40)):
        c.ellipse(x + dx * s, ground + dy * s, 10 * s, 18 * s, TREE)


def interior(horizon=330) -> Canvas:
    c = Canvas(WALL_IN, WALL_IN, horizon)
    c.rect(0, horizon, W, H, FLOOR)
    return c


# --- the demo's consultation, workshops and events ------------------------------------------


def workshop_mobility() -> Canvas:
    """Bikes on a cycle path, a bus, people walking, between two villages."""
    c = Canvas()
    sun(c, 160, 90, 46)
    cloud(c, 820, 80)
    landscape(c, 330)
    for x in (70, 180):
        house(c, x, 330, 80, 60, roof=ROOF_LIGHT)
    house(c, 980, 330, 90, 64, solar=True)
    tree(c, 320, 340)
    tree(c, 900, 338, 0.9)
    road(c, 372, 30)  # the road
    bus(c, 700, 398, 240, (86, 150, 190))
    c.rect(0, 420, W, 448, (198, 126, 96))  # the cycle path, in brick colour
    for x in range(40, W, 120):
        c.rect(x, 432, x + 50, 436, LINE)
    bike(c, 300, 446, 1.0, (40, 120, 80))
    bike(c, 470, 446, 1.0, (200, 90, 70))
    bike(c, 600, 446, 0.85, (90, 110, 180))
    person(c, 1040, 470, 0.8)
    person(c, 1080, 470, 0.75)
    return c


def workshop_renovation() -> Canvas:
    """A house being insulated: scaffolding, panels of insulation, solar panels on the roof,
    a worker on a ladder and neighbours who look."""
    c = Canvas()
    sun(c, 1040, 90)
    cloud(c, 180, 70, 0.9)
    landscape(c, 360)
    x, ground, w, h = 420, 400, 360, 190
    c.rect(x, ground - h, x + w, ground, WALL)
    c.rect(x, ground - h, x + w * 0.45, ground, (236, 232, 210))  # the new insulated half
    c.poly([(x - 24, ground - h), (x + w / 2, ground - h - 120), (x + w + 24, ground - h)], ROOF)
    for i in range(3):  # solar panels on the roof
        px = x + w / 2 + 20 + i * 46
        slope = (px - x - w / 2) * 120 / (w / 2 + 24)
        c.poly(
            [
                (px, ground - h - 110 + slope),
                (px + 40, ground - h - 110 + slope + 26),
                (px + 40, ground - h - 80 + slope + 26),
                (px, ground - h - 80 + slope),
            ],
            (52, 72, 120),
        )
    for wx in (x + 40, x + 230):
        c.rect(wx, ground - h + 40, wx + 60, ground - h + 100, WINDOW)
        c.rect(wx - 4, ground - h + 100, wx + 64, ground - h + 106, WHITE)
    c.rect(x + 150, ground - 90, x + 200, ground, DOOR)
    for sx in (x - 10, x + 80, x + 170):  # scaffolding on the left half
        c.rect(sx, ground - h - 10, sx + 6, ground, (150, 150, 150))
    for sy in (ground - 60, ground - 130):
        c.rect(x - 14, sy, x + 180, sy + 8, (200, 160, 90))
    c.rect(x - 200, ground - 40, x - 100, ground, (246, 224, 120), radius=3)  # panels of wool
    c.rect(x - 190, ground - 72, x - 110, ground - 40, (246, 224, 120), radius=3)
    c.line([(x + 280, ground), (x + 330, ground - 170)], (150, 150, 150), 6)  # ladder
    c.line([(x + 310, ground), (x + 360, ground - 170)], (150, 150, 150), 6)
    for i in range(1, 8):
        t = i / 8
        c.line(
            [(x + 280 + 50 * t, ground - 170 * t), (x + 310 + 50 * t, ground - 170 * t)],
            (150, 150, 150),
            4,
        )
    person(c, x + 330, ground - 100, 0.8, shirt=(242, 150, 60), arms_up=True)
    person(c, 200, 460, 1.0)
    person(c, 250, 462, 0.9)
    tree(c, 1000, 420, 1.2)
    tree(c, 1100, 410, 1.0, TREE_DARK)
    return c


def event_meeting() -> Canvas:
    """A public meeting: a screen showing a sun and a wind turbine, a speaker at a lectern,
    rows of people seen from behind."""
    c = interior(300)
    c.rect(360, 40, 840, 250, WHITE, radius=6)
    c.rect(380, 60, 820, 230, SKY_TOP)
    c.circle(720, 110, 30, SUN)
    c.poly([(380, 230), (380, 190), (520, 170), (680, 200), (820, 180), (820, 230)], HILL_MID)
    c.rect(497, 110, 503, 190, WHITE)  # a wind turbine
    for angle in (90, 210, 330):
        a = math.radians(angle)
        c.line([(500, 110), (500 + 44 * math.cos(a), 110 - 44 * math.sin(a))], WHITE, 5)
    c.rect(900, 180, 960, 300, (150, 110, 80), radius=4)  # the lectern and the speaker
    person(c, 930, 250, 0.9, shirt=(86, 132, 190))
    c.rect(900, 180, 960, 300, (150, 110, 80), radius=4)
    plant(c, 80, 330)
    plant(c, 1120, 330)
    for row, (y, s) in enumerate(((380, 0.95), (450, 1.15), (530, 1.35))):
        step = 110 * s
        start = 80 + (row % 2) * step / 2
        x = start
        while x < W - 40:
            c.rect(x - 26 * s, y - 28 * s, x + 26 * s, y + 30 * s, (120, 90, 70), radius=6)
            seated(c, x, y, s)
            x += step
    return c


def event_housing_desk() -> Canvas:
    """A permanence: an adviser and a resident at a desk, the model of a house with a solar
    panel and plans between them, a shelf of binders behind."""
    c = interior(320)
    c.rect(0, 0, W, 24, (226, 214, 196))
    c.rect(80, 70, 420, 84, (170, 130, 90))  # shelves with binders
    c.rect(80, 170, 420, 184, (170, 130, 90))
    for i, x in enumerate(range(92, 400, 26)):
        c.rect(x, 84 - 70 + (i % 3) * 4, x + 20, 70, SHIRTS[i % len(SHIRTS)], radius=2)
        c.rect(x, 110 + (i % 2) * 6, x + 20, 170, SHIRTS[(i + 3) % len(SHIRTS)], radius=2)
    c.rect(820, 60, 1060, 220, SKY_TOP, radius=4)  # a window on the village
    c.poly([(820, 220), (820, 170), (940, 150), (1060, 175), (1060, 220)], HILL_MID)
    house(c, 890, 206, 50, 36)
    c.rect(820, 136, 1060, 142, WHITE)
    c.rect(936, 60, 942, 220, WHITE)
    person(c, 380, 390, 1.4, shirt=(120, 170, 120))  # the resident
    person(c, 820, 390, 1.4, shirt=(86, 132, 190))  # the adviser
    table(c, 300, 900, 330)
    c.rect(420, 300, 560, 330, WHITE)  # plans on the desk
    c.line([(430, 310), (540, 310), (540, 322)], (86, 132, 190), 3)
    x, ground = 620, 330  # the model house
    c.rect(x, ground - 50, x + 80, ground, WALL_LIGHT)
    c.poly([(x - 8, ground - 50), (x + 40, ground - 90), (x + 88, ground - 50)], ROOF)
    c.poly(
        [
            (x + 46, ground - 84),
            (x + 70, ground - 64),
            (x + 62, ground - 58),
            (x + 40, ground - 78),
        ],
        (52, 72, 120),
    )  # noqa: E501
    c.rect(x + 30, ground - 26, x + 46, ground, DOOR)
    plant(c, 1130, 470, 1.2)
    return c


def event_water_visit() -> Canvas:
    """A visit of the water treatment plant: round basins of water, the plant's building,
    a group with a guide in a high-visibility vest."""
    c = Canvas()
    sun(c, 1060, 80, 44)
    cloud(c, 300, 70)
    landscape(c, 320)
    c.rect(80, 190, 300, 330, (214, 210, 200))  # the building
    c.rect(80, 180, 300, 196, (160, 150, 140))
    for wx in (110, 170, 230):
        c.rect(wx, 220, wx + 36, 260, WATER_LIGHT)
    c.rect(170, 280, 210, 330, DOOR)
    for cx, cy, rx in ((520, 340, 150), (860, 332, 130)):  # basins, seen from the side
        c.ellipse(cx, cy, rx, 34, (180, 176, 168))
        c.ellipse(cx, cy - 4, rx - 12, 26, WATER)
        c.ellipse(cx - rx * 0.3, cy - 8, rx * 0.35, 8, WATER_LIGHT)
        c.rect(cx - 4, cy - 60, cx + 4, cy - 4, (150, 150, 150))
        c.line([(cx - rx + 20, cy - 50), (cx + rx - 20, cy - 50)], (150, 150, 150), 5)
    c.rect(0, 400, W, H, (176, 170, 156))  # the path of the visit
    person(c, 300, 470, 1.0, shirt=(246, 196, 40), arms_up=True)  # the guide
    for i, x in enumerate((420, 480, 540, 610, 680, 760)):
        person(c, x, 476 - (i % 2) * 6, 0.9 - (i % 3) * 0.05)
    tree(c, 1120, 420, 1.3)
    tree(c, 40, 420, 1.1, TREE_DARK)
    return c


def event_online_budget() -> Canvas:
    """An online session: a laptop whose screen shows four faces in a video call, beside it a
    ballot box with a coin and a pot of coins."""
    c = interior(360)
    c.rect(0, 360, W, H, (196, 160, 120))  # the desk
    plant(c, 1080, 372, 1.3)
    x0, x1, top, bottom = 330, 870, 60, 360  # the laptop
    c.rect(x0, top, x1, bottom, (70, 74, 82), radius=14)
    c.rect(x0 + 16, top + 16, x1 - 16, bottom - 16, (226, 232, 236))
    c.poly(
        [(x0 - 60, bottom), (x1 + 60, bottom), (x1 + 20, bottom + 30), (x0 - 20, bottom + 30)],
        (150, 156, 164),
    )  # noqa: E501
    tiles = [(x0 + 16, top + 16), ((x0 + x1) / 2 + 4, top + 16)]
    tiles += [(x0 + 16, (top + bottom) / 2 + 4), ((x0 + x1) / 2 + 4, (top + bottom) / 2 + 4)]
    tw, th = (x1 - x0) / 2 - 20, (bottom - top) / 2 - 20
    for i, (tx, ty) in enumerate(tiles):
        c.rect(
            tx,
            ty,
            tx + tw,
            ty + th,
            [SKY_TOP, (236, 224, 206), (220, 232, 214), (232, 220, 234)][i],
        )  # noqa: E501
        cx = tx + tw / 2
        c.rect(cx - 40, ty + th - 44, cx + 40, ty + th, SHIRTS[i + 1], radius=14)
        c.circle(cx, ty + th - 66, 24, SKINS[i])
        c.ellipse(cx, ty + th - 80, 24, 13, HAIRS[i])
    c.rect(90, 250, 230, 380, (86, 132, 190), radius=6)  # the ballot box
    c.rect(130, 250, 190, 258, INK)
    c.circle(160, 218, 22, SUN, outline=(220, 160, 50), width=3)
    for i in range(5):  # a pile of coins
        c.ellipse(980, 392 - i * 12, 46, 14, SUN, outline=(220, 160, 50), width=2)
    return c


def event_waste() -> Canvas:
    """The collection of waste: a refuse lorry in a village street, wheeled bins in the
    colours of sorting (yellow, green, grey) before the houses."""
    c = Canvas()
    sun(c, 130, 90, 44)
    cloud(c, 900, 70)
    landscape(c, 330)
    for i, x in enumerate((40, 200, 370, 880, 1040)):
        house(
            c,
            x,
            350,
            110,
            80,
            wall=WALL if i % 2 else WALL_LIGHT,
            roof=ROOF if i % 2 else ROOF_LIGHT,
        )  # noqa: E501
    road(c, 392, 60)
    x, ground = 500, 430  # the lorry
    c.rect(x, ground - 120, x + 240, ground - 20, (120, 176, 110), radius=10)
    c.rect(x + 240, ground - 96, x + 330, ground - 20, WHITE, radius=10)
    c.rect(x + 270, ground - 86, x + 318, ground - 56, WATER_LIGHT, radius=4)
    for wx in (x + 60, x + 190, x + 290):
        c.circle(wx, ground - 18, 22, INK)
        c.circle(wx, ground - 18, 9, (180, 180, 180))
    person(c, x - 30, ground + 8, 0.9, shirt=(246, 160, 40))
    for i, (bx, colour) in enumerate(
        (
            (240, (246, 204, 70)),
            (300, (110, 160, 100)),
            (360, (130, 130, 130)),
            (900, (246, 204, 70)),
            (960, (110, 160, 100)),
        )
    ):  # noqa: E501
        c.rect(bx, 330, bx + 48, 392, colour, radius=5)
        c.rect(bx - 3, 324, bx + 51, 334, tuple(max(0, v - 30) for v in colour), radius=3)
        c.circle(bx + 10 + (i % 2) * 28, 394, 7, INK)
    return c


def event_mobility_meeting() -> Canvas:
    """Between two towns: the metro on its viaduct, a bus and a cyclist on the road, a group
    that talks at a bus stop."""
    c = Canvas()
    sun(c, 600, 80, 40)
    cloud(c, 200, 90, 0.8)
    cloud(c, 950, 60, 0.9)
    landscape(c, 320)
    for x, hgt in ((30, 120), (110, 160), (190, 100)):  # Labège's offices
        c.rect(x, 320 - hgt, x + 70, 330, (206, 214, 222))
        for wy in range(int(330 - hgt) + 14, 310, 26):
            c.rect(x + 12, wy, x + 58, wy + 12, WATER_LIGHT)
    house(c, 1000, 330, 80, 60)
    house(c, 1090, 334, 80, 56, solar=True)
    c.rect(0, 236, W, 250, (190, 190, 186))  # the viaduct
    for px in range(120, W, 200):
        c.rect(px, 250, px + 20, 330, (190, 190, 186))
    c.rect(300, 190, 760, 236, WHITE, radius=16)  # the metro
    for wx in range(320, 740, 50):
        c.rect(wx, 202, wx + 36, 222, (86, 150, 190), radius=3)
    c.rect(300, 226, 760, 232, (232, 120, 80))
    road(c, 380, 44)
    bus(c, 760, 418, 230, (232, 120, 80))
    bike(c, 420, 428, 0.9)
    c.rect(120, 330, 128, 430, INK)  # the bus stop and the group
    c.rect(100, 330, 200, 344, (86, 150, 190))
    for x in (160, 210, 255, 300):
        person(c, x, 470, 0.85)
    return c


# --- the drawings of the public services' types ------------------------------------------------


def service_pool() -> Canvas:
    """A swimming pool: lanes with their floats, swimmers, a ladder and a diving board."""
    c = Canvas(horizon=200)
    sun(c, 1080, 70, 40)
    hill(c, 190, 18, 2, 1, HILL_FAR, 230)
    c.rect(0, 200, W, H, (236, 228, 214))  # the pool's edge
    c.rect(60, 240, 1140, 460, WATER_DARK, radius=8)
    c.rect(70, 250, 1130, 450, WATER)
    for y in (305, 360, 415):  # lane ropes
        for x in range(80, 1120, 24):
            c.circle(x, y, 6, (232, 120, 80) if (x // 24) % 2 else WHITE)
    for x, y, colour in ((300, 280, (232, 120, 80)), (620, 336, SUN), (860, 390, (170, 120, 180))):
        c.ellipse(x - 30, y, 40, 8, WATER_LIGHT)
        c.circle(x, y - 2, 12, SKINS[x % 5])
        c.ellipse(x, y - 8, 12, 6, colour)  # swimming cap
        c.line([(x + 10, y - 2), (x + 40, y - 20)], SKINS[x % 5], 6)
    for dx in (0, 30):  # the ladder
        c.line([(1050 + dx, 200), (1050 + dx, 270)], (180, 180, 180), 6)
    c.rect(140, 214, 300, 226, WHITE)  # the diving board
    c.rect(140, 200, 160, 240, (180, 180, 180))
    for x in (500, 560):
        c.ellipse(x, 170, 60, 20, WHITE)
    return c


def service_library() -> Canvas:
    """A media library: shelves of books in many colours, a reading table with a reader, a
    child with a book on a cushion, a plant."""
    c = interior(360)
    rng = random.Random(3)  # noqa: S311  # nosec B311 - a drawing, not security
    for x0 in (40, 420):  # two bookcases
        c.rect(x0, 40, x0 + 340, 350, (196, 150, 100))
        for shelf in range(4):
            y = 56 + shelf * 74
            c.rect(x0 + 12, y, x0 + 328, y + 62, (170, 122, 80))
            x = x0 + 16
            while x < x0 + 318:
                bw = rng.randint(12, 22)
                bh = rng.randint(40, 60)
                c.rect(x, y + 62 - bh, x + bw, y + 62, rng.choice(SHIRTS + [ROOF, (86, 120, 160)]))  # noqa: E501
                x += bw + 3
    c.rect(840, 60, 1140, 260, SKY_TOP, radius=6)  # a window
    c.poly([(840, 260), (840, 200), (990, 180), (1140, 210), (1140, 260)], HILL_MID)
    c.rect(986, 60, 994, 260, WHITE)
    person(c, 960, 440, 1.1, shirt=(120, 170, 120))  # a reader at the table
    table(c, 840, 1120, 370)
    c.poly([(930, 370), (960, 350), (990, 370)], WHITE)  # an open book
    c.ellipse(300, 440, 90, 26, (226, 124, 96))  # a cushion and a child reading
    seated(c, 300, 440, 0.9, shirt=(242, 190, 80))
    c.rect(270, 390, 330, 410, (86, 132, 190), radius=3)
    plant(c, 760, 420, 1.3)
    return c


def service_nursery() -> Canvas:
    """A nursery: a low colourful building, a small garden with a slide, blocks and a
    pushchair, a parent with a toddler."""
    c = Canvas()
    sun(c, 1060, 80, 44)
    cloud(c, 160, 80)
    landscape(c, 330)
    x, ground = 360, 380
    c.rect(x, ground - 130, x + 420, ground, WALL_LIGHT, radius=6)
    c.rect(x - 14, ground - 150, x + 434, ground - 124, (120, 170, 120), radius=8)
    for i, wx in enumerate((x + 30, x + 130, x + 300)):
        c.rect(wx, ground - 100, wx + 70, ground - 50, WINDOW)
        c.rect(wx, ground - 110, wx + 70, ground - 100, SHIRTS[i])
    c.rect(x + 210, ground - 90, x + 260, ground, (86, 132, 190))
    c.rect(0, ground, W, H, GRASS)
    c.poly(
        [(900, ground + 40), (1000, ground - 60), (1016, ground - 60), (940, ground + 40)],
        (232, 120, 80),
    )  # noqa: E501
    c.line([(1010, ground - 60), (1050, ground + 40)], (150, 150, 150), 6)
    c.line([(1000, ground - 60), (1030, ground - 60)], (150, 150, 150), 6)
    for i, (bx, by) in enumerate(((140, 446), (176, 446), (158, 414))):  # blocks
        c.rect(bx, by - 32, bx + 32, by, SHIRTS[i + 2], radius=4)
    person(c, 640, 470, 1.0, shirt=(170, 120, 180))  # a parent and a toddler
    person(c, 690, 470, 0.55, shirt=(242, 190, 80))
    c.rect(760, 420, 830, 450, (86, 150, 190), radius=12)  # the pushchair
    c.line([(760, 424), (740, 396)], INK, 4)
    for wx in (772, 820):
        c.circle(wx, 458, 10, INK)
    tree(c, 90, 360, 1.1)
    return c


def service_recycling() -> Canvas:
    """A recycling centre: a raised quay, large skips for wood, garden waste and metal, a car
    with its boot open, a resident carrying a box."""
    c = Canvas()
    sun(c, 1080, 80, 42)
    cloud(c, 260, 70)
    landscape(c, 320)
    c.rect(0, 330, W, 380, (190, 188, 180))  # the raised quay
    c.rect(0, 380, W, H, (168, 166, 160))
    for x, colour, load in (
        (90, (86, 132, 190), (196, 150, 100)),
        (400, (120, 170, 120), TREE),
        (710, (232, 120, 80), (170, 170, 176)),
    ):
        c.poly([(x, 380), (x + 260, 380), (x + 240, 470), (x + 20, 470)], colour)
        c.rect(x + 10, 366, x + 250, 384, tuple(max(0, v - 30) for v in colour))
        for i in range(6):
            c.ellipse(x + 40 + i * 36, 372 - (i % 2) * 8, 26, 14, load)
    x, ground = 960, 378  # a car, boot open, and a resident with a box
    c.rect(x, ground - 56, x + 180, ground - 14, WHITE, radius=14)
    c.poly(
        [
            (x + 30, ground - 56),
            (x + 60, ground - 96),
            (x + 140, ground - 96),
            (x + 170, ground - 56),
        ],
        WHITE,
    )  # noqa: E501
    c.rect(x + 66, ground - 90, x + 136, ground - 60, WATER_LIGHT, radius=4)
    c.poly(
        [(x, ground - 56), (x - 30, ground - 110), (x - 18, ground - 114), (x + 14, ground - 60)],
        WHITE,
    )  # noqa: E501
    for wx in (x + 40, x + 146):
        c.circle(wx, ground - 12, 16, INK)
    person(c, 900, ground, 1.0, shirt=(120, 170, 120))
    c.rect(882, ground - 88, 930, ground - 52, (196, 150, 100), radius=3)
    return c


def service_town_hall() -> Canvas:
    """A town hall: a symmetrical building with a pediment, tall windows, a clock without
    figures and the tricolour flag, steps and plane trees."""
    c = Canvas()
    sun(c, 1060, 80, 40)
    cloud(c, 180, 70)
    landscape(c, 340)
    x, ground, w = 380, 400, 440
    c.rect(x, ground - 200, x + w, ground, WALL_LIGHT)
    c.poly(
        [(x - 20, ground - 200), (x + w / 2, ground - 280), (x + w + 20, ground - 200)],
        (226, 210, 186),
    )  # noqa: E501
    c.circle(x + w / 2, ground - 232, 22, WHITE, outline=INK, width=3)
    c.line([(x + w / 2, ground - 232), (x + w / 2, ground - 246)], INK, 3)
    c.line([(x + w / 2, ground - 232), (x + w / 2 + 10, ground - 232)], INK, 3)
    for wx in (x + 30, x + 110, x + 290, x + 370):
        c.rect(wx, ground - 170, wx + 40, ground - 90, (150, 190, 210), radius=16)
    c.rect(x + 180, ground - 120, x + 260, ground, DOOR, radius=30)
    for i in range(3):  # the steps
        c.rect(
            x + 160 - i * 16,
            ground + i * 10,
            x + 280 + i * 16,
            ground + 10 + i * 10,
            (214, 210, 200),
        )  # noqa: E501
    c.line([(x + w / 2 + 60, ground - 200), (x + w / 2 + 60, ground - 330)], INK, 4)  # the flag
    for i, colour in enumerate(((40, 70, 150), WHITE, (210, 50, 60))):
        c.rect(x + w / 2 + 62 + i * 24, ground - 330, x + w / 2 + 86 + i * 24, ground - 290, colour)  # noqa: E501
    for tx in (150, 280, 940, 1070):
        tree(c, tx, 440, 1.4)
    person(c, 600, 470, 0.8)
    person(c, 650, 472, 0.85)
    return c


def service_school() -> Canvas:
    """A school: a building with a bell turret, a playground with a hopscotch and a tree,
    children with school bags."""
    c = Canvas()
    sun(c, 140, 80, 40)
    cloud(c, 900, 70)
    landscape(c, 330)
    x, ground, w = 300, 370, 600
    c.rect(x, ground - 150, x + w, ground, (240, 214, 170))
    c.rect(x - 10, ground - 164, x + w + 10, ground - 146, ROOF)
    c.rect(x + w / 2 - 30, ground - 230, x + w / 2 + 30, ground - 164, (240, 214, 170))
    c.poly(
        [(x + w / 2 - 40, ground - 230), (x + w / 2, ground - 270), (x + w / 2 + 40, ground - 230)],
        ROOF,
    )  # noqa: E501
    c.circle(x + w / 2, ground - 200, 14, SUN)
    for wx in range(x + 30, x + w - 40, 90):
        c.rect(wx, ground - 120, wx + 56, ground - 70, (150, 190, 210))
    c.rect(x + w / 2 - 30, ground - 70, x + w / 2 + 30, ground, (86, 132, 190))
    c.rect(0, ground, W, H, (214, 200, 180))  # the playground
    for i in range(4):  # hopscotch
        c.rect(520 + i * 50, 420, 566 + i * 50, 460, (246, 240, 230))
        c.rect(526 + i * 50, 426, 560 + i * 50, 454, (214, 200, 180))
    for i, x in enumerate((180, 240, 820, 890, 960)):
        person(c, x, 470, 0.6 + (i % 2) * 0.06)
        c.rect(x + 6, 470 - 80 * 0.62, x + 22, 470 - 52 * 0.62, SHIRTS[(i + 4) % 7], radius=4)
    tree(c, 1110, 440, 1.5)
    return c


def service_sport() -> Canvas:
    """A sports ground: a gymnasium with a rounded roof, a football pitch with its goal and a
    ball, players running."""
    c = Canvas()
    sun(c, 1080, 80, 40)
    cloud(c, 520, 60)
    landscape(c, 300)
    c.rect(60, 180, 420, 320, (206, 214, 222))  # the gymnasium
    c.ellipse(240, 182, 190, 46, (120, 150, 180))
    c.rect(50, 180, 430, 190, (120, 150, 180))
    for wx in range(90, 400, 60):
        c.rect(wx, 210, wx + 40, 250, WATER_LIGHT)
    c.rect(210, 270, 270, 320, DOOR)
    c.rect(0, 330, W, H, (110, 170, 96))  # the pitch
    c.line([(480, 470), (560, 340), (1180, 340)], WHITE, 4)
    c.ellipse(880, 400, 90, 30, None, outline=WHITE, width=4)
    c.line([(640, 340), (640, 300), (780, 300), (780, 340)], WHITE, 6)  # the goal
    for gx in range(650, 780, 16):
        c.line([(gx, 300), (gx, 340)], (220, 226, 220), 1)
    c.circle(920, 440, 14, WHITE, outline=INK, width=2)
    for i, x in enumerate((740, 860, 1000)):
        person(
            c,
            x,
            460 - i * 4,
            0.8,
            shirt=[(232, 120, 80), (86, 132, 190), (232, 120, 80)][i],
            arms_up=i == 1,
        )  # noqa: E501
    return c


def service_generic() -> Canvas:
    """A public building: a welcoming door, a ramp, a bench under a tree, a person going in."""
    c = Canvas()
    sun(c, 1060, 90, 44)
    cloud(c, 220, 80)
    landscape(c, 340)
    x, ground, w = 420, 400, 380
    c.rect(x, ground - 170, x + w, ground, (226, 232, 236))
    c.rect(x - 12, ground - 186, x + w + 12, ground - 164, (120, 150, 180))
    for wx in (x + 30, x + 110, x + 270, x + 320):
        c.rect(wx, ground - 140, wx + 40, ground - 90, (150, 190, 210))
    c.rect(x + 170, ground - 110, x + 250, ground, (86, 132, 190))  # the door, glazed
    c.rect(x + 178, ground - 102, x + 242, ground - 6, WATER_LIGHT)
    c.poly(
        [(x + 250, ground), (x + w + 60, ground), (x + w + 60, ground - 4), (x + 250, ground - 18)],
        (200, 200, 196),
    )  # noqa: E501
    c.rect(x + 182, ground - 190 + 4, x + 238, ground - 170, SUN, radius=4)  # a sign, no text
    c.rect(0, ground, W, H, GRASS)
    c.rect(160, ground + 10, 300, ground + 22, (170, 122, 80))  # a bench under a tree
    c.rect(170, ground + 22, 178, ground + 44, INK)
    c.rect(282, ground + 22, 290, ground + 44, INK)
    tree(c, 230, ground + 6, 1.8)
    person(c, x + 330, ground + 60, 0.9)
    tree(c, 1050, ground + 40, 1.4, TREE_DARK)
    return c


PICTURES: dict[str, Callable[[], Canvas]] = {
    "civic/workshops/data/atelier-mobilites.png": workshop_mobility,
    "civic/workshops/data/atelier-renovation.png": workshop_renovation,
    "civic/events/data/reunion-plan-climat.png": event_meeting,
    "civic/events/data/permanence-habitat.png": event_housing_desk,
    "civic/events/data/visite-station-epuration.png": event_water_visit,
    "civic/events/data/session-budget-participatif.png": event_online_budget,
    "civic/events/data/collecte-dechets.png": event_waste,
    "civic/events/data/reunion-mobilites.png": event_mobility_meeting,
    "static/img/services/piscine.png": service_pool,
    "static/img/services/mediatheque.png": service_library,
    "static/img/services/creche.png": service_nursery,
    "static/img/services/decheterie.png": service_recycling,
    "static/img/services/mairie.png": service_town_hall,
    "static/img/services/ecole.png": service_school,
    "static/img/services/sport.png": service_sport,
    "static/img/services/service.png": service_generic,
}


def main() -> None:
    for path, draw in PICTURES.items():
        draw().save(ROOT / path)


if __name__ == "__main__":
    main()
