"""Benchmark of the text analysis fit for a real consultation (issue 14).

Run: .venv/bin/python bench/bench_text_analysis.py [--quick] [--case NAME]

- planted: planted themes of unequal sizes, with noise and near-duplicates (campaigns), with
  TF-IDF, sentence vectors and both: the number of groups found (themes when there are two
  levels) against the planted one (goal: within 20 %), the largest group's share (goal:
  <= 15 % when no planted theme is that large) and the adjusted Rand index (goal: >= 0.9).
- real: the 421 real proposals of /work/shared/data/consultations (or $CIVIC_REAL_CSV), with
  each representation: groups chosen without k, largest group, agreement (NMI, ARI) with
  the theme each author chose on the original platform, with k chosen and with k given.
- encode: sentence vectors per second on one core (goal: >= 100).
- stored-20k, stored-100k: a run end to end over stored vectors (float16 blobs, as read from
  the database) of 20,000 and 100,000 contributions: no text is embedded (goal for 100,000:
  <= 60 s, <= 2 GB). The vectors are those of 2,000 embedded planted texts, each repeated
  with a little noise, so that they have the planted themes' structure.

Each case runs in its own process, so that its peak memory (maximum resident set size) is
its own.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from civic.analysis.pipeline import cluster_texts, embeddings  # noqa: E402
from civic.analysis.pipeline.synthetic import synthetic_texts  # noqa: E402

REAL_CSV = Path(
    os.environ.get(
        "CIVIC_REAL_CSV",
        "/work/shared/data/consultations/civocracy_construisons_demain_2020-04-30.csv",
    )
)
PLANTED = {
    # name: (texts, themes, shares, noise, campaign)
    "8 equal themes, noise 5 %": (800, 8, None, 0.05, 0),
    "6 themes, one of 40 %, noise 5 %": (600, 6, [40, 20, 15, 10, 8, 7], 0.05, 0),
    "5 themes, campaign of 40": (400, 5, None, 0.0, 40),
    "8 unequal themes, 1,200 texts": (1200, 8, [25, 20, 15, 12, 10, 8, 6, 4], 0.05, 30),
    "8 themes <= 13 %, 3,000 texts": (3000, 8, [13, 13, 13, 13, 12, 12, 12, 12], 0.03, 60),
}
REPRESENTATIONS = ["tfidf", "vectors", "combined"]


def _scores(truth: list, found: list) -> tuple[float, float]:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    return (
        round(float(normalized_mutual_info_score(truth, found)), 3),
        round(float(adjusted_rand_score(truth, found)), 3),
    )


def _run(texts: list[str], representation: str, vectors: np.ndarray | None, **kwargs):
    return cluster_texts(
        texts,
        vectors=None if representation == "tfidf" else vectors,
        combine=representation == "combined",
        seed=0,
        **kwargs,
    )


def _top_level(result) -> dict[int, int]:
    """Row -> its theme when there are two levels, else its cluster."""
    if result.themes:
        return {m: c.theme for c in result.clusters for m in c.members}
    return {m: c.id for c in result.clusters for m in c.members}


def planted_case() -> list[dict[str, Any]]:
    rows = []
    for name, (n, n_themes, shares, noise, campaign) in PLANTED.items():
        data = synthetic_texts(
            n, n_themes=n_themes, seed=11, shares=shares, noise=noise, campaign_size=campaign
        )
        vectors = embeddings.embed(data.texts) if embeddings.MODEL else None
        planted_rows = [i for i, t in enumerate(data.themes) if t >= 0]
        largest_planted = max(np.bincount([data.themes[i] for i in planted_rows])) / n
        for representation in REPRESENTATIONS:
            if representation != "tfidf" and vectors is None:
                continue
            started = time.process_time()
            result = _run(data.texts, representation, vectors)
            cpu = time.process_time() - started
            top = _top_level(result)
            groups = len(result.themes) or len(result.clusters)
            _, ari = _scores(
                [data.themes[i] for i in planted_rows], [top.get(i, -1) for i in planted_rows]
            )
            rows.append(
                {
                    "data": name,
                    "repr": representation,
                    "planted": n_themes,
                    "found": groups,
                    "finest": len(result.clusters),
                    "k ok": abs(groups - n_themes) <= 0.2 * n_themes,
                    "largest %": round(100 * max(c.size for c in result.clusters) / n, 1),
                    "largest planted %": round(100 * largest_planted, 1),
                    "ARI": ari,
                    "cpu s": round(cpu, 2),
                }
            )
    return rows


def read_real() -> tuple[list[str], list[str]]:
    with REAL_CSV.open(encoding="utf-8-sig", newline="") as handle:
        records = list(csv.reader(handle, delimiter=";"))[6:]
    rows = [(r[2], r[4].split(",")[0].strip()) for r in records if len(r) > 4 and r[2].strip()]
    return [t for t, _ in rows], [theme or "?" for _, theme in rows]


def real_case() -> list[dict[str, Any]]:
    texts, themes = read_real()
    n_themes = len(set(themes))
    started = time.perf_counter()
    vectors = embeddings.embed(texts) if embeddings.MODEL else None
    embed_seconds = time.perf_counter() - started
    rows = []
    for representation in REPRESENTATIONS:
        if representation != "tfidf" and vectors is None:
            continue
        for k in (None, n_themes):
            started = time.process_time()
            result = _run(texts, representation, vectors, k=k)
            cpu = time.process_time() - started
            found = {m: c.id for c in result.clusters for m in c.members}
            nmi, ari = _scores(themes, [found.get(i, -1) for i in range(len(texts))])
            rows.append(
                {
                    "repr": representation,
                    "k given": k,
                    "groups": len(result.clusters),
                    "largest %": round(100 * max(c.size for c in result.clusters) / len(texts), 1),
                    "NMI vs authors' themes": nmi,
                    "ARI": ari,
                    "cpu s": round(cpu, 2),
                }
            )
    if vectors is not None:
        rows.append({"repr": "embedding the 421 texts", "seconds": round(embed_seconds, 2)})
    return rows


def encode_case() -> list[dict[str, Any]]:
    if embeddings.MODEL is None:
        return [{"encoder": "not installed"}]
    texts = synthetic_texts(2000, n_themes=8, seed=3).texts
    embeddings.embed(texts[:10])  # load the weights
    started, cpu_started = time.perf_counter(), time.process_time()
    embeddings.embed(texts)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return [
        {
            "texts": len(texts),
            "seconds": round(seconds, 2),
            "texts per second (wall)": round(len(texts) / seconds),
            "texts per CPU second": round(len(texts) / cpu),
        }
    ]


def stored_case(n: int) -> list[dict[str, Any]]:
    if embeddings.MODEL is None:
        return [{"encoder": "not installed"}]
    shares = [20, 16, 14, 12, 11, 10, 9, 8]
    data = synthetic_texts(n, n_themes=8, seed=7, shares=shares, noise=0.03, campaign_size=n // 200)
    pool = synthetic_texts(2000, n_themes=8, seed=99)
    pool_vectors = embeddings.embed(pool.texts)
    pool_themes = np.array(pool.themes)
    by_theme = {t: np.flatnonzero(pool_themes == t) for t in range(8)}
    rng = np.random.default_rng(0)
    blobs = []
    for theme in data.themes:
        source = (
            by_theme[theme][rng.integers(len(by_theme[theme]))]
            if theme >= 0
            else rng.integers(len(pool.texts))
        )
        vector = pool_vectors[source] + rng.normal(scale=0.02, size=pool_vectors.shape[1])
        blobs.append(embeddings.to_bytes(vector / np.linalg.norm(vector)))
    del pool_vectors

    def fail(*args, **kwargs):
        raise AssertionError("a run over stored vectors must embed nothing")

    embeddings.embed = fail
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started, cpu_started = time.perf_counter(), time.process_time()
    result = cluster_texts(data.texts, vectors=embeddings.from_bytes(blobs), seed=0)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    top = _top_level(result)
    planted_rows = [i for i, t in enumerate(data.themes) if t >= 0]
    _, ari = _scores([data.themes[i] for i in planted_rows], [top.get(i, -1) for i in planted_rows])
    return [
        {
            "contributions": len(data.texts),
            "seconds": round(seconds, 1),
            "cpu s": round(cpu, 1),
            "peak MB": round(peak),
            "before MB": round(before),
            "themes": len(result.themes),
            "groups": len(result.clusters),
            "largest %": round(100 * max(c.size for c in result.clusters) / len(data.texts), 1),
            "theme ARI": ari,
        }
    ]


CASES = {
    "planted": planted_case,
    "real": real_case,
    "encode": encode_case,
    "stored-20k": lambda: stored_case(20_000),
    "stored-100k": lambda: stored_case(100_000),
}
QUICK = ["planted", "real", "encode"]


def _print(name: str, rows: list[dict[str, Any]]) -> None:
    print(f"\n--- {name}")
    headers = list(dict.fromkeys(k for row in rows for k in row))
    table = [[str(row.get(h, "")) for h in headers] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in table)) for i, h in enumerate(headers)]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    print(line.format(*headers).rstrip())
    for row in table:
        print(line.format(*row).rstrip())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="no large corpora")
    parser.add_argument("--case", choices=sorted(CASES), help="run one case in this process")
    args, _ = parser.parse_known_args()
    if args.case:
        print(json.dumps(CASES[args.case](), ensure_ascii=False))
        return 0
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{os.cpu_count()} CPUs, load average {load} (other processes slow the wall time)")
    print(f"sentence encoder: {embeddings.MODEL or 'not installed'}")
    for name in QUICK if args.quick else list(CASES):
        completed = subprocess.run(
            [sys.executable, __file__, "--case", name], capture_output=True, text=True
        )
        if completed.returncode != 0:
            print(f"{name}: failed\n{completed.stderr}", file=sys.stderr)
            return 1
        _print(name, json.loads(completed.stdout.strip().splitlines()[-1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
