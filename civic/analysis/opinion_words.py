"""Opinion groups in words: a name from what each group holds, its size, its representative
statements as sentences, and what unites every group, from the stored result of
`pipeline.opinion_groups` (its `to_dict()`).

Used by the synthesis page, the "Où vous situez-vous ?" page and `flask civic analysis
opinions`. Outside a request (the command), the French source text is used.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
SHORT = 90  # characters of a statement quoted in a group's name


@dataclass(frozen=True)
class Sentence:
    statement: Any
    text: str  # the statement itself
    direction: str  # "agree" or "disagree"
    sentence: str  # what the group (or everyone) thinks of it


@dataclass(frozen=True)
class GroupInWords:
    id: int
    letter: str
    name: str
    size: int
    share: int  # percent of the participants in a group
    statements: list[Sentence] = field(default_factory=list)


@dataclass(frozen=True)
class OpinionsInWords:
    participants: int  # in a group
    groups: list[GroupInWords]
    consensus: list[Sentence]
    consensus_disagree: list[Sentence]


def letter(group_id: int) -> str:
    return LETTERS[int(group_id) % len(LETTERS)]


def short(text: str, limit: int = SHORT) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def percent(part: float, whole: float) -> int:
    return round(100 * part / whole) if whole else 0


def describe(opinions: Mapping[str, Any], titles: Mapping[Any, str]) -> OpinionsInWords | None:
    """The groups of a stored opinion analysis in words; None when there are no groups.

    `titles` maps statement ids to their text (ids as stored, or as strings)."""
    groups = opinions.get("groups") or []
    if not groups:
        return None

    def title(statement) -> str:
        return " ".join(str(titles.get(statement, titles.get(str(statement), statement))).split())

    position = {s: j for j, s in enumerate(opinions.get("statements", []))}
    total = sum(len(g["participants"]) for g in groups)
    details = opinions.get("repness_details", {})
    described = []
    for g in groups:
        entries = details.get(str(g["id"]), [])
        sentences = [
            _repness_sentence(e, g, groups, position, title(e["statement"])) for e in entries
        ]
        described.append(
            GroupInWords(
                id=g["id"],
                letter=letter(g["id"]),
                name=_name(
                    _held(sentences, "agree", g, groups, position, title),
                    _held(sentences, "disagree", g, groups, position, title),
                ),
                size=len(g["participants"]),
                share=percent(len(g["participants"]), total),
                statements=sentences,
            )
        )
    return OpinionsInWords(
        participants=total,
        groups=described,
        consensus=_consensus(opinions.get("consensus", []), "agree", groups, position, title),
        consensus_disagree=_consensus(
            opinions.get("consensus_disagree", []), "disagree", groups, position, title
        ),
    )


def _held(sentences, direction, group, groups, position, title) -> str | None:
    """What the group holds in this direction: its first representative statement that way,
    else the statement most of the group votes that way with the widest gap to the others."""
    first = next((s.text for s in sentences if s.direction == direction), None)
    if first or not group.get("n_seen"):
        return first
    key = "n_agree" if direction == "agree" else "n_disagree"
    best, best_gap = None, 0.0
    for statement, j in position.items():
        part, whole = group[key][j], group["n_seen"][j]
        if not whole or 2 * part <= whole:
            continue
        rest_part, rest_whole = _share(groups, position, statement, key, but=group)
        gap = part / whole - (rest_part / rest_whole if rest_whole else 0.0)
        if gap > best_gap:
            best, best_gap = title(statement), gap
    return best


def _name(pour: str | None, contre: str | None) -> str:
    if pour and contre:
        return _(
            "Plutôt pour « %(pour)s » et contre « %(contre)s »",
            pour=short(pour),
            contre=short(contre),
        )
    if pour:
        return _("Plutôt pour « %(pour)s »", pour=short(pour))
    if contre:
        return _("Plutôt contre « %(contre)s »", contre=short(contre))
    return _("Sans position marquée")


def _share(groups, position, statement, key: str, *, only=None, but=None) -> tuple[int, int]:
    """Members (of one group, or of all groups but one) who voted `key` on a statement, and
    members who voted on it at all."""
    j = position.get(statement)
    if j is None:
        return 0, 0
    chosen = [g for g in groups if (only is None or g is only) and g is not but]
    return sum(g[key][j] for g in chosen if g.get(key)), sum(
        g["n_seen"][j] for g in chosen if g.get("n_seen")
    )


def _repness_sentence(entry, group, groups, position, text: str) -> Sentence:
    key = "n_agree" if entry["direction"] == "agree" else "n_disagree"
    part, whole = entry["n_success"], entry["n_votes"]
    rest_part, rest_whole = _share(groups, position, entry["statement"], key, but=group)
    values = {"pct": percent(part, whole), "rest": percent(rest_part, rest_whole), "text": text}
    if entry["direction"] == "agree":
        sentence = _(
            "%(pct)s %% du groupe est d'accord avec « %(text)s », "
            "contre %(rest)s %% des autres participants.",
            **values,
        )
    else:
        sentence = _(
            "%(pct)s %% du groupe n'est pas d'accord avec « %(text)s », "
            "contre %(rest)s %% des autres participants.",
            **values,
        )
    return Sentence(entry["statement"], text, entry["direction"], sentence)


def _consensus(statements, direction, groups, position, title) -> list[Sentence]:
    key = "n_agree" if direction == "agree" else "n_disagree"
    found = []
    for statement in statements:
        shares = [percent(*_share(groups, position, statement, key, only=g)) for g in groups]
        values = {"text": title(statement), "low": min(shares), "high": max(shares)}
        if direction == "agree":
            sentence = _(
                "« %(text)s » : d'accord dans chaque groupe (de %(low)s à %(high)s %%).", **values
            )
        else:
            sentence = _(
                "« %(text)s » : rejeté dans chaque groupe (de %(low)s à %(high)s %%).", **values
            )
        found.append(Sentence(statement, title(statement), direction, sentence))
    return found


@dataclass(frozen=True)
class Standing:
    """Where one participant stands: their group, in words, and where they differ from it."""

    group: GroupInWords
    summary: str
    alike: list[Sentence]  # statements they and most of their group agree (or disagree) on
    differ: list[Sentence]  # statements where they voted against most of their group


def standing(
    opinions: Mapping[str, Any],
    titles: Mapping[Any, str],
    participant: Any,
    votes: Mapping[Any, int],
    *,
    limit: int = 5,
) -> Standing | None:
    """The participant's place among the groups, from their own `votes` (statement -> vote);
    None when they are in no group."""
    words = describe(opinions, titles)
    if words is None:
        return None
    stored = next((g for g in opinions["groups"] if participant in g["participants"]), None)
    if stored is None:
        return None
    group = next(g for g in words.groups if g.id == stored["id"])
    alike: list[tuple[int, Sentence]] = []
    differ: list[tuple[int, Sentence]] = []
    for j, statement in enumerate(opinions.get("statements", [])):
        mine = votes.get(statement, votes.get(str(statement)))
        seen = stored["n_seen"][j]
        if mine not in (1, -1) or not seen:
            continue
        agree = percent(stored["n_agree"][j], seen)
        disagree = percent(stored["n_disagree"][j], seen)
        text = " ".join(str(titles.get(statement, titles.get(str(statement), statement))).split())
        if mine == 1 and agree > 50:
            alike.append((agree, Sentence(statement, text, "agree", "")))
        elif mine == -1 and disagree > 50:
            alike.append((disagree, Sentence(statement, text, "disagree", "")))
        elif mine == 1 and disagree > 50:
            sentence = _(
                "Vous êtes d'accord avec « %(text)s » ; %(pct)s %% de votre groupe ne l'est pas.",
                text=text,
                pct=disagree,
            )
            differ.append((disagree, Sentence(statement, text, "agree", sentence)))
        elif mine == -1 and agree > 50:
            sentence = _(
                "Vous n'êtes pas d'accord avec « %(text)s » ; %(pct)s %% de votre groupe l'est.",
                text=text,
                pct=agree,
            )
            differ.append((agree, Sentence(statement, text, "disagree", sentence)))
    alike.sort(key=lambda item: -item[0])
    differ.sort(key=lambda item: -item[0])
    return Standing(
        group=group,
        summary=_summary(group, [s for _pct, s in alike]),
        alike=[s for _pct, s in alike[:limit]],
        differ=[s for _pct, s in differ[:limit]],
    )


def _summary(group: GroupInWords, alike: list[Sentence]) -> str:
    values = {"letter": group.letter, "share": group.share}
    agreed = [short(s.text) for s in alike if s.direction == "agree"][:2]
    rejected = [short(s.text) for s in alike if s.direction == "disagree"][:2]
    if agreed:
        return _(
            "Vous êtes dans le groupe %(letter)s (%(share)s %% des participants) : "
            "comme vous, ils sont d'accord avec %(list)s.",
            list=_quoted(agreed),
            **values,
        )
    if rejected:
        return _(
            "Vous êtes dans le groupe %(letter)s (%(share)s %% des participants) : "
            "comme vous, ils ne sont pas d'accord avec %(list)s.",
            list=_quoted(rejected),
            **values,
        )
    return _("Vous êtes dans le groupe %(letter)s (%(share)s %% des participants).", **values)


def _quoted(texts: list[str]) -> str:
    if len(texts) == 1:
        return _("« %(a)s »", a=texts[0])
    return _("« %(a)s » et « %(b)s »", a=texts[0], b=texts[1])
