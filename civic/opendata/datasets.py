"""The datasets the platform publishes: anonymised, public items only.

Each dataset yields plain rows keyed by id, so that the CSV and JSON files, the catalogue and
the API all serve the same data. No author identity, no hidden item, no draft consultation,
never who voted what (votes reveal political opinions): only totals.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from civic.analysis.answers import PENDING, outcomes
from civic.analysis.models import AnalysisRun, Cluster, ClusterMember
from civic.analysis.participation import participation
from civic.consultations.models import Comment, Consultation, Phase, Proposal
from civic.extensions import db
from civic.moderation.models import Case, Decision
from civic.ratings import queries as ratings
from civic.ratings.models import CRITERIA
from civic.territory.models import Commune
from civic.workshops import board
from civic.workshops.models import Note, Theme, Workshop


@dataclass(frozen=True)
class Dataset:
    name: str
    title: object
    description: object
    frequency: str  # DCAT: "daily", "weekly", "monthly"
    fields: list[tuple[str, str, str]]  # name, Table Schema type, description
    # (consultation_id=None, since=None, after=0, limit=None) -> rows, in a stable order: by
    # "id" after the id `after` when the dataset has one, otherwise skipping `after` rows.
    rows: Callable[..., Iterator[dict]]
    by_consultation: bool = False  # the rows can be filtered by consultation
    since: str | None = None  # the date field that the "since" filter applies to, if any

    @property
    def field_names(self) -> list[str]:
        return [f[0] for f in self.fields]

    @property
    def filters(self) -> list[str]:
        return ["consultation"] * self.by_consultation + ["since"] * (self.since is not None)

    @property
    def key(self) -> str | None:
        """The column the API pages on; without one it pages by position."""
        return "id" if "id" in self.field_names else None


def _published(query, column):
    return query.where(
        column.in_(sa.select(Consultation.id).where(Consultation.published_at.is_not(None)))
    )


def _page(query, column, after: int, limit: int | None):
    """Keyset pagination in SQL: the rows whose id comes after `after`, at most `limit`."""
    query = query.where(column > after).order_by(column)
    return query.limit(limit) if limit is not None else query


def _iso(value):
    return value.isoformat() if value else None


def consultations(consultation_id=None, since=None, after=0, limit=None):
    query = sa.select(Consultation).where(Consultation.published_at.is_not(None))
    if consultation_id is not None:
        query = query.where(Consultation.id == consultation_id)
    if since:
        query = query.where(Consultation.published_at >= since)
    for c in db.session.scalars(_page(query, Consultation.id, after, limit)):
        yield {
            "id": c.id,
            "slug": c.slug,
            "titre": c.title,
            "resume": c.summary,
            "theme": c.theme,
            "publiee_le": _iso(c.published_at),
            "communes": "" if c.all_communes else ",".join(m.insee for m in c.communes),
        }


def phases(consultation_id=None, since=None, after=0, limit=None):
    query = _published(sa.select(Phase), Phase.consultation_id)
    if consultation_id is not None:
        query = query.where(Phase.consultation_id == consultation_id)
    for p in db.session.scalars(_page(query, Phase.id, after, limit)):
        yield {
            "id": p.id,
            "consultation_id": p.consultation_id,
            "titre": p.title,
            "debut": _iso(p.starts_at),
            "fin": _iso(p.ends_at),
            "fonctions": ",".join(p.features),
            "public": p.audience,
        }


def proposals(consultation_id=None, since=None, after=0, limit=None):
    query = (
        sa.select(Proposal, Commune.insee)
        .outerjoin(Commune, Commune.id == Proposal.commune_id)
        .where(Proposal.status == "published")
    )
    query = _published(query, Proposal.consultation_id)
    if consultation_id is not None:
        query = query.where(Proposal.consultation_id == consultation_id)
    if since:
        query = query.where(Proposal.created_at >= since)
    rows = db.session.execute(_page(query, Proposal.id, after, limit)).all()
    # The one answer of each proposal: its own, or its group's decision (civic.analysis.answers).
    found = outcomes(("proposal", p.id) for p, _insee in rows)
    for p, insee in rows:
        answer = found[("proposal", p.id)]
        yield {
            "id": p.id,
            "consultation_id": p.consultation_id,
            "titre": p.title,
            "texte": p.body,
            "theme": p.theme,
            "commune_insee": insee,
            "canal": p.channel,
            "cree_le": _iso(p.created_at),
            "statut_reponse": None if answer.status == PENDING else answer.status,
            "reponse": answer.text or None,
            # Officials sign their answers with their function, never their name: that is public.
            "reponse_signee_par": answer.signed_as or None,
            "reponse_groupe": answer.group or None,
        }


def comments(consultation_id=None, since=None, after=0, limit=None):
    query = (
        sa.select(Comment, Proposal.consultation_id)
        .join(Proposal)
        .where(Comment.status == "published", Proposal.status == "published")
    )
    query = _published(query, Proposal.consultation_id)
    if consultation_id is not None:
        query = query.where(Proposal.consultation_id == consultation_id)
    if since:
        query = query.where(Comment.created_at >= since)
    for c, cid in db.session.execute(_page(query, Comment.id, after, limit)):
        yield {
            "id": c.id,
            "proposition_id": c.proposal_id,
            "consultation_id": cid,
            "reponse_a": c.parent_id,
            "texte": c.body,
            "position": c.stance,
            "cree_le": _iso(c.created_at),
        }


def vote_totals(consultation_id=None, since=None, after=0, limit=None):
    query = _published(
        sa.select(Proposal).where(Proposal.status == "published"), Proposal.consultation_id
    )
    if consultation_id is not None:
        query = query.where(Proposal.consultation_id == consultation_id)
    for p in db.session.scalars(_page(query, Proposal.id, after, limit)):
        yield {
            "id": p.id,
            "consultation_id": p.consultation_id,
            "d_accord": p.agree_count,
            "pas_d_accord": p.disagree_count,
            "passe": p.pass_count,
        }


def decisions(consultation_id=None, since=None, after=0, limit=None):
    query = (
        sa.select(Cluster, AnalysisRun)
        .join(AnalysisRun)
        .where(AnalysisRun.published_at.is_not(None))
    )
    query = _published(query, AnalysisRun.consultation_id)
    if consultation_id is not None:
        query = query.where(AnalysisRun.consultation_id == consultation_id)
    if since:
        query = query.where(AnalysisRun.published_at >= since)
    page = db.session.execute(_page(query, Cluster.id, after, limit)).all()
    members: dict[int, list[str]] = {}
    if page:
        for cluster_id, kind, item_id in db.session.execute(
            sa.select(ClusterMember.cluster_id, ClusterMember.kind, ClusterMember.item_id)
            .where(
                ClusterMember.cluster_id.in_([cluster.id for cluster, _ in page]),
                # Copies held by moderation count in the size, but are not published items.
                ClusterMember.held.is_(False),
            )
            .order_by(ClusterMember.id)
        ):
            members.setdefault(cluster_id, []).append(f"{kind}:{item_id}")
    for cluster, run in page:
        yield {
            "id": cluster.id,
            "consultation_id": run.consultation_id,
            "analyse_id": run.id,
            "libelle": cluster.label,
            "mots_cles": ", ".join(cluster.keywords),
            "contributions": cluster.size,
            "contributions_dedoublonnees": cluster.size_unique,
            "membres": " ".join(members.get(cluster.id, [])),
            "decision": cluster.decision,
            "justification": cluster.justification,
            "publiee_le": _iso(run.published_at),
        }


def moderation_log(consultation_id=None, since=None, after=0, limit=None):
    published = sa.select(Consultation.id).where(Consultation.published_at.is_not(None))
    # A decision about an item of a draft consultation is logged without naming the draft.
    shown = sa.case((Case.consultation_id.in_(published), Case.consultation_id), else_=None)
    query = sa.select(Decision, Case.kind, shown).join(Case)
    if consultation_id is not None:
        query = query.where(Case.consultation_id == consultation_id, shown.is_not(None))
    if since:
        query = query.where(Decision.created_at >= since)
    for decision, kind, cid in db.session.execute(_page(query, Decision.id, after, limit)):
        yield {
            "id": decision.id,
            "date": _iso(decision.created_at),
            "type": kind,
            "consultation_id": cid,
            "decision": decision.action,
            "motif": decision.charter_reason or None,
            "en_appel": decision.on_appeal,
        }


def participation_rows(consultation_id=None, since=None, after=0, limit=None):
    """Per published consultation, its totals, then one row per commune: the figures of the
    synthesis and of the diversity dashboard (civic.analysis.participation)."""
    query = sa.select(Consultation).where(Consultation.published_at.is_not(None))
    if consultation_id is not None:
        query = query.where(Consultation.id == consultation_id)

    def rows():
        for consultation in db.session.scalars(query.order_by(Consultation.id)):
            figures = participation(consultation)
            people = figures.people
            yield {
                "consultation_id": consultation.id,
                "commune_insee": None,
                "commune": None,
                "participants": people.participants,
                "part_participants": None,
                "population": None,
                "part_population": None,
                "contributions": people.contributions,
                "propositions_concernees": sum(c.proposals for c in figures.concerned)
                + figures.no_commune,
            }
            concerned = {c.insee: c for c in figures.concerned}
            for row in people.communes:
                if not row.insee:
                    continue
                yield {
                    "consultation_id": consultation.id,
                    "commune_insee": row.insee,
                    "commune": row.name,
                    "participants": row.count,
                    "part_participants": row.share,
                    "population": row.population,
                    "part_population": row.population_share,
                    "contributions": None,
                    "propositions_concernees": concerned[row.insee].proposals
                    if row.insee in concerned
                    else 0,
                }

    yield from _offset(rows(), after, limit)


def _offset(rows, after: int, limit: int | None):
    """Positional pagination, for the small aggregated datasets that have no id."""
    return islice(rows, after, None if limit is None else after + limit)


def ratings_aggregates(consultation_id=None, since=None, after=0, limit=None):
    yield from _offset(ratings.monthly_aggregates(), after, limit)


def ratings_comments(consultation_id=None, since=None, after=0, limit=None):
    yield from _offset(ratings.exported_comments(), after, limit)


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
    for w, insee in db.session.execute(_page(query, Workshop.id, after, limit)).all():
        present = {p.role: p for p in board.attendance(w)}
        row = {
            "id": w.id,
            "consultation_id": w.consultation_id,
            "titre": w.title,
            "objet": w.purpose,
            "debut": _iso(w.starts_at),
            "duree_minutes": w.duration_minutes,
            "format": w.mode,
            "commune_insee": insee,
            "compte_rendu_publie_le": _iso(w.minutes_published_at),
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
    for note, theme in db.session.execute(_page(query, Note.id, after, limit)):
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

    yield from _offset(rows(), after, limit)


# Table Schema types.
STR, INT, NUM, DATE, BOOL = "string", "integer", "number", "datetime", "boolean"
DATASETS = [
    Dataset(
        "concertations",
        _l("Concertations"),
        _l("Les concertations publiées."),
        "weekly",
        [
            ("id", INT, "Identifiant"),
            ("slug", STR, "Adresse"),
            ("titre", STR, "Titre"),
            ("resume", STR, "Résumé"),
            ("theme", STR, "Thème"),
            ("publiee_le", DATE, "Publication"),
            ("communes", STR, "Codes INSEE des communes concernées (vide : tout le territoire)"),
        ],
        consultations,
        by_consultation=True,
        since="publiee_le",
    ),
    Dataset(
        "phases",
        _l("Phases des concertations"),
        _l("Les étapes de chaque concertation et ce qu'elles ouvrent."),
        "weekly",
        [
            ("id", INT, "Identifiant"),
            ("consultation_id", INT, "Concertation"),
            ("titre", STR, "Titre"),
            ("debut", DATE, "Début"),
            ("fin", DATE, "Fin"),
            ("fonctions", STR, "Fonctions ouvertes"),
            ("public", STR, "Public"),
        ],
        phases,
        by_consultation=True,
    ),
    Dataset(
        "propositions",
        _l("Propositions et réponses officielles"),
        _l(
            "Les propositions publiées, sans l'identité de leurs auteurs, avec la réponse "
            "argumentée des élus."
        ),
        "daily",
        [
            ("id", INT, "Identifiant"),
            ("consultation_id", INT, "Concertation"),
            ("titre", STR, "Titre"),
            ("texte", STR, "Texte"),
            ("theme", STR, "Thème"),
            ("commune_insee", STR, "Commune concernée"),
            ("canal", STR, "Canal de dépôt"),
            ("cree_le", DATE, "Dépôt"),
            ("statut_reponse", STR, "Décision"),
            ("reponse", STR, "Réponse argumentée"),
            ("reponse_signee_par", STR, "Fonction du signataire"),
            ("reponse_groupe", STR, "Groupe de contributions dont la décision fait réponse"),
        ],
        proposals,
        by_consultation=True,
        since="cree_le",
    ),
    Dataset(
        "commentaires",
        _l("Commentaires"),
        _l("Les commentaires publiés, sans l'identité de leurs auteurs."),
        "daily",
        [
            ("id", INT, "Identifiant"),
            ("proposition_id", INT, "Proposition"),
            ("consultation_id", INT, "Concertation"),
            ("reponse_a", INT, "Commentaire parent"),
            ("texte", STR, "Texte"),
            ("position", STR, "Pour, contre ou neutre"),
            ("cree_le", DATE, "Date"),
        ],
        comments,
        by_consultation=True,
        since="cree_le",
    ),
    Dataset(
        "votes",
        _l("Totaux des votes"),
        _l("Le nombre de votes par proposition ; jamais qui a voté quoi."),
        "daily",
        [
            ("id", INT, "Proposition"),
            ("consultation_id", INT, "Concertation"),
            ("d_accord", INT, "D'accord"),
            ("pas_d_accord", INT, "Pas d'accord"),
            ("passe", INT, "Passe"),
        ],
        vote_totals,
        by_consultation=True,
    ),
    Dataset(
        "decisions",
        _l("Groupes de contributions et décisions"),
        _l(
            "Les groupes issus de l'analyse des contributions, leurs membres et la "
            "décision argumentée sur chacun."
        ),
        "monthly",
        [
            ("id", INT, "Groupe"),
            ("consultation_id", INT, "Concertation"),
            ("analyse_id", INT, "Analyse"),
            ("libelle", STR, "Libellé"),
            ("mots_cles", STR, "Mots-clés"),
            ("contributions", INT, "Contributions"),
            ("contributions_dedoublonnees", INT, "Sans les doublons"),
            ("membres", STR, "Contributions membres (type:identifiant)"),
            ("decision", STR, "Décision"),
            ("justification", STR, "Justification"),
            ("publiee_le", DATE, "Publication"),
        ],
        decisions,
        by_consultation=True,
        since="publiee_le",
    ),
    Dataset(
        "moderation",
        _l("Journal de la modération"),
        _l(
            "Chaque décision du CODEV avec la règle de la charte appliquée, sans contenu ni auteur."
        ),
        "daily",
        [
            ("id", INT, "Décision"),
            ("date", DATE, "Date"),
            ("type", STR, "Type de contenu"),
            ("consultation_id", INT, "Concertation"),
            ("decision", STR, "Décision"),
            ("motif", STR, "Règle de la charte"),
            ("en_appel", BOOL, "Décision en appel"),
        ],
        moderation_log,
        by_consultation=True,
        since="date",
    ),
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
    Dataset(
        "participation",
        _l("Participation par concertation et par commune"),
        _l(
            "Personnes ayant pris part (propositions, commentaires, votes, ateliers) et "
            "contributions, par concertation, puis par commune de résidence déclarée avec "
            "consentement, comparées à la population ; les effectifs de 1 à 4 personnes sont "
            "supprimés. Les mêmes chiffres que la synthèse et le tableau de diversité."
        ),
        "daily",
        [
            ("consultation_id", INT, "Concertation"),
            ("commune_insee", STR, "Commune (vide : toute la concertation)"),
            ("commune", STR, "Nom de la commune"),
            ("participants", INT, "Personnes (vide sous 5)"),
            ("part_participants", NUM, "Part des personnes dont la commune est connue"),
            ("population", INT, "Population de la commune"),
            ("part_population", NUM, "Part de la population du territoire"),
            ("contributions", INT, "Contributions (propositions, commentaires, votes, notes)"),
            ("propositions_concernees", INT, "Propositions publiées nommant la commune"),
        ],
        participation_rows,
        by_consultation=True,
    ),
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
]
BY_NAME = {d.name: d for d in DATASETS}
