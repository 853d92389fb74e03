"""Benchmark of the analysis pipeline (issue 7): text clustering and opinion groups.

Run: .venv/bin/python bench/bench_analysis.py [--quick] [--case NAME]

Each case runs in its own process, so that its peak memory (maximum resident set size, which
includes Python, numpy and scikit-learn, about 150 MB) is its own. The data are synthetic with
a planted structure (civic.analysis.pipeline.synthetic): short French contributions on themes
with a campaign of near-identical texts, and vote matrices with planted opinion groups; the
adjusted Rand index (ARI) against the planted structure shows that speed is not bought with
quality. Goals on the 2-core server: 10,000 texts < 10 s; 100,000 texts < 120 s and < 2 GB;
2,000 x 900 votes < 1 s.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from civic.analysis.pipeline import VoteMatrix, cluster_texts, opinion_groups  # noqa: E402
from civic.analysis.pipeline.synthetic import synthetic_texts, synthetic_votes  # noqa: E402


@dataclass(frozen=True)
class Case:
    name: str
    size: str
    goal: str
    run: Callable[[], tuple[Callable[[], Any], Callable[[Any], dict[str, Any]]]]


def _ari(truth: list[int], found: list[int]) -> float:
    from sklearn.metrics import adjusted_rand_score

    return round(float(adjusted_rand_score(truth, found)), 3)


def texts_case(n: int, n_themes: int, campaign: int):
    def prepare():
        data = synthetic_texts(n, n_themes=n_themes, seed=7, campaign_size=campaign)

        def work():
            return cluster_texts(data.texts, seed=0)

        def summary(result) -> dict[str, Any]:
            found = {m: c.id for c in result.clusters for m in c.members}
            rows = [i for i, t in enumerate(data.themes) if t >= 0]
            campaign_found = data.campaign in result.duplicates
            return {
                "k": result.params["k"],
                "ARI": _ari([data.themes[i] for i in rows], [found.get(i, -1) for i in rows]),
                "isolated": result.stats["isolated"],
                "unique": result.stats["texts_unique"],
                "dup groups": result.stats["duplicate_groups"],
                "campaign found": campaign_found,
            }

        return work, summary

    return prepare


def votes_case(n_participants: int, n_statements: int, n_groups: int, triples: bool):
    def prepare():
        data = synthetic_votes(n_participants, n_statements, n_groups=n_groups, fill=0.3, seed=7)
        participants = list(range(n_participants))
        statements = list(range(n_statements))
        if triples:
            # As the database returns them: one (participant, statement, vote) row per vote.
            rows, cols = np.nonzero(~np.isnan(data.values))
            source: Any = list(
                zip(
                    rows.tolist(),
                    cols.tolist(),
                    data.values[rows, cols].astype(int).tolist(),
                    strict=True,
                )
            )
        else:
            source = VoteMatrix(participants, statements, data.values)

        def work():
            return opinion_groups(source, seed=0)

        def summary(result) -> dict[str, Any]:
            found = {p: g.id for g in result.groups for p in g.participants}
            return {
                "k": result.k,
                "ARI": _ari(data.groups.tolist(), [found.get(p, -1) for p in participants]),
                "votes": result.params["votes"],
                "consensus ok": {c.statement for c in result.consensus[:3]}
                == set(data.consensus_statements),
            }

        return work, summary

    return prepare


CASES = {
    case.name: case
    for case in [
        Case("texts-1k", "1,000 texts", "-", texts_case(1_000, 6, 30)),
        Case("texts-10k", "10,000 texts", "< 10 s", texts_case(10_000, 8, 100)),
        Case("texts-100k", "100,000 texts", "< 120 s, < 2 GB", texts_case(100_000, 8, 500)),
        Case("votes-500x200", "500 x 200 votes", "-", votes_case(500, 200, 3, False)),
        Case("votes-2000x900", "2,000 x 900 votes", "< 1 s", votes_case(2_000, 900, 3, False)),
        Case(
            "votes-2000x900-rows",
            "2,000 x 900, from rows",
            "< 1 s",
            votes_case(2_000, 900, 3, True),
        ),
        Case("votes-5000x1000", "5,000 x 1,000 votes", "-", votes_case(5_000, 1_000, 4, False)),
    ]
}
QUICK = ["texts-1k", "votes-500x200", "votes-2000x900"]
FULL = [
    "texts-10k",
    "texts-100k",
    "votes-2000x900",
    "votes-2000x900-rows",
    "votes-5000x1000",
]


def run_case(name: str) -> dict[str, Any]:
    """Run one case in this process and return its measures."""
    case = CASES[name]
    started = time.perf_counter()
    work, summary = case.run()
    generated = time.perf_counter() - started
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started, cpu_started = time.perf_counter(), time.process_time()
    result = work()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes
    return {
        "case": name,
        "size": case.size,
        "goal": case.goal,
        "seconds": round(seconds, 2),
        "cpu": round(cpu, 2),
        "peak_mb": round(peak),
        "before_mb": round(before),
        "data_seconds": round(generated, 1),
        "result": summary(result),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only")
    parser.add_argument("--case", choices=sorted(CASES), help="run one case in this process")
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case), ensure_ascii=False))
        return 0

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{os.cpu_count()} CPUs, load average {load} (other processes slow the wall time)")
    rows = []
    for name in QUICK if args.quick else FULL:
        completed = subprocess.run(
            [sys.executable, __file__, "--case", name], capture_output=True, text=True
        )
        if completed.returncode != 0:
            print(f"{name}: failed\n{completed.stderr}", file=sys.stderr)
            return 1
        rows.append(json.loads(completed.stdout.strip().splitlines()[-1]))
        print(f"  {name}: {rows[-1]['seconds']} s", flush=True)

    headers = ["case", "size", "time (s)", "CPU (s)", "peak RSS (MB)", "before (MB)", "goal"]
    headers.append("result")
    table = [
        [
            r["case"],
            r["size"],
            f"{r['seconds']:.2f}",
            f"{r['cpu']:.2f}",
            str(r["peak_mb"]),
            str(r["before_mb"]),
            r["goal"],
            ", ".join(f"{k}={v}" for k, v in r["result"].items()),
        ]
        for r in rows
    ]
    widths = [max(len(h), *(len(row[i]) for row in table)) for i, h in enumerate(headers)]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    print()
    print(line.format(*headers).rstrip())
    print(line.format(*("-" * w for w in widths)))
    for row in table:
        print(line.format(*row).rstrip())
    print(
        "\ntime: wall time of the pipeline call only (data generation excluded); CPU: its"
        "\nprocess time, which other processes on the machine do not inflate; peak RSS: the"
        "\nwhole process; before: resident memory once the data are generated."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
