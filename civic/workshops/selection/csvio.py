"""CSV files of a selection: quotas, respondents, panel and probabilities.

Files from spreadsheets arrive in UTF-8 with or without a BOM, separated by `,` or `;` (French
Excel); both are accepted.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from pathlib import Path

from civic.cli_i18n import _c

from .model import InvalidSelectionDataError, PersonId, Quota, id_sort_key

QUOTA_COLUMNS = {
    "category": ("category", "categorie", "catégorie", "feature"),
    "value": ("value", "valeur", "modalite", "modalité"),
    "min": ("min", "minimum"),
    "max": ("max", "maximum"),
}


def read_table(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of a CSV file (cells stripped, blank lines skipped)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidSelectionDataError(
            _c("%(file)s n'est pas encodé en UTF-8 (%(why)s)", file=path.name, why=exc.reason)
        ) from exc
    first = next((line for line in text.splitlines() if line.strip()), "")
    if not first:
        raise InvalidSelectionDataError(_c("%(file)s : le fichier est vide", file=path.name))
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[dict[str, str]] = []
    for line in reader:
        cells = [c.strip() for c in line]
        if not any(cells):
            continue
        if header is None:
            header = cells
            duplicated = {c for c in header if header.count(c) > 1}
            if duplicated:
                raise InvalidSelectionDataError(
                    _c(
                        "%(file)s : colonnes en double : %(columns)s",
                        file=path.name,
                        columns=", ".join(sorted(duplicated)),
                    )
                )
            continue
        if len(cells) > len(header) and any(cells[len(header) :]):
            raise InvalidSelectionDataError(
                _c(
                    "%(file)s, ligne %(line)s : plus de cellules que de colonnes",
                    file=path.name,
                    line=reader.line_num,
                )
            )
        cells += [""] * (len(header) - len(cells))
        rows.append(dict(zip(header, cells, strict=False)))
    assert header is not None
    return header, rows


def _column(header: list[str], names: Iterable[str], path: Path, what: str) -> str:
    lowered = {h.lower(): h for h in header}
    for name in names:
        if name in lowered:
            return lowered[name]
    raise InvalidSelectionDataError(
        _c(
            "%(file)s : pas de colonne « %(what)s » (colonnes : %(columns)s)",
            file=path.name,
            what=what,
            columns=", ".join(header),
        )
    )


def read_quotas(path: Path) -> list[Quota]:
    """Quotas from a `category,value,min,max` file."""
    header, rows = read_table(path)
    cols = {key: _column(header, names, path, key) for key, names in QUOTA_COLUMNS.items()}
    quotas = []
    for number, row in enumerate(rows, start=2):
        bounds = []
        for key in ("min", "max"):
            raw = row[cols[key]]
            try:
                bounds.append(int(raw))
            except ValueError:
                raise InvalidSelectionDataError(
                    _c(
                        "%(file)s, ligne %(row)s : %(key)s doit être un nombre entier, "
                        "pas « %(raw)s »",
                        file=path.name,
                        row=number,
                        key=key,
                        raw=raw,
                    )
                ) from None
        category, value = row[cols["category"]], row[cols["value"]]
        if not category or not value:
            raise InvalidSelectionDataError(
                _c("%(file)s, ligne %(row)s : catégorie ou valeur vide", file=path.name, row=number)
            )
        quotas.append(Quota(category, value, bounds[0], bounds[1]))
    if not quotas:
        raise InvalidSelectionDataError(_c("%(file)s : aucun quota", file=path.name))
    return quotas


def read_respondents(
    path: Path,
    categories: Iterable[str],
    *,
    id_column: str = "id",
    household_column: str | None = None,
) -> tuple[dict[PersonId, dict[str, str]], dict[PersonId, str] | None]:
    """Volunteers (id -> category -> value) and, if asked, their address keys."""
    header, rows = read_table(path)
    id_col = _column(header, [id_column.lower()], path, id_column)
    columns = {c: _column(header, [c.lower()], path, c) for c in categories}
    hh_col = (
        _column(header, [household_column.lower()], path, household_column)
        if household_column
        else None
    )
    people: dict[PersonId, dict[str, str]] = {}
    households: dict[PersonId, str] = {}
    for number, row in enumerate(rows, start=2):
        pid = row[id_col]
        if not pid:
            raise InvalidSelectionDataError(
                _c("%(file)s, ligne %(row)s : identifiant vide", file=path.name, row=number)
            )
        if pid in people:
            raise InvalidSelectionDataError(
                _c(
                    "%(file)s, ligne %(row)s : l'identifiant « %(id)s » est répété",
                    file=path.name,
                    row=number,
                    id=pid,
                )
            )
        people[pid] = {category: row[col] for category, col in columns.items()}
        if hh_col is not None and row[hh_col]:
            households[pid] = row[hh_col].casefold()
    return people, (households if hh_col is not None else None)


def write_ids(path: Path, ids: Iterable[PersonId], *, rank: bool = False) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["rank", "id"] if rank else ["id"])
        for n, pid in enumerate(ids, start=1):
            writer.writerow([n, pid] if rank else [pid])


def write_probabilities(path: Path, marginals: Mapping[PersonId, float]) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "probability"])
        for pid in sorted(marginals, key=id_sort_key):
            writer.writerow([pid, f"{marginals[pid]:.10f}"])
