"""The workshops' open data once their minutes are out: workshops and attendance, the
board's notes and the tables' votes (civic.opendata.registry)."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from civic.extensions import db
from civic.opendata.registry import (
    DATE,
    INT,
    STR,
    Dataset,
    iso,
    keyset,
    offset,
    register,
)
from civic.territory.models import Commune
from civic.workshops import board
from civic.workshops.models import Note, Theme, Workshop


def _minutes_out(query):
    return query.where(
        Workshop.published_at.is_not(None), Workshop.minutes_published_at.is_not(None)
    )


def _workshop_filters(query, consultation_id, since):
    if consultation_id is not None:
        query = query.where(Workshop.consultation_id == consultation_id)
    if since:
        query = query.where(Workshop.minutes_published_at >= since)
    return query


def workshops(consultation_id=None, since=None, after=0, limit=None):
    """Workshops whose minutes are out, with attendance counted by college."""
    query = _workshop_filters(
        _minutes_out(sa.select(Workshop, Commune.insee)).outerjoin(
            Commune, Commune.id == Workshop.commune_id
        ),
        consultation_id,
        since,
    )
    for w, insee in db.session.execute(keyset(query, Workshop.id, after, limit)).all():
        present = {p.role: p for p in board.attendance(w)}
        row = {
            "id": w.id,
            "consultation_id": w.consultation_id,
            "titre": w.title,
            "objet": w.purpose,
            "debut": iso(w.starts_at),
            "duree_minutes": w.duration_minutes,
            "format": w.mode,
            "commune_insee": insee,
            "compte_rendu_publie_le": iso(w.minutes_published_at),
            "synthese_html": w.minutes_html,
        }
        for role, column in (
            ("elected", "elus"),
            ("technician", "techniciens"),
            ("citizen", "citoyens"),
        ):
            seats = present.get(role)
            row[f"places_{column}"] = w.seats[role]
            row[f"presents_{column}"] = seats.present if seats else 0
        yield row


def workshop_notes(consultation_id=None, since=None, after=0, limit=None):
    """The board's notes, with their author's college only, once the minutes are out."""
    since = None  # not a filter of this dataset
    query = _workshop_filters(
        _minutes_out(
            sa.select(Note, Theme.title)
            .join(Workshop, Workshop.id == Note.workshop_id)
            .outerjoin(Theme, Theme.id == Note.theme_id)
            .where(Note.status == "published")
        ),
        consultation_id,
        since,
    )
    for note, theme in db.session.execute(keyset(query, Note.id, after, limit)):
        yield {
            "id": note.id,
            "atelier_id": note.workshop_id,
            "table": note.table_no,
            "theme": theme,
            "texte": note.body,
            "college": note.author_role,
            "proposition_id": note.proposal_id,
        }


def workshop_votes(consultation_id=None, since=None, after=0, limit=None):
    """The table's vote: each theme's rank, majority grade or dots, and the ballots counted."""
    query = _workshop_filters(_minutes_out(sa.select(Workshop)), consultation_id, since)

    def rows():
        for w in db.session.scalars(query.order_by(Workshop.id)):
            for table in board.results(w):
                for r in table.rows:
                    yield {
                        "atelier_id": w.id,
                        "table": table.table_no,
                        "theme": r.theme.title,
                        "methode": table.method,
                        "rang": r.rank,
                        "mention_majoritaire": r.grade,
                        "gommettes": r.dots if table.method == "dots" else None,
                        "bulletins": table.ballots,
                    }

    yield from offset(rows(), after, limit)


DATASETS = (
    Dataset(
        "ateliers",
        _l("Ateliers et présences"),
        _l(
            "Les ateliers dont le compte rendu est publié : objet, date, lieu, synthèse, et "
            "places et présences par collège (élus, techniciens, citoyens tirés au sort)."
        ),
        "weekly",
        [
            ("id", INT, "Identifiant"),
            ("consultation_id", INT, "Concertation liée"),
            ("titre", STR, "Titre"),
            ("objet", STR, "Objet"),
            ("debut", DATE, "Début"),
            ("duree_minutes", INT, "Durée en minutes"),
            ("format", STR, "Format (onsite, online, hybrid)"),
            ("commune_insee", STR, "Commune du lieu"),
            ("compte_rendu_publie_le", DATE, "Publication du compte rendu"),
            ("synthese_html", STR, "Synthèse (HTML nettoyé)"),
            ("places_elus", INT, "Places pour des élus"),
            ("presents_elus", INT, "Élus présents"),
            ("places_techniciens", INT, "Places pour des techniciens"),
            ("presents_techniciens", INT, "Techniciens présents"),
            ("places_citoyens", INT, "Places citoyennes (tirage au sort)"),
            ("presents_citoyens", INT, "Citoyens présents"),
        ],
        workshops,
        by_consultation=True,
        since="compte_rendu_publie_le",
    ),
    Dataset(
        "ateliers-notes",
        _l("Notes des ateliers"),
        _l(
            "Les notes écrites au tableau des ateliers dont le compte rendu est publié, avec "
            "le collège de leur auteur (élu, technicien, citoyen) mais jamais son identité."
        ),
        "weekly",
        [
            ("id", INT, "Identifiant"),
            ("atelier_id", INT, "Atelier"),
            ("table", INT, "Table"),
            ("theme", STR, "Thème"),
            ("texte", STR, "Texte"),
            ("college", STR, "Collège de l'auteur : elected, technician, citizen, facilitator"),
            ("proposition_id", INT, "Contribution de la concertation issue de la note"),
        ],
        workshop_notes,
        by_consultation=True,
    ),
    Dataset(
        "ateliers-votes",
        _l("Votes des ateliers"),
        _l(
            "Le classement des thèmes par chaque table (jugement majoritaire : mention "
            "de 0 « à rejeter » à 6 « excellent » ; ou vote par gommettes), sans les bulletins."
        ),
        "weekly",
        [
            ("atelier_id", INT, "Atelier"),
            ("table", INT, "Table"),
            ("theme", STR, "Thème"),
            ("methode", STR, "Méthode (majority, dots)"),
            ("rang", INT, "Rang"),
            ("mention_majoritaire", INT, "Mention majoritaire (0 à 6)"),
            ("gommettes", INT, "Gommettes reçues"),
            ("bulletins", INT, "Bulletins comptés"),
        ],
        workshop_votes,
        by_consultation=True,
    ),
)


def register_datasets() -> None:
    for dataset in DATASETS:
        register(dataset)
