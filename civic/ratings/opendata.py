"""The ratings' open data: monthly aggregates and published comments
(civic.opendata.registry)."""

from flask_babel import lazy_gettext as _l

from civic.opendata.registry import (
    INT,
    NUM,
    STR,
    Dataset,
    offset,
    register,
)
from civic.ratings import queries as ratings
from civic.ratings.models import CRITERIA


def ratings_aggregates(consultation_id=None, since=None, after=0, limit=None):
    yield from offset(ratings.monthly_aggregates(), after, limit)


def ratings_comments(consultation_id=None, since=None, after=0, limit=None):
    yield from offset(ratings.exported_comments(), after, limit)


DATASETS = (
    Dataset(
        "avis-services",
        _l("Avis sur les services publics (agrégats mensuels)"),
        _l(
            "Nombre d'avis et moyennes par critère, par service et par mois ; les cellules "
            "calculées sur moins de 5 avis sont supprimées."
        ),
        "monthly",
        [
            ("mois", "yearmonth", "Mois"),
            ("service_id", INT, "Service"),
            ("service", STR, "Nom du service"),
            ("type", STR, "Type"),
            ("commune_id", INT, "Commune"),
            ("nombre_avis", INT, "Nombre d'avis (vide sous 5)"),
        ]
        + [(c, NUM, "Moyenne sur 5 (vide sous 5 avis)") for c in CRITERIA],
        ratings_aggregates,
    ),
    Dataset(
        "avis-services-commentaires",
        _l("Commentaires publiés sur les services publics"),
        _l(
            "Les commentaires acceptés par la modération, données personnelles retirées ; "
            "aucun identifiant de personne."
        ),
        "daily",
        [
            ("mois", "yearmonth", "Mois"),
            ("service_id", INT, "Service"),
            ("commentaire", STR, "Commentaire"),
        ],
        ratings_comments,
    ),
)


def register_datasets() -> None:
    for dataset in DATASETS:
        register(dataset)
