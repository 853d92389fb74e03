"""`flask civic workshops ...` commands. `select` runs a fair selection on CSV files, without an
app.

    flask civic workshops select --respondents R.csv --quotas Q.csv --seats 24 --seed 20260315 \
        --out panel.csv --probabilities probabilities.csv
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import cast

import click
from flask.cli import AppGroup

from civic.cli_i18n import _c, _cn, decimal, percent

from .selection import (
    METHODS,
    InfeasibleQuotasError,
    InvalidSelectionDataError,
    Method,
    QuotaIssue,
    SelectionProblem,
    new_seed,
    run_selection,
    summarize,
)
from .selection.csvio import read_quotas, read_respondents, write_ids, write_probabilities

workshops_cli = AppGroup("workshops", help=_c("Ateliers citoyens."))

_in_file = click.Path(exists=True, dir_okay=False, readable=True, path_type=Path)
_out_file = click.Path(dir_okay=False, writable=True, path_type=Path)


@workshops_cli.command(
    "select",
    with_appcontext=False,
    help=_c(
        "Tire au sort un panel parmi les volontaires, aussi équitablement que les quotas le "
        "permettent."
    ),
)
@click.option(
    "--respondents",
    "respondents_path",
    type=_in_file,
    required=True,
    help=_c("CSV des volontaires : une colonne d'identifiant et une par catégorie de quota."),
)
@click.option(
    "--quotas",
    "quotas_path",
    type=_in_file,
    required=True,
    help=_c("CSV des quotas : category,value,min,max."),
)
@click.option(
    "--seats", type=click.IntRange(min=1), required=True, help=_c("Nombre de places du panel.")
)
@click.option(
    "--id-column", default="id", show_default=True, help=_c("Colonne des identifiants.")
)
@click.option(
    "--household-column",
    default=None,
    help=_c("Colonne d'une clé d'adresse : au plus un volontaire par clé dans le panel."),
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=None,
    help=_c("Graine publiée du tirage ; sans elle, une graine est tirée et affichée."),
)
@click.option(
    "--method",
    type=click.Choice(METHODS),
    default="leximin",
    show_default=True,
    help=_c("Méthode d'équité de la loterie."),
)
@click.option(
    "--out", "out_path", type=_out_file, required=True, help=_c("CSV des identifiants tirés.")
)
@click.option(
    "--probabilities",
    "probabilities_path",
    type=_out_file,
    default=None,
    help=_c("CSV id,probability : la probabilité de chaque volontaire."),
)
@click.option(
    "--reserve",
    "reserve_path",
    type=_out_file,
    default=None,
    help=_c("CSV rank,id : la liste de réserve, dans l'ordre."),
)
@click.option(
    "--time-limit",
    type=click.FloatRange(min=1),
    default=None,
    help=_c("En secondes ; au-delà, la meilleure loterie trouvée est utilisée."),
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
    except InvalidSelectionDataError as exc:
        raise click.ClickException(str(exc)) from exc
    except InfeasibleQuotasError as exc:
        lines = [_c("Aucun panel ne peut respecter tous les quotas :")]
        lines += ["- " + describe(issue, seats) for issue in exc.issues]
        raise click.ClickException("\n".join(lines)) from exc
    elapsed = time.perf_counter() - started

    write_ids(out_path, result.panel)
    if probabilities_path is not None:
        write_probabilities(probabilities_path, result.marginals)
    if reserve_path is not None:
        write_ids(reserve_path, result.reserve, rank=True)

    spread = summarize(result.marginals)
    stats = result.distribution.stats
    click.echo(
        _c(
            "%(panel)s volontaires tirés sur %(pool)s (%(method)s, graine %(seed)s).",
            panel=len(result.panel),
            pool=len(people),
            method=method,
            seed=result.seed,
        )
    )
    click.echo(
        _c(
            "Probabilité d'être tiré : minimum %(min)s, médiane %(median)s, maximum %(max)s.",
            min=percent(spread.minimum),
            median=percent(spread.median),
            max=percent(spread.maximum),
        )
    )
    if result.distribution.excluded:
        click.echo(
            _cn(
                "%(num)s volontaire ne peut siéger dans aucun panel qui respecte les quotas "
                "(probabilité 0).",
                "%(num)s volontaires ne peuvent siéger dans aucun panel qui respecte les quotas "
                "(probabilité 0).",
                len(result.distribution.excluded),
            )
        )
    if stats is not None and not stats.optimal:
        click.echo(
            _c(
                "Temps limite atteint : la loterie respecte les quotas, mais n'est pas prouvée "
                "la plus équitable."
            )
        )
    click.echo(_c("Durée : %(seconds)s s.", seconds=decimal(elapsed)))


def describe(issue: QuotaIssue, seats: int) -> str:
    """One obstacle to the quotas, in words, with the bound that would remove it."""
    if issue.bound == "seats":
        return _c(
            "%(current)s volontaires peuvent siéger pour %(seats)s places : il en faut davantage, "
            "ou moins de places.",
            current=issue.current,
            seats=seats,
        )
    if issue.suggested is None:
        return _c("quota %(label)s : impossible à respecter.", label=issue.label)
    if issue.bound == "min":
        return _c(
            "quota %(label)s : minimum %(current)s impossible à atteindre ; ramenez-le à "
            "%(suggested)s ou recrutez d'autres volontaires.",
            label=issue.label,
            current=issue.current,
            suggested=issue.suggested,
        )
    return _c(
        "quota %(label)s : maximum %(current)s trop bas ; portez-le à %(suggested)s.",
        label=issue.label,
        current=issue.current,
        suggested=issue.suggested,
    )
