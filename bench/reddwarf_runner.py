"""Run red-dwarf's Pol.is pipeline on votes given as JSON, for bench/bench_opinions.py.

Run in its own interpreter (the bench set's, or the one named by CIVIC_BENCH_REDDWARF_PYTHON)
so that red-dwarf is never imported by Civic. Reads {"votes": [[participant, statement, vote],
...], "moderated_out": [...], "repeat": n} on standard input; prints the groups and the time of
each run.
"""

import json
import sys
import time
import warnings


def main() -> int:
    warnings.simplefilter("ignore")
    from reddwarf.implementations.polis import run_pipeline

    job = json.load(sys.stdin)
    # red-dwarf wants one vote per pair: the last one, as Pol.is keeps it.
    last = {(p, s): (i, v) for i, (p, s, v) in enumerate(job["votes"])}
    votes = [
        {"participant_id": p, "statement_id": s, "vote": v, "modified": i}
        for (p, s), (i, v) in last.items()
    ]
    times = []
    for _ in range(job.get("repeat", 3)):
        started = time.perf_counter()
        result = run_pipeline(
            votes=votes, mod_out_statement_ids=job.get("moderated_out", []), random_state=0
        )
        times.append(time.perf_counter() - started)
    labels = result.participants_df["cluster_id"].dropna()
    groups = {str(int(p)): int(g) for p, g in labels.items()}
    json.dump({"times": times, "groups": groups}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
