"""`flask workshops select` end to end on CSV files, without an app or a database."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from civic.core.catalogues import french_spacing as fr
from civic.workshops.commands import workshops_cli

QUOTAS = """category,value,min,max
genre,F,3,4
genre,H,3,4
âge,jeune,2,3
âge,senior,4,5
"""


def respondents(delimiter: str = ",", bom: bool = False) -> str:
    rows = [delimiter.join(["identifiant", "genre", "âge", "adresse"])]
    for i in range(30):
        gender = "F" if i % 3 == 0 else "H"
        age = "jeune" if i % 4 == 0 else "senior"
        rows.append(delimiter.join([f"r{i:02d}", gender, age, f"{i // 2} rue des Lilas"]))
    return ("\ufeff" if bom else "") + "\n".join(rows) + "\n"


def run(tmp_path: Path, *extra: str, people: str | None = None, quotas: str = QUOTAS):
    (tmp_path / "r.csv").write_text(people if people is not None else respondents(), "utf-8")
    (tmp_path / "q.csv").write_text(quotas, "utf-8")
    args = [
        "select",
        "--respondents",
        str(tmp_path / "r.csv"),
        "--quotas",
        str(tmp_path / "q.csv"),
        "--id-column",
        "identifiant",
        "--out",
        str(tmp_path / "panel.csv"),
        *extra,
    ]
    return CliRunner().invoke(workshops_cli, args)


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize(("delimiter", "bom"), [(",", False), (";", True), (";", False)])
def test_select_writes_panel_and_probabilities(tmp_path, delimiter, bom):
    result = run(
        tmp_path,
        "--seats",
        "7",
        "--seed",
        "42",
        "--probabilities",
        str(tmp_path / "p.csv"),
        "--reserve",
        str(tmp_path / "reserve.csv"),
        people=respondents(delimiter, bom),
    )
    assert result.exit_code == 0, result.output
    panel = [row["id"] for row in read(tmp_path / "panel.csv")]
    assert len(panel) == 7 and len(set(panel)) == 7
    probabilities = {row["id"]: float(row["probability"]) for row in read(tmp_path / "p.csv")}
    assert len(probabilities) == 30
    assert sum(probabilities.values()) == pytest.approx(7, abs=1e-6)
    reserve = read(tmp_path / "reserve.csv")
    assert [int(r["rank"]) for r in reserve] == list(range(1, 24))
    assert {r["id"] for r in reserve}.isdisjoint(panel)
    out = result.output
    assert "graine 42" in out and "minimum" in out and "médiane" in out and "maximum" in out
    assert fr("Durée :") in out
    # the quotas hold on the panel
    people = {
        row["identifiant"]: row for row in csv.DictReader(respondents().splitlines(), delimiter=",")
    }
    women = sum(people[p]["genre"] == "F" for p in panel)
    young = sum(people[p]["âge"] == "jeune" for p in panel)
    assert 3 <= women <= 4 and 2 <= young <= 3


def test_same_seed_same_panel(tmp_path):
    first = run(tmp_path, "--seats", "7", "--seed", "9", "--method", "maximin")
    assert first.exit_code == 0, first.output
    panel = (tmp_path / "panel.csv").read_text()
    second = run(tmp_path, "--seats", "7", "--seed", "9", "--method", "maximin")
    assert second.exit_code == 0
    assert (tmp_path / "panel.csv").read_text() == panel
    assert "maximin" in second.output


def test_without_seed_a_seed_is_drawn_and_printed(tmp_path):
    result = run(tmp_path, "--seats", "7")
    assert result.exit_code == 0, result.output
    assert "graine " in result.output


def test_households(tmp_path):
    result = run(tmp_path, "--seats", "7", "--seed", "1", "--household-column", "adresse")
    assert result.exit_code == 0, result.output
    panel = [row["id"] for row in read(tmp_path / "panel.csv")]
    addresses = [int(p[1:]) // 2 for p in panel]
    assert len(set(addresses)) == len(addresses)


def test_infeasible_quotas_exit_non_zero_naming_the_quota(tmp_path):
    quotas = QUOTAS.replace("âge,jeune,2,3", "âge,jeune,9,9")
    result = run(tmp_path, "--seats", "12", "--seed", "1", quotas=quotas)
    assert result.exit_code != 0
    assert "Aucun panel ne peut respecter tous les quotas" in result.output
    assert (
        fr("quota âge=jeune : minimum 9 impossible à atteindre ; ramenez-le à 8") in result.output
    )
    assert not (tmp_path / "panel.csv").exists()


@pytest.mark.parametrize(
    ("quotas", "people", "message"),
    [
        ("category,value,min\ngenre,F,1\n", None, "pas de colonne « max »"),
        ("category,value,min,max\ngenre,F,one,2\n", None, "min doit être un nombre entier"),
        (QUOTAS + "ville,Labège,0,2\n", None, "pas de colonne « ville »"),
        (QUOTAS, "identifiant,genre,âge\nr1,F,jeune\nr1,H,senior\n", "« r1 » est répété"),
        (QUOTAS, "identifiant,genre,âge\nr1,X,jeune\n", "genre=X pour r1"),
    ],
)
def test_bad_files_give_a_readable_error(tmp_path, quotas, people, message):
    result = run(tmp_path, "--seats", "2", "--seed", "1", quotas=quotas, people=people)
    assert result.exit_code != 0
    assert fr(message) in result.output
