"""Read a conversation exported by Pol.is (its open-data CSV files).

Used to compare Civic's opinion groups with the groups Pol.is gave (tests, `make bench`) and to
run `flask civic analysis opinions` on a Pol.is export. The export's data is under CC BY 4.0:
whoever shows it must credit The Computational Democracy Project (see `ATTRIBUTION`).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

ATTRIBUTION = (
    "Data was gathered using the Polis software (compdemocracy.org/polis) and is sub-licensed "
    "under CC BY 4.0 with Attribution to The Computational Democracy Project."
)


@dataclass(frozen=True)
class PolisExport:
    votes: list[tuple[int, int, int]]  # (participant, statement, vote), oldest first
    timestamps: list[int]  # ms since epoch, one per vote
    moderated_out: set[int]  # statements rejected by moderation
    groups: dict[int, int]  # participant -> group Pol.is gave; absent when not grouped
    statements: dict[int, str]  # statement id -> text


def read_polis_export(folder: str | Path) -> PolisExport:
    """Votes in time order (changed votes included: the last one wins), moderation, groups."""
    folder = Path(folder)
    with (folder / "votes.csv").open(encoding="utf-8", newline="") as f:
        rows = [
            (int(r["timestamp"]), int(r["voter-id"]), int(r["comment-id"]), int(r["vote"]))
            for r in csv.DictReader(f)
        ]
    rows.sort(key=lambda r: r[0])
    with (folder / "comments.csv").open(encoding="utf-8", newline="") as f:
        comments = list(csv.DictReader(f))
    with (folder / "participants-votes.csv").open(encoding="utf-8", newline="") as f:
        groups = {
            int(r["participant"]): int(r["group-id"])
            for r in csv.DictReader(f)
            if r["group-id"].strip()
        }
    return PolisExport(
        votes=[(p, s, v) for _, p, s, v in rows],
        timestamps=[t for t, _, _, _ in rows],
        moderated_out={int(c["comment-id"]) for c in comments if c["moderated"].strip() == "-1"},
        groups=groups,
        statements={int(c["comment-id"]): c["comment-body"] for c in comments},
    )
