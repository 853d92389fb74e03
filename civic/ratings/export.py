"""The ratings open-data export: monthly aggregates and moderated comments, with schemas."""

from pathlib import Path

from civic.core.identity import authority
from civic.core.opendata import table_schema, to_csv
from civic.ratings import queries
from civic.ratings.models import CRITERIA

AGGREGATE_FIELDS = ["mois", "service_id", "service", "type", "commune_id", "nombre_avis", *CRITERIA]
COMMENT_FIELDS = ["mois", "service_id", "commentaire"]


def aggregate_schema() -> str:
    fields = [
        {"name": "mois", "type": "yearmonth", "description": "Mois des avis (UTC)"},
        {"name": "service_id", "type": "integer", "description": "Identifiant du service"},
        {"name": "service", "type": "string", "description": "Nom du service"},
        {"name": "type", "type": "string", "description": "Type de service"},
        {"name": "commune_id", "type": "integer", "description": "Commune (identifiant Civic)"},
        {
            "name": "nombre_avis",
            "type": "integer",
            "description": "Nombre d'avis ; vide quand il y en a moins de 5 (secret statistique)",
        },
    ] + [
        {
            "name": c,
            "type": "number",
            "description": f"Moyenne de 1 à 5 ({CRITERIA[c]}) ; vide sous 5 avis",
        }
        for c in CRITERIA
    ]
    return table_schema(
        f"Avis sur les services publics, {authority().name}, agrégats mensuels",
        "Nombre d'avis et moyennes par critère, par service et par mois. "
        "Toute cellule calculée sur moins de 5 avis est supprimée.",
        fields,
    )


def comment_schema() -> str:
    return table_schema(
        f"Commentaires publiés sur les services publics, {authority().name}",
        "Commentaires acceptés par la modération, données personnelles retirées ; aucun "
        "identifiant de personne.",
        [
            {"name": "mois", "type": "yearmonth"},
            {"name": "service_id", "type": "integer"},
            {"name": "commentaire", "type": "string"},
        ],
    )


def files() -> dict[str, str]:
    return {
        "avis-services-agregats.csv": to_csv(queries.monthly_aggregates(), AGGREGATE_FIELDS),
        "avis-services-agregats.schema.json": aggregate_schema(),
        "avis-services-commentaires.csv": to_csv(queries.exported_comments(), COMMENT_FIELDS),
        "avis-services-commentaires.schema.json": comment_schema(),
    }


def write(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in files().items():
        path = directory / name
        path.write_text(content, encoding="utf-8")
        written.append(path)
    return written
