"""`flask workshops ...` commands. `select` runs a fair selection on CSV files, without an app.

    flask workshops select --respondents R.csv --quotas Q.csv --seats 24 --seed 20260315 \
        --out panel.csv --probabilities probabilities.csv
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import cast

import click
from flask.cli import AppGroup

from .selection import (
    METHODS,
    InfeasibleQuotasError,
    InvalidSelectionDataError,
    Method,
    SelectionProblem,
    new_seed,
    run_selection,
    summarize,
)
from .selection.csvio import read_quotas, read_respondents, write_ids, write_probabilities

workshops_cli = AppGroup("workshops", help="Citizens' workshops.")

_in_file = click.Path(exists=True, dir_okay=False, readable=True, path_type=Path)
_out_file = click.Path(dir_okay=False, writable=True, path_type=Path)


@workshops_cli.command("select", with_appcontext=False)
@click.option(
    "--respondents",
    "respondents_path",
    type=_in_file,
    required=True,
    help="CSV of volunteers: an id column and one column per quota category.",
)
@click.option(
    "--quotas", "quotas_path", type=_in_file, required=True, help="CSV with category,value,min,max."
)
@click.option("--seats", type=click.IntRange(min=1), required=True, help="Panel size.")
@click.option("--id-column", default="id", show_default=True)
@click.option(
    "--household-column",
    default=None,
    help="Column with an address key: at most one volunteer per key on the panel.",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=None,
    help="Published seed of the draw; a fresh one is drawn and printed if omitted.",
)
@click.option("--method", type=click.Choice(METHODS), default="leximin", show_default=True)
@click.option("--out", "out_path", type=_out_file, required=True, help="CSV of selected ids.")
@click.option(
    "--probabilities",
    "probabilities_path",
    type=_out_file,
    default=None,
    help="CSV of id,probability for every volunteer.",
)
@click.option(
    "--reserve",
    "reserve_path",
    type=_out_file,
    default=None,
    help="CSV of rank,id: the ordered reserve list.",
)
@click.option(
    "--time-limit",
    type=click.FloatRange(min=1),
    default=None,
    help="Seconds; past it the best lottery found so far is used.",
)
def select_command(
    respondents_path: Path,
    quotas_path: Path,
    seats: int,
    id_column: str,
    household_column: str | None,
    seed: int | None,
    method: str,
    out_path: Path,
    probabilities_path: Path | None,
    reserve_path: Path | None,
    time_limit: float | None,
) -> None:
    """Draw a panel among the respondents, as fairly as the quotas allow."""
    started = time.perf_counter()
    try:
        quotas = read_quotas(quotas_path)
        categories = list(dict.fromkeys(q.category for q in quotas))
        people, households = read_respondents(
            respondents_path, categories, id_column=id_column, household_column=household_column
        )
        problem = SelectionProblem(people, quotas, seats, households)
        seed = new_seed() if seed is None else seed
        result = run_selection(problem, cast(Method, method), seed, time_limit=time_limit)
    except (InvalidSelectionDataError, InfeasibleQuotasError) as exc:
        raise click.ClickException(str(exc)) from exc
    elapsed = time.perf_counter() - started

    write_ids(out_path, result.panel)
    if probabilities_path is not None:
        write_probabilities(probabilities_path, result.marginals)
    if reserve_path is not None:
        write_ids(reserve_path, result.reserve, rank=True)

    spread = summarize(result.marginals)
    stats = result.distribution.stats
    click.echo(
        f"Selected {len(result.panel)} of {len(people)} volunteers ({method}, seed {result.seed})."
    )
    click.echo(
        f"Selection probability: minimum {spread.minimum:.2%}, median {spread.median:.2%}, "
        f"maximum {spread.maximum:.2%}."
    )
    if result.distribution.excluded:
        click.echo(
            f"{len(result.distribution.excluded)} volunteer(s) cannot sit on any panel that "
            "meets the quotas (probability 0)."
        )
    if stats is not None and not stats.optimal:
        click.echo("Time limit reached: the lottery meets the quotas but is not proven fairest.")
    click.echo(f"Time: {elapsed:.2f} s.")
