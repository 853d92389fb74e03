"""Where each package declares the personal data it holds, for export and erasure.

Packages register an exporter (user -> JSON-ready data) and an eraser (user -> None, run in
the erasure transaction). The accounts package calls them all.
"""

import re
from collections.abc import Callable
from datetime import datetime

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from civic.core import formatting

_exporters: dict[str, Callable] = {}
_erasers: list[Callable] = []


def register_exporter(name: str, fn: Callable) -> None:
    _exporters[name] = fn


def register_eraser(fn: Callable) -> None:
    if fn not in _erasers:
        _erasers.append(fn)


def export_all(user) -> dict:
    return {name: fn(user) for name, fn in sorted(_exporters.items())}


def erase_all(user) -> None:
    for fn in _erasers:
        fn(user)


# The words of the export, for the page that shows it to the person (the JSON keeps the keys).
# A package that exports a new key names it here; a test checks that every key has a name.
LABELS = {
    "account": _l("Compte"),
    "profile": _l("Profil"),
    "notifications": _l("Notifications"),
    "emails": _l("E-mails envoyés"),
    "consultations": _l("Concertations"),
    "documents": _l("Textes en concertation"),
    "events": _l("Agenda"),
    "moderation": _l("Modération"),
    "ratings": _l("Avis sur les services"),
    "workshops": _l("Ateliers"),
    "assistant": _l("Questions et demandes"),
    "territory": _l("Communes"),
    "answer": _l("Réponse"),
    "answered_at": _l("Répondue le"),
    "followed_communes": _l("Communes suivies"),
    "insee": _l("Code INSEE"),
    "phone": _l("Téléphone"),
    "postal_address": _l("Adresse postale"),
    "question": _l("Question"),
    "reference": _l("Référence"),
    "registered_at": _l("Compte créé le"),
    "reply_by": _l("Réponse souhaitée par"),
    "requests": _l("Demandes"),
    "since": _l("Depuis le"),
    "accessibility": _l("Accessibilité"),
    "age_bracket": _l("Tranche d'âge"),
    "amendments": _l("Amendements"),
    "at": _l("Date"),
    "attended": _l("Présent"),
    "ballots": _l("Bulletins de vote"),
    "blocks": _l("Suspensions"),
    "body": _l("Texte"),
    "channel": _l("Canal"),
    "charter_accepted_at": _l("Charte acceptée le"),
    "clarity": _l("Clarté de l'information"),
    "comment": _l("Commentaire"),
    "comments": _l("Commentaires"),
    "commune": _l("Commune"),
    "created_at": _l("Date"),
    "decision": _l("Décision"),
    "delay": _l("Délai"),
    "display_name": _l("Nom affiché"),
    "email": _l("Adresse e-mail"),
    "email_confirmed_at": _l("Adresse confirmée le"),
    "event": _l("Événement"),
    "follows": _l("Suivis"),
    "gender": _l("Genre"),
    "id": _l("Numéro"),
    "item": _l("Contenu"),
    "item_id": _l("Numéro du contenu"),
    "kind": _l("Type"),
    "last_seen_at": _l("Dernière visite"),
    "link": _l("Lien"),
    "locale": _l("Langue"),
    "message": _l("Message"),
    "name": _l("Nom"),
    "notes": _l("Notes d'atelier"),
    "proposal_id": _l("Numéro de la proposition"),
    "proposals": _l("Propositions"),
    "reactions": _l("Réactions"),
    "read_at": _l("Lue le"),
    "reason": _l("Motif"),
    "registrations": _l("Inscriptions"),
    "reports": _l("Signalements"),
    "role": _l("Rôle"),
    "roles": _l("Rôles"),
    "satisfaction": _l("Satisfaction globale"),
    "seats": _l("Places à la table"),
    "sent_at": _l("Envoyé le"),
    "service": _l("Service"),
    "simplicity": _l("Simplicité"),
    "socio_professional_category": _l("Catégorie socioprofessionnelle"),
    "stance": _l("Position"),
    "starts_at": _l("Début"),
    "statistics_consent_at": _l("Accord pour les statistiques le"),
    "status": _l("État"),
    "subject": _l("Objet"),
    "table": _l("Table"),
    "text": _l("Texte"),
    "theme": _l("Thème"),
    "title": _l("Titre"),
    "until": _l("Jusqu'au"),
    "updated_at": _l("Modifié le"),
    "value": _l("Valeur"),
    "values": _l("Votes"),
    "volunteering": _l("Volontariat"),
    "votes": _l("Votes"),
    "welcome": _l("Accueil"),
    "workshop": _l("Atelier"),
}

_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def readable(value):
    """The export as the person reads it: moments in words, yes or no, a dash for nothing.
    Keys stay (the template names them with LABELS)."""
    if isinstance(value, dict):
        return {key: readable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [readable(item) for item in value]
    if isinstance(value, bool):
        return gettext("Oui") if value else gettext("Non")
    if value is None or value == "":
        return "—"
    if isinstance(value, str) and _MOMENT.match(value):
        return formatting.datetime_filter(datetime.fromisoformat(value))
    return value
