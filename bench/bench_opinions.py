"""Benchmark of Civic's opinion groups (Pol.is's method, issue 21) beside red-dwarf.

Run: .venv/bin/python bench/bench_opinions.py [--repeat N]

Cases: 2,000 participants x 900 statements (synthetic, 3 planted groups, 30 % of the votes
cast, given as (participant, statement, vote) rows as the database returns them), and the
three public Pol.is conversations in ../shared/data/polis/ (CC BY 4.0: data gathered using the
Polis software, compdemocracy.org/polis, sub-licensed under CC BY 4.0 with Attribution to The
Computational Democracy Project). For each: the median time of N runs of the grouping (vote
matrix included) and the agreement with the reference (planted groups, or the group Pol.is
gave each participant it grouped), as an adjusted Rand index.

red-dwarf (polis-community/red-dwarf, a reimplementation of Pol.is's pipeline) runs in its own
interpreter, never imported by Civic: the bench set's when it has red-dwarf, or the one named
by CIVIC_BENCH_REDDWARF_PYTHON; without either its column says "not installed".
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from civic.analysis.pipeline import opinion_groups  # noqa: E402
from civic.analysis.pipeline.polis_export import read_polis_export  # noqa: E402
from civic.analysis.pipeline.synthetic import synthetic_votes  # noqa: E402

POLIS = Path(os.environ.get("CIVIC_POLIS_DATA", ROOT.parent.parent / "shared" / "data" / "polis"))
CONVERSATIONS = ["brexit-consensus", "football-concussions", "scoop-hivemind.ubi"]
RUNNER = Path(__file__).with_name("reddwarf_runner.py")


def reddwarf_python() -> str | None:
    named = os.environ.get("CIVIC_BENCH_REDDWARF_PYTHON")
    if named:
        return named
    return sys.executable if importlib.util.find_spec("reddwarf") else None


def ari(reference: dict, found: dict) -> float:
    common = [p for p in found if p in reference]
    if not common:
        return float("nan")
    return float(adjusted_rand_score([reference[p] for p in common], [found[p] for p in common]))


def civic(votes, moderated_out, repeat: int) -> tuple[float, dict]:
    opinion_groups(votes, moderated_out=moderated_out, seed=0)  # warm-up: imports, caches
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = opinion_groups(votes, moderated_out=moderated_out, seed=0)
        times.append(time.perf_counter() - started)
    groups = {p: g.id for g in result.groups for p in g.participants}
    return statistics.median(times), groups


def reddwarf(python: str | None, votes, moderated_out, repeat: int) -> tuple[float, dict] | None:
    if python is None:
        return None
    job = json.dumps({"votes": votes, "moderated_out": sorted(moderated_out), "repeat": repeat})
    done = subprocess.run(
        [python, str(RUNNER)], input=job, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        print(f"red-dwarf failed: {done.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
        return None
    out = json.loads(done.stdout)
    # The first run pays for pandas's and scikit-learn's imports: left out, as for Civic.
    times = out["times"][1:] or out["times"]
    return statistics.median(times), {int(p): g for p, g in out["groups"].items()}


def cases():
    data = synthetic_votes(2_000, 900, n_groups=3, fill=0.3, seed=7)
    rows, cols = np.nonzero(~np.isnan(data.values))
    votes = list(
        zip(rows.tolist(), cols.tolist(), data.values[rows, cols].astype(int).tolist(), strict=True)
    )
    yield "2,000 x 900 (planted)", votes, set(), dict(enumerate(data.groups.tolist()))
    for name in CONVERSATIONS:
        if (POLIS / name).is_dir():
            export = read_polis_export(POLIS / name)
            yield name, export.votes, export.moderated_out, export.groups


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="1 run each")
    args, _ = parser.parse_known_args()
    repeat = 1 if args.quick else args.repeat
    python = reddwarf_python()
    print(f"red-dwarf: {python or 'not installed'}; median of {repeat} run(s)")
    header = f"{'case':28} {'votes':>8} {'Civic s':>8} {'ARI':>6} {'red-dwarf s':>12} {'ARI':>6}"
    print(header)
    print("-" * len(header))
    for name, votes, moderated_out, reference in cases():
        seconds, groups = civic(votes, moderated_out, repeat)
        theirs = reddwarf(python, votes, moderated_out, repeat + 1)
        rd_time, rd_ari = (
            ("not installed", "")
            if theirs is None
            else (
                f"{theirs[0]:.3f}",
                f"{ari(reference, theirs[1]):.3f}",
            )
        )
        print(
            f"{name:28} {len(votes):>8,} {seconds:>8.3f} {ari(reference, groups):>6.3f} "
            f"{rd_time:>12} {rd_ari:>6}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
