"""The agenda in the open-data catalogue: public events only, no registrant's name or address,
and registrations as totals (confirmed, waiting, present)."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from icalendar import vRecur
from sqlalchemy.orm import aliased

from civic.consultations.models import Consultation
from civic.events import recurrence
from civic.events.models import Event, Registration, RegistrationStatus, Status
from civic.extensions import db
from civic.opendata.registry import BOOL, DATE, INT, STR, Dataset, iso, register
from civic.territory.models import Commune


def _rrule(event) -> str | None:
    """A recurring event's rule as iCalendar writes it, its exceptions as EXDATE."""
    rule = event.rule
    if rule is None:
        return None
    text = vRecur(recurrence.ical_rule(rule)).to_ical().decode()
    days = ",".join(d.strftime("%Y%m%d") for d in sorted(rule.exceptions))
    return f"RRULE:{text}" + (f"\nEXDATE;VALUE=DATE:{days}" if days else "")


def agenda_rows(consultation_id=None, since=None, after=0, limit=None):
    organiser = aliased(Commune)
    place = aliased(Commune)
    totals = (
        sa.select(
            Registration.event_id,
            sa.func.sum(
                sa.case((Registration.status == RegistrationStatus.CONFIRMED.value, 1), else_=0)
            ).label("confirmed"),
            sa.func.sum(
                sa.case((Registration.status == RegistrationStatus.WAITING.value, 1), else_=0)
            ).label("waiting"),
            sa.func.sum(sa.case((Registration.attended.is_(True), 1), else_=0)).label("present"),
        )
        .group_by(Registration.event_id)
        .subquery()
    )
    # The link to a consultation is published only while the consultation is.
    published = (
        sa.select(Consultation.id).where(Consultation.published_at.is_not(None)).scalar_subquery()
    )
    shown_consultation = sa.case(
        (Event.consultation_id.in_(published), Event.consultation_id), else_=None
    )
    query = (
        sa.select(
            Event,
            place.insee,
            organiser.insee,
            totals.c.confirmed,
            totals.c.waiting,
            totals.c.present,
            shown_consultation,
        )
        .outerjoin(place, place.id == Event.commune_id)
        .outerjoin(organiser, organiser.id == Event.organiser_commune_id)
        .outerjoin(totals, totals.c.event_id == Event.id)
        .where(Event.status.in_([Status.PUBLISHED.value, Status.CANCELLED.value]))
    )
    if consultation_id is not None:
        query = query.where(shown_consultation == consultation_id)
    if since:
        query = query.where(Event.updated_at >= since)
    query = query.where(Event.id > after).order_by(Event.id)
    if limit is not None:
        query = query.limit(limit)
    for (
        event,
        insee,
        organiser_insee,
        confirmed,
        waiting,
        present,
        consultation,
    ) in db.session.execute(query):
        yield {
            "id": event.id,
            "type": event.kind,
            "titre": event.title,
            "description": event.description,
            "debut": iso(event.starts_at),
            "fin": iso(event.ends_at),
            "lieu": event.place_name,
            "adresse": event.address,
            "commune_insee": insee,
            "accessibilite": event.accessibility,
            "en_ligne": event.online_url,
            "organisateur_insee": organiser_insee,
            "consultation_id": consultation,
            "annule": event.is_cancelled,
            "capacite": event.capacity,
            "inscrits": confirmed or 0,
            "liste_attente": waiting or 0,
            "presents": present or 0,
            "compte_rendu_publie": event.report_published_at is not None,
            "mis_a_jour_le": iso(event.updated_at),
            "repetition": _rrule(event),
        }


def register_datasets() -> None:
    register(
        Dataset(
            "agenda",
            _l("Agenda du territoire"),
            _l(
                "Les réunions publiques, permanences, visites et ateliers publiés par "
                "l'intercommunalité et ses communes, annulations comprises ; les inscriptions "
                "en totaux seulement."
            ),
            "daily",
            [
                ("id", INT, "Identifiant"),
                ("type", STR, "Type (reunion, permanence, information, visite, atelier, en-ligne)"),
                ("titre", STR, "Titre"),
                ("description", STR, "Description"),
                ("debut", DATE, "Début (UTC)"),
                ("fin", DATE, "Fin (UTC)"),
                ("lieu", STR, "Nom du lieu"),
                ("adresse", STR, "Adresse"),
                ("commune_insee", STR, "Commune du lieu"),
                ("accessibilite", STR, "Accessibilité"),
                ("en_ligne", STR, "Lien de la réunion en ligne"),
                ("organisateur_insee", STR, "Commune organisatrice (vide : l'intercommunalité)"),
                ("consultation_id", INT, "Concertation liée"),
                ("annule", BOOL, "Annulé"),
                ("capacite", INT, "Nombre de places (vide : sans limite)"),
                ("inscrits", INT, "Inscriptions confirmées"),
                ("liste_attente", INT, "Personnes en liste d'attente"),
                ("presents", INT, "Présents"),
                ("compte_rendu_publie", BOOL, "Compte rendu publié"),
                ("mis_a_jour_le", DATE, "Dernière modification"),
                (
                    "repetition",
                    STR,
                    "Règle de répétition iCalendar (RRULE, en heure de Paris à partir du début), "
                    "et jours exclus (EXDATE) ; vide : une seule date",
                ),
            ],
            agenda_rows,
            by_consultation=True,
            since="mis_a_jour_le",
        )
    )
