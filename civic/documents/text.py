"""Pure text work: Markdown to numbered items, budgets, and word differences.

No Flask, no database: plain data in, plain data out, so that the convention can be tested
alone and run on any file.

The Markdown convention (also shown to staff on the import page):

- `#` to `####` start a heading; headings are numbered 1, 1.1, 1.1.1 from their level.
- Paragraphs are separated by a blank line; a list stays one paragraph, one line per entry.
- A heading whose text starts with "Action" starts an action of the action programme, as its
  own item: the rest of the heading is its title ("### Action 3 : Rénover les écoles"), the
  paragraphs that follow up to the next heading its description, and these lines its fields:
  `Pilote : <service>`, `Budget : <amount>` (1 200 000 €, 1,2 M€, 350 k€) and
  `Indicateurs : <one> ; <two>` (or `Indicateurs :` followed by a list).
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from difflib import SequenceMatcher

HEADING = re.compile(r"^(#{1,4})\s+(.+?)\s*#*\s*$")
ACTION = re.compile(r"^action\b\s*[\w.]*\s*(?:[:—–-]\s*)?(.*)$", re.IGNORECASE)
FIELD = re.compile(
    r"^[-*]?\s*\**\s*(pilote|service pilote|budget|indicateurs?)\s*\**\s*:\s*\**\s*(.*)$",
    re.IGNORECASE,
)
LIST_ENTRY = re.compile(r"^\s*[-*+]\s+(.*)$")
MAX_ITEMS = 2000
MAX_TEXT = 20_000


class ParseError(ValueError):
    """A problem in the source; `line` is 1-based, `code` names the problem."""

    def __init__(self, code: str, line: int, detail: str = ""):
        super().__init__(f"{code} at line {line}: {detail}")
        self.code, self.line, self.detail = code, line, detail


@dataclass
class Item:
    kind: str  # "heading", "paragraph" or "action"
    level: int = 0
    title: str = ""
    text: str = ""
    lead_service: str = ""
    budget_cents: int | None = None
    indicators: list[str] = field(default_factory=list)
    number: str = ""
    anchor: str = ""


def parse_budget(raw: str) -> int:
    """An amount in euros, as people write it, in integer cents."""
    text = raw.strip().lower().replace("\u00a0", " ").replace("\u202f", " ")
    match = re.fullmatch(
        r"([\d][\d .,]*)\s*(m|k|millions?|milliers?)?\s*(?:€|eur|euros?|d'euros|d’euros)?"
        r"\s*(?:ht|ttc)?",
        text,
    )
    if not match:
        raise ValueError(raw)
    digits = match.group(1).replace(" ", "")
    if "," in digits:  # French decimal comma; dots are then thousands separators
        digits = digits.replace(".", "").replace(",", ".", 1)
        if "," in digits:
            raise ValueError(raw)
    elif re.fullmatch(r"\d{1,3}(\.\d{3})+", digits):
        digits = digits.replace(".", "")
    try:
        value = Decimal(digits)
    except InvalidOperation:
        raise ValueError(raw) from None
    unit = match.group(2) or ""
    value *= 1_000_000 if unit.startswith("m") and unit != "milliers" else 1
    value *= 1_000 if unit.startswith("k") or unit.startswith("millier") else 1
    return int((value * 100).to_integral_value())


def format_budget(cents: int) -> str:
    """The inverse of parse_budget, for the Markdown of a new version."""
    euros, rest = divmod(cents, 100)
    text = f"{euros:,}".replace(",", " ")
    return f"{text},{rest:02d} €" if rest else f"{text} €"


def _blocks(source: str):
    """(line number, kind, text): headings alone, paragraphs as their lines joined."""
    lines = source.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff").split("\n")
    paragraph: list[str] = []
    start = 0
    for number, line in enumerate(lines, 1):
        heading = HEADING.match(line)
        if heading or not line.strip():
            if paragraph:
                yield start, "paragraph", "\n".join(paragraph)
                paragraph = []
            if heading:
                yield number, "heading", heading.group(1) + " " + heading.group(2)
            continue
        if not paragraph:
            start = number
        paragraph.append(line.rstrip())
    if paragraph:
        yield start, "paragraph", "\n".join(paragraph)


def _action_fields(action: Item, text: str, line: int) -> str:
    """Take the field lines out of a paragraph of an action; return what is left."""
    kept, listing = [], False
    for raw in text.split("\n"):
        found = FIELD.match(raw.strip())
        if found:
            name, value = found.group(1).lower(), found.group(2).strip().strip("*").strip()
            listing = False
            if name.startswith("indicateur"):
                action.indicators += [v.strip() for v in value.split(";") if v.strip()]
                listing = not value
            elif name == "budget":
                try:
                    action.budget_cents = parse_budget(value)
                except ValueError:
                    raise ParseError("budget", line, value) from None
            else:
                action.lead_service = value
            continue
        entry = LIST_ENTRY.match(raw)
        if listing and entry:
            action.indicators.append(entry.group(1).strip())
            continue
        listing = False
        kept.append(raw)
    return "\n".join(kept).strip()


def parse(source: str) -> list[Item]:
    """Split a Markdown draft into numbered items (see the module's convention)."""
    items: list[Item] = []
    counters = [0, 0, 0, 0]
    paragraphs = actions = headings = 0
    action: Item | None = None
    for line, kind, text in _blocks(source):
        if len(text) > MAX_TEXT:
            raise ParseError("too_long", line)
        if kind == "heading":
            hashes, title = text.split(" ", 1)
            level = len(hashes)
            found = ACTION.match(title)
            if found:
                actions += 1
                action = Item(
                    kind="action",
                    level=level,
                    title=found.group(1).strip() or title,
                    number=f"Action {actions}",
                    anchor=f"a{actions}",
                )
                items.append(action)
                continue
            action = None
            headings += 1
            counters[level - 1] += 1
            counters[level:] = [0] * (4 - level)
            number = ".".join(str(c) for c in counters[:level] if c)
            items.append(
                Item(kind="heading", level=level, title=title, number=number, anchor=f"t{headings}")
            )
        elif action is not None:
            rest = _action_fields(action, text, line)
            if rest:
                action.text = f"{action.text}\n\n{rest}" if action.text else rest
        else:
            paragraphs += 1
            items.append(
                Item(kind="paragraph", text=text, number=f"§ {paragraphs}", anchor=f"p{paragraphs}")
            )
        if len(items) > MAX_ITEMS:
            raise ParseError("too_many", line)
    if not any(i.kind != "heading" for i in items):
        raise ParseError("empty", 1)
    return items


def to_markdown(items) -> str:
    """Markdown that parses back into the same items (objects with Item's attributes)."""
    out = []
    for item in items:
        if item.kind == "heading":
            out.append("#" * max(1, item.level) + " " + item.title)
        elif item.kind == "action":
            out.append("#" * max(1, item.level or 3) + f" Action : {item.title}")
            if item.text:
                out.append(item.text)
            fields = []
            if item.lead_service:
                fields.append(f"Pilote : {item.lead_service}")
            if item.budget_cents is not None:
                fields.append(f"Budget : {format_budget(item.budget_cents)}")
            if item.indicators:
                fields.append("Indicateurs : " + " ; ".join(item.indicators))
            if fields:
                out.append("\n".join(fields))
        else:
            out.append(item.text)
    return "\n\n".join(out) + "\n"


# --- differences ---------------------------------------------------------------------------

TOKEN = re.compile(r"\s+|\w+|[^\w\s]")


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """(op, text) segments, op in "equal", "delete", "insert"; words and spaces kept."""
    a, b = TOKEN.findall(old), TOKEN.findall(new)
    segments: list[tuple[str, str]] = []

    def add(op: str, text: str) -> None:
        if not text:
            return
        if segments and segments[-1][0] == op:
            segments[-1] = (op, segments[-1][1] + text)
        else:
            segments.append((op, text))

    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            add("equal", "".join(a[i1:i2]))
        else:
            add("delete", "".join(a[i1:i2]))
            add("insert", "".join(b[j1:j2]))
    return segments


def align(old: list[str], new: list[str]) -> list[tuple[int | None, int | None]]:
    """Pair the items of two versions, in order: (i, j) same or changed, (i, None) removed,
    (None, j) added. Changed items are paired when their wording is still close."""
    pairs: list[tuple[int | None, int | None]] = []
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            pairs += [(i1 + k, j1 + k) for k in range(i2 - i1)]
            continue
        j = j1
        for i in range(i1, i2):
            # The next new item close enough to this one; those skipped were added.
            match = next(
                (
                    k
                    for k in range(j, j2)
                    if SequenceMatcher(None, old[i], new[k], autojunk=False).ratio() >= 0.4
                ),
                None,
            )
            if match is None:
                pairs.append((i, None))
                continue
            pairs += [(None, k) for k in range(j, match)]
            pairs.append((i, match))
            j = match + 1
        pairs += [(None, k) for k in range(j, j2)]
    return pairs
