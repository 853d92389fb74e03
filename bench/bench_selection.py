"""Benchmark of the fair selection engine (issue 5: sortition for citizens' workshops).

Run: .venv/bin/python bench/bench_selection.py [--quick] [--skip-reference] [--case NAME]

For each generated pool it reports the time and the minimum / median / maximum selection
probability of our LEXIMIN and maximin lotteries, and the minimum estimated for the greedy
"legacy" method. Without --quick it also runs the Sortition Foundation's `sortition-algorithms`
maximin with the CBC solver (python-mip), when that package is installed, in a subprocess
capped at --reference-cap seconds per case.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from civic.workshops.selection import (  # noqa: E402
    InfeasibleQuotasError,
    Quota,
    SelectionProblem,
    check_feasibility,
    estimate_legacy_probabilities,
    find_distribution,
    summarize,
)


@dataclass(frozen=True)
class Category:
    name: str
    values: tuple[str, ...]
    population: tuple[float, ...]  # shares among inhabitants (the quotas follow them)
    propensity: tuple[float, ...]  # relative eagerness to volunteer (self-selection bias)


SICOVAL = (
    Category(
        "secteur",
        ("nord", "centre", "est", "sud", "ouest"),
        (0.30, 0.22, 0.18, 0.16, 0.14),
        (1.3, 1.0, 0.8, 0.7, 0.9),
    ),
    Category(
        "age",
        ("18-29", "30-44", "45-59", "60-74", "75+"),
        (0.18, 0.25, 0.26, 0.21, 0.10),
        (0.35, 0.7, 1.0, 1.6, 0.9),
    ),
    Category("genre", ("femme", "homme"), (0.52, 0.48), (0.9, 1.1)),
    Category(
        "csp",
        ("cadre", "intermediaire", "employe", "ouvrier", "independant", "sans_activite"),
        (0.15, 0.20, 0.22, 0.13, 0.08, 0.22),
        (2.2, 1.4, 0.8, 0.35, 1.0, 0.8),
    ),
    Category("premiere_fois", ("oui", "non"), (0.7, 0.3), (0.5, 2.5)),
    Category(
        "diplome",
        ("sans", "bac", "bac+2", "bac+3"),
        (0.25, 0.30, 0.20, 0.25),
        (0.4, 0.8, 1.2, 2.0),
    ),
)


def quotas_for(categories: tuple[Category, ...], seats: int, slack: int = 0) -> list[Quota]:
    """Quotas on the population shares: floor and ceiling of the target, widened by `slack`."""
    quotas = []
    for cat in categories:
        for value, share in zip(cat.values, cat.population, strict=True):
            target = share * seats
            low = max(0, math.floor(target + 1e-9) - slack)
            quotas.append(Quota(cat.name, value, low, math.ceil(target - 1e-9) + slack))
    return quotas


def self_selected_pool(
    categories: tuple[Category, ...], size: int, seed: int
) -> dict[str, dict[str, str]]:
    """A pool of volunteers drawn from a correlated population with a self-selection bias."""
    rng = np.random.default_rng(seed)
    population = 40 * size
    # Correlation through one latent "social position" and one latent "age" score.
    social = rng.normal(size=population)
    oldness = rng.normal(size=population)
    columns: dict[str, np.ndarray] = {}
    for cat in categories:
        cuts = np.cumsum(cat.population)[:-1]
        if cat.name in ("csp", "diplome"):
            score = social + 0.3 * rng.normal(size=population)
            ranks = np.argsort(np.argsort(-score)) / population  # high position first
        elif cat.name == "age":
            score = oldness
            ranks = np.argsort(np.argsort(score)) / population
        else:
            ranks = rng.uniform(size=population)
        columns[cat.name] = np.searchsorted(cuts, ranks, side="right")
    # retired people are mostly "sans_activite" in the csp column
    if "csp" in columns and "age" in columns:
        old = columns["age"] >= 3
        columns["csp"] = np.where(old & (rng.uniform(size=population) < 0.7), 5, columns["csp"])
    eagerness = np.ones(population)
    for cat in categories:
        eagerness *= np.asarray(cat.propensity)[columns[cat.name]]
    chosen = rng.choice(population, size=size, replace=False, p=eagerness / eagerness.sum())
    return {
        f"v{n:05d}": {cat.name: cat.values[columns[cat.name][i]] for cat in categories}
        for n, i in enumerate(chosen)
    }


def balanced_example() -> tuple[dict[str, dict[str, str]], list[Quota], int]:
    """200 volunteers, 20 seats, 2 strongly correlated categories (gender, 5 age brackets).

    The quotas bracket the pool's own shares (+-3 seats for gender, +-2 per age bracket), so
    every volunteer can get 10 % (as on the 200-respondent example of Flanigan et al.); the
    greedy method, which fills the first quota value once the minimums are met, cannot.
    """
    rng = np.random.default_rng(7)
    ages = ("16-29", "30-44", "45-59", "60-74", "75+")
    age_count = (20, 50, 60, 50, 20)
    women_share = (1.0, 0.8, 0.5, 0.2, 0.0)  # no young men, no old women
    people: dict[str, dict[str, str]] = {}
    for age, count, share in zip(ages, age_count, women_share, strict=True):
        women = round(count * share)
        for k in range(count):
            people[f"b{len(people):04d}"] = {"age": age, "gender": "F" if k < women else "M"}
    keys = list(people)
    rng.shuffle(keys)
    people = {k: people[k] for k in keys}
    quotas = [Quota("gender", "F", 7, 13), Quota("gender", "M", 7, 13)]
    quotas += [
        Quota("age", a, max(0, c // 10 - 2), c // 10 + 2)
        for a, c in zip(ages, age_count, strict=True)
    ]
    return people, quotas, 20


def make_cases() -> dict[str, tuple[dict[str, dict[str, str]], list[Quota], int]]:
    big = self_selected_pool(SICOVAL, 2000, seed=1)
    small_cats = (SICOVAL[0], SICOVAL[1], SICOVAL[2], SICOVAL[4])
    small = self_selected_pool(small_cats, 150, seed=3)
    return {
        "2000/40/6 biased": (big, quotas_for(SICOVAL, 40), 40),
        "200/20/2 balanced": balanced_example(),
        "150/22/4 biased": (small, quotas_for(small_cats, 22), 22),
    }


# --- the Sortition Foundation's package, in a subprocess with a time cap ----------------------

REFERENCE_SCRIPT = r"""
import json, sys, time
from sortition_algorithms import CSVStringDataSource, SelectionData, Settings
from sortition_algorithms.committee_generation.maximin import find_distribution_maximin
features_csv, people_csv, seats = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = SelectionData(CSVStringDataSource(open(features_csv).read(), open(people_csv).read()))
features, _ = data.load_features(seats)
settings = Settings(id_column="id", columns_to_keep=[], check_same_address=False,
                    solver_backend="mip-cbc")
people, _ = data.load_people(settings, features)
t = time.perf_counter()
committees, probs, _ = find_distribution_maximin(features, people, seats, [], "mip-cbc")
seconds = time.perf_counter() - t
marginals = {pid: 0.0 for pid in people}
for committee, p in zip(committees, probs):
    for pid in committee:
        marginals[pid] += p
print(json.dumps({"seconds": seconds, "marginals": marginals}))
"""


def reference_available() -> str | None:
    try:
        from importlib.metadata import version

        import mip  # noqa: F401

        return version("sortition-algorithms")
    except Exception:
        return None


def run_reference(
    people: dict[str, dict[str, str]], quotas: list[Quota], seats: int, cap: float
) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        features = Path(tmp, "features.csv")
        features.write_text(
            "feature,value,min,max\n"
            + "".join(f"{q.category},{q.value},{q.min},{q.max}\n" for q in quotas)
        )
        categories = list(dict.fromkeys(q.category for q in quotas))
        pool = Path(tmp, "people.csv")
        pool.write_text(
            ",".join(["id", *categories])
            + "\n"
            + "".join(
                ",".join([pid, *(v[c] for c in categories)]) + "\n" for pid, v in people.items()
            )
        )
        script = Path(tmp, "reference.py")
        script.write_text(REFERENCE_SCRIPT)
        started = time.perf_counter()
        try:
            out = subprocess.run(
                [sys.executable, str(script), str(features), str(pool), str(seats)],
                capture_output=True,
                text=True,
                timeout=cap,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return {"status": f"stopped after {cap:.0f} s cap"}
        if out.returncode != 0:
            return {"status": "error: " + out.stderr.strip().splitlines()[-1]}
        result = json.loads(out.stdout.strip().splitlines()[-1])
        result["wall"] = time.perf_counter() - started
        result["status"] = "ok"
        return result


def quota_check(problem: SelectionProblem) -> None:
    """What the facilitator waits for: the check of the quotas, feasible and infeasible (the
    rarest value asked for more seats than the pool can give, with the others kept)."""
    started = time.perf_counter()
    check_feasibility(problem)
    feasible = time.perf_counter() - started
    counts: dict[tuple[str, str], int] = {}
    for values in problem.people.values():
        for category, value in values.items():
            counts[(category, value)] = counts.get((category, value), 0) + 1
    rare = min(problem.quotas, key=lambda q: counts.get((q.category, q.value), 0))
    wanted = min(problem.seats, counts.get((rare.category, rare.value), 0) + 1)
    tightened = [
        Quota(q.category, q.value, wanted, max(q.max, wanted)) if q is rare else q
        for q in problem.quotas
    ]
    started = time.perf_counter()
    try:
        check_feasibility(SelectionProblem(problem.people, tightened, problem.seats))
        verdict = "feasible (unexpected)"
    except InfeasibleQuotasError as error:
        verdict = f"infeasible, {len(error.issues)} quota(s) named"
    infeasible = time.perf_counter() - started
    print(
        f"  quota check {feasible:6.2f} s feasible; {infeasible:6.2f} s with "
        f"{rare.category}={rare.value} min {wanted}: {verdict}"
    )


def fmt(p: float) -> str:
    return f"{100 * p:6.2f} %"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer greedy runs, no reference")
    parser.add_argument("--skip-reference", action="store_true")
    parser.add_argument("--reference-cap", type=float, default=900.0, help="seconds per case")
    parser.add_argument("--greedy-runs", type=int, default=None)
    parser.add_argument("--case", action="append", help="only this case (repeatable)")
    args, _ = parser.parse_known_args()  # `make bench` passes its arguments to every bench
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]
    greedy_runs = args.greedy_runs or (1000 if args.quick else 10000)
    with_reference = not args.quick and not args.skip_reference
    reference_version = reference_available() if with_reference else None

    for name, (people, quotas, seats) in make_cases().items():
        if args.case and name not in args.case:
            continue
        problem = SelectionProblem(people, quotas, seats)
        print(
            f"\n== {name}: {len(people)} volunteers, {seats} seats, "
            f"{len({q.category for q in quotas})} categories, {len(quotas)} quotas"
        )
        quota_check(problem)
        for method in ("leximin", "maximin"):
            started = time.perf_counter()
            dist = find_distribution(problem, method)
            seconds = time.perf_counter() - started
            s = summarize(dist.marginals)
            st = dist.stats
            assert st is not None
            at_min = sum(1 for p in dist.marginals.values() if p <= s.minimum + 1e-6)
            print(
                f"  {method:8s} {seconds:8.2f} s   min {fmt(s.minimum)}  median {fmt(s.median)}"
                f"  max {fmt(s.maximum)}   ({at_min} at the minimum; {st.strategy}: "
                f"{st.groups} groups, {len(dist.panels)} panels, {st.stages} stages, "
                f"{st.master_solves} LPs, {st.milp_solves} MILPs, {st.heuristic_columns} "
                "swap columns)"
            )
        est = estimate_legacy_probabilities(problem, runs=greedy_runs, seed=0)
        s = summarize(est.marginals)
        below = sum(1 for p in est.marginals.values() if p < 0.5 * seats / len(people))
        print(
            f"  greedy   {est.seconds:8.2f} s   min {fmt(s.minimum)}  median {fmt(s.median)}"
            f"  max {fmt(s.maximum)}   ({est.runs} runs, {est.failures} failed attempts; "
            f"{below} volunteers under half of k/n)"
        )
        if with_reference:
            if reference_version is None:
                print(
                    "  sortition-algorithms: not installed (pip install "
                    "'sortition-algorithms[mip]'), skipped"
                )
                continue
            ref = run_reference(people, quotas, seats, args.reference_cap)
            if ref["status"] != "ok":
                print(
                    f"  SF maximin (sortition-algorithms {reference_version}, CBC): {ref['status']}"
                )
                continue
            marginals = ref["marginals"]
            assert isinstance(marginals, dict)
            s = summarize(marginals)
            at_min = sum(1 for p in marginals.values() if p <= s.minimum + 1e-6)
            print(
                f"  SF max.  {ref['seconds']:8.2f} s   min {fmt(s.minimum)}  median "
                f"{fmt(s.median)}  max {fmt(s.maximum)}   ({at_min} at the minimum; "
                f"sortition-algorithms "
                f"{reference_version}, CBC; {ref['wall']:.1f} s with start-up)"
            )


if __name__ == "__main__":
    main()
