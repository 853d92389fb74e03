"""Answers built from Civic's own records only, each with its sources; "je ne sais pas"
when the records do not say. Nothing is generated: every sentence is a template filled with
data (services and their hours, the agenda, consultations, the glossary, help pages)."""

import logging
import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import opening_hours
import sqlalchemy as sa
from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from civic.assistant import classifier, recognition
from civic.assistant.models import SERVICE_LABELS, HelpPage
from civic.assistant.recognition import Details, normalize
from civic.consultations.models import Consultation, GlossaryTerm
from civic.core import formatting
from civic.core.identity import authority
from civic.core.models import utcnow
from civic.events.models import Event, Status
from civic.extensions import db
from civic.ratings import hours as service_hours
from civic.ratings.hours import PARIS
from civic.ratings.models import Service
from civic.territory.models import Commune

log = logging.getLogger(__name__)
LIMIT = 3  # services, events or consultations in one answer: short answers
MOMENTS = {"morning": (time(0), time(12)), "afternoon": (time(12), time(18))}
MOMENTS["evening"] = (time(18), time(23, 59))
# Words that say what kind of question it is, not what it is about.
GENERIC = frozenset(
    normalize(
        "reunion reunions publique publiques prochaine prochain prochaines prochains evenement "
        "evenements agenda concertation concertations consultation consultations date dates "
        "quand calendrier phase etape etat avancement encore ouverte ouvert ferme finie "
        "termine terminee cours participer proposer voter vote limite fin debut meeting meetings "
        "event events upcoming next public consultation open close still stage when dates "
        "deadline until sicoval rendez vous rdv prevu prevues prevue venir semaine mois "
        "annee lieu aura quelle quelles quels which current right now take part proposals idee "
        "propositions contributions decision elus analyse sont peut puis"
    ).split()
)
GENERIC_STEMS = frozenset(w[:5] for w in GENERIC)
_model: tuple[int | None, object] | None = None  # (the file's modification time, the model)


@dataclass
class Source:
    label: str
    url: str


@dataclass
class Answer:
    question: str
    intent: str
    details: Details
    lines: list[str] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    # False: the records do not say ("je ne sais pas"); the person is offered a request.
    known: bool = False
    # The language of the answer when it is not the page's: the question's own.
    language: str = ""


def model():
    """The classifier built by `make`, loaded again when `flask civic assistant train` wrote a
    new file (each worker sees it at its next question); trained here from the repository's
    examples if the file is missing (a checkout run without make), so that asking still works."""
    global _model
    try:
        stamp = classifier.MODEL.stat().st_mtime_ns
    except FileNotFoundError:
        stamp = None
    if _model is None or _model[0] != stamp:
        if stamp is None:
            log.warning("%s is missing (run make): training in memory", classifier.MODEL)
            loaded = classifier.train(classifier.read_examples(), classifier.territory_communes())
        else:
            loaded = classifier.load()
        _model = (stamp, loaded)
    return _model[1]


def _communes() -> tuple[str, ...]:
    return tuple(db.session.scalars(sa.select(Commune.name).order_by(Commune.id)))


def _language() -> str:
    return "en" if str(formatting.current_locale()) == "en" else "fr"


def recognise(question: str) -> tuple[str, Details]:
    communes = _communes()
    intent, _margin = classifier.predict(model(), question, communes)
    return intent, recognition.details_of(question, communes)


def answer(question: str, now: datetime | None = None) -> Answer:
    """The answer, in the question's language when it is clearly French or English."""
    language = recognition.language_of(question)
    if language and language != _language():
        with force_locale(language):
            result = _answer(question, now)
        result.language = language
        return result
    return _answer(question, now)


def _answer(question: str, now: datetime | None) -> Answer:
    now = now or utcnow()
    intent, details = recognise(question)
    result = Answer(question=question, intent=intent, details=details)
    builder = {
        "hours": _hours,
        "contact": _contact,
        "events": _events,
        "consultation": _consultation,
        "definition": _definition,
        "howto": _howto,
    }.get(intent)
    if builder is not None:
        builder(result, now)
    if not result.lines:
        result.known = False
        result.lines.append(_("Je ne sais pas : les informations de Civic ne le disent pas."))
    return result


# --- services -------------------------------------------------------------------------------


def commune_id_of(name: str) -> int | None:
    return db.session.scalar(sa.select(Commune.id).where(Commune.name == name)) if name else None


def _services(details: Details) -> list[Service]:
    query = sa.select(Service).where(
        Service.closed_at.is_(None), Service.sort_name.contains(details.service)
    )
    commune_id = commune_id_of(details.commune)
    if commune_id is not None:
        query = query.where(Service.commune_id == commune_id)
    return list(db.session.scalars(query.order_by(Service.sort_name).limit(LIMIT)))


def _nearest(details: Details, count: int = 2) -> list[Service]:
    """The services of the type asked closest to the commune asked (by their coordinates)."""
    commune = db.session.scalar(sa.select(Commune).where(Commune.name == details.commune))
    if commune is None or commune.latitude is None or commune.longitude is None:
        return []
    candidates = db.session.scalars(
        sa.select(Service)
        .where(
            Service.closed_at.is_(None),
            Service.sort_name.contains(details.service),
            Service.latitude.is_not(None),
            Service.longitude.is_not(None),
        )
        .limit(500)
    )
    scale = math.cos(math.radians(commune.latitude))  # a degree of longitude is shorter here

    def distance(service: Service) -> float:
        return (service.latitude - commune.latitude) ** 2 + (
            (service.longitude - commune.longitude) * scale
        ) ** 2

    return sorted(candidates, key=distance)[:count]


def _find_services(result: Answer) -> list[Service]:
    """The services the question is about, or none, after saying why."""
    details = result.details
    if not details.service:
        result.lines.append(
            _(
                "Je ne sais pas de quel service vous parlez : précisez-le (piscine, "
                "déchèterie, médiathèque, crèche, mairie…)."
            )
        )
        result.sources.append(Source(_("Annuaire des services publics"), url_for("ratings.index")))
        return []
    services = _services(details)
    if services:
        return services
    nearest = _nearest(details) if details.commune else []
    if nearest:
        result.lines.append(
            _(
                "Aucun service « %(type)s » à %(commune)s dans l'annuaire ; voici les plus "
                "proches.",
                type=SERVICE_LABELS[details.service],
                commune=details.commune,
            )
        )
        return nearest
    result.lines.append(_("Je ne sais pas : ce service n'est pas dans l'annuaire."))
    result.sources.append(Source(_("Annuaire des services publics"), url_for("ratings.index")))
    return []


def _days(details: Details, now: datetime) -> list[date]:
    today = now.astimezone(PARIS).date()
    if details.day == "today":
        return [today]
    if details.day == "tomorrow":
        return [today + timedelta(days=1)]
    if details.day == "after_tomorrow":
        return [today + timedelta(days=2)]
    if details.day == "weekend":
        saturday = today + timedelta(days=(5 - today.weekday()) % 7)
        if today.weekday() == 6:
            return [today]
        return [saturday, saturday + timedelta(days=1)]
    if details.day in recognition.WEEKDAYS:
        wanted = recognition.WEEKDAYS.index(details.day)
        return [today + timedelta(days=(wanted - today.weekday()) % 7)]
    return []


def _spans_on(expression: str, day: date, moment: str) -> list[tuple[time, time]] | None:
    """The opening spans of one day, within the moment asked; None when unknown."""
    try:
        parsed = opening_hours.OpeningHours(expression)
    except Exception:  # noqa: BLE001 - the library's own ParserError: unknown hours
        return None
    start = datetime.combine(day, time())
    end = start + timedelta(days=1)
    spans = []
    for begin, finish, kind, _comment in parsed.intervals(start, end):
        if kind == opening_hours.State.OPEN:
            spans.append(
                (max(begin, start).time(), time(23, 59) if finish >= end else finish.time())
            )
    if moment in MOMENTS:
        low, high = MOMENTS[moment]
        spans = [(a, b) for a, b in spans if a < high and b > low]
    return spans


def _spans_text(spans: list[tuple[time, time]]) -> str:
    language = _language()
    parts = [
        _(
            "de %(start)s à %(end)s",
            start=formatting.time_text(a, language),
            end=formatting.time_text(b, language),
        )
        for a, b in spans
    ]
    if len(parts) == 1:
        return parts[0]
    return _("%(first)s et %(last)s", first=", ".join(parts[:-1]), last=parts[-1])


def _day_text(day: date, now: datetime) -> str:
    today = now.astimezone(PARIS).date()
    if day == today:
        return _("aujourd'hui")
    if day == today + timedelta(days=1):
        return _("demain")
    language = _language()
    weekday = formatting.day_names(language)[day.weekday()]
    return f"{weekday} {formatting.date_text(day, language)[:-5]}"


MOMENT_WORDS = {
    "morning": _l("le matin"),
    "afternoon": _l("l'après-midi"),
    "evening": _l("le soir"),
}


def _hours(result: Answer, now: datetime) -> None:
    services = _find_services(result)
    if not services:
        return
    details = result.details
    days = _days(details, now)
    result.known = True
    for service in services:
        result.sources.append(Source(service.name, url_for("ratings.show", service_id=service.id)))
        if not days:
            week = service_hours.weekly(service.hours, now)
            if not week:
                result.lines.append(
                    _(
                        "Je ne sais pas : les horaires de %(service)s ne sont pas connus.",
                        service=service.name,
                    )
                )
                result.known = False
                continue
            result.lines.append(
                _("%(service)s ouvre %(hours)s.", service=service.name, hours=" ; ".join(week))
            )
            continue
        for day in days:
            spans = _spans_on(service.hours, day, details.moment)
            when = _day_text(day, now)
            if details.moment:
                when = f"{when} {MOMENT_WORDS[details.moment]}"
            if spans is None or not service.hours.strip():
                result.lines.append(
                    _(
                        "Je ne sais pas : les horaires de %(service)s ne sont pas connus.",
                        service=service.name,
                    )
                )
                result.known = False
            elif spans:
                result.lines.append(
                    _(
                        "%(service)s ouvre %(day)s %(hours)s.",
                        service=service.name,
                        day=when,
                        hours=_spans_text(spans),
                    )
                )
            else:
                result.lines.append(
                    _("%(service)s n'ouvre pas %(day)s.", service=service.name, day=when)
                )


def _contact(result: Answer, now: datetime) -> None:
    details = result.details
    if not details.service:
        who = authority()
        if who.phone or who.address:
            result.known = True
            result.lines.append(
                _(
                    "%(name)s : téléphone %(phone)s, adresse %(address)s.",
                    name=who.long_name,
                    phone=who.phone or "—",
                    address=", ".join(who.address_lines) or "—",
                )
            )
            if who.website:
                result.sources.append(Source(who.name, who.website))
        return
    services = _find_services(result)
    if not services:
        return
    result.known = True
    for service in services:
        parts = []
        if service.address:
            parts.append(
                _(
                    "adresse : %(address)s",
                    address=f"{service.address}, {service.postcode}".strip(", "),
                )
            )
        if service.phone:
            parts.append(_("téléphone : %(phone)s", phone=service.phone))
        if service.email:
            parts.append(_("e-mail : %(email)s", email=service.email))
        if parts:
            result.lines.append(f"{service.name} — {' ; '.join(parts)}.")
        else:
            result.lines.append(
                _(
                    "Je ne sais pas : l'annuaire ne donne pas les coordonnées de %(service)s.",
                    service=service.name,
                )
            )
            result.known = False
        result.sources.append(Source(service.name, url_for("ratings.show", service_id=service.id)))


# --- agenda, consultations -------------------------------------------------------------------


def _topic(details: Details) -> set[str]:
    """The question's words that say what it is about: 'climat' in 'prochaine réunion sur le
    plan climat'; compared on their first five letters, as a light stemmer."""
    places = {w[:5] for w in normalize(details.commune).split()}
    days = set(recognition.DAY_WORDS) | {"demain", "soir", "matin", "tomorrow", "today"}
    return {
        w[:5]
        for w in details.words
        if len(w) >= 4 and w[:5] not in GENERIC_STEMS and w[:5] not in places and w not in days
    }


def _stems(*texts: str) -> set[str]:
    return {w[:5] for text in texts for w in normalize(text).split() if len(w) >= 4}


def _matching_events(details: Details, now: datetime, commune_id: int | None) -> list[Event]:
    query = sa.select(Event).where(Event.status == Status.PUBLISHED.value, Event.ends_at > now)
    if commune_id is not None:
        query = query.where(
            sa.or_(Event.commune_id == commune_id, Event.organiser_commune_id == commune_id)
        )
    days = _days(details, now)
    if days:
        first = datetime.combine(days[0], time(), PARIS)
        last = datetime.combine(days[-1] + timedelta(days=1), time(), PARIS)
        query = query.where(Event.starts_at < last, Event.ends_at > first)
    topic = _topic(details)
    events = []
    # In date order, a page at a time, until enough match the moment and the topic.
    for offset in range(0, 2000, 200):
        batch = list(
            db.session.scalars(query.order_by(Event.starts_at, Event.id).offset(offset).limit(200))
        )
        for event in batch:
            if details.moment in MOMENTS:
                low, high = MOMENTS[details.moment]
                if not low <= event.starts_at.astimezone(PARIS).time() < high:
                    continue
            if topic and not topic & _stems(event.title, event.description):
                continue
            events.append(event)
        if len(events) >= LIMIT or len(batch) < 200:
            break
    return events[:LIMIT]


def _events(result: Answer, now: datetime) -> None:
    details = result.details
    commune_id = commune_id_of(details.commune)
    events = _matching_events(details, now, commune_id)
    result.known = True
    if not events and commune_id is not None:
        events = _matching_events(details, now, None)
        if events:
            line = _(
                "Aucun rendez-vous à venir à %(commune)s qui corresponde ; ailleurs :",
                commune=details.commune,
            )
        else:
            line = _(
                "Aucun rendez-vous à venir à %(commune)s qui corresponde.",
                commune=details.commune,
            )
        result.lines.append(line)
    elif not events:
        result.lines.append(_("L'agenda n'annonce aucun rendez-vous à venir qui corresponde."))
    for event in events:
        place = event.place_name or ""
        if event.commune is not None and event.commune.name not in place:
            place = f"{place}, {event.commune.name}" if place else event.commune.name
        result.lines.append(
            _(
                "%(title)s : %(when)s%(place)s.",
                title=event.title,
                when=formatting.span_filter(event.starts_at, event.ends_at),
                place=f", {place}" if place else "",
            )
        )
        result.sources.append(Source(event.title, url_for("events.show", event_id=event.id)))
    result.sources.append(Source(_("L'agenda"), url_for("events.index")))


def _phase_line(consultation: Consultation, now: datetime) -> str:
    language = _language()
    phase = consultation.current_phase(now)
    upcoming = [p for p in consultation.phases if p.starts_at > now]
    if phase is not None:
        line = _(
            "« %(title)s » en est à l'étape « %(phase)s », jusqu'au %(end)s.",
            title=consultation.title,
            phase=phase.title,
            end=formatting.date_text(phase.ends_at.astimezone(PARIS).date(), language),
        )
    elif upcoming:
        line = _("« %(title)s » n'a pas encore commencé.", title=consultation.title)
    else:
        return _("« %(title)s » est terminée.", title=consultation.title)
    if upcoming:
        line += " " + _(
            "Étape suivante : « %(phase)s », à partir du %(start)s.",
            phase=upcoming[0].title,
            start=formatting.date_text(upcoming[0].starts_at.astimezone(PARIS).date(), language),
        )
    return line


def _consultation(result: Answer, now: datetime) -> None:
    consultations = list(
        db.session.scalars(
            sa.select(Consultation)
            .where(Consultation.published_at.is_not(None))
            .options(selectinload(Consultation.phases))
            .order_by(Consultation.published_at.desc())
            .limit(200)
        )
    )
    commune = result.details.commune
    if commune:
        consultations = [
            c for c in consultations if c.all_communes or commune in {x.name for x in c.communes}
        ]
    topic = _topic(result.details)
    running = [c for c in consultations if c.current_phase(now) is not None]
    chosen = running
    if topic:
        chosen = [
            c
            for c in consultations
            if topic & _stems(c.title, c.slug.replace("-", " "), c.theme, c.summary)
        ]
        if not chosen and running:
            # Not the one asked about: say so, and name those under way.
            result.lines.append(
                _("Je ne trouve pas de concertation sur ce sujet. Celles en cours :")
            )
            chosen = running
    if not chosen:
        return
    result.known = not (topic and chosen is running and result.lines)
    for consultation in chosen[:LIMIT]:
        result.lines.append(_phase_line(consultation, now))
        result.sources.append(
            Source(consultation.title, url_for("consultations.show", slug=consultation.slug))
        )


# --- glossary and help ---------------------------------------------------------------------


def _definition(result: Answer, now: datetime) -> None:
    term = result.details.term
    if not term:
        return
    for entry in db.session.scalars(sa.select(GlossaryTerm)):
        name = normalize(entry.term)
        expansion = normalize(entry.definition.split(":")[0].split(",")[0])
        if term in (name, expansion) or (
            len(term.split()) >= 2 and normalize(entry.definition).startswith(term)
        ):
            result.known = True
            result.lines.append(
                _("%(term)s : %(definition)s", term=entry.term, definition=entry.definition)
            )
            result.sources.append(
                Source(_("Glossaire"), url_for("consultations.glossary") + "#" + entry.anchor)
            )
            return
    result.lines.append(_("Je ne sais pas : « %(term)s » n'est pas dans le glossaire.", term=term))
    result.sources.append(Source(_("Glossaire"), url_for("consultations.glossary")))


def best_help_page(details: Details) -> HelpPage | None:
    """The help page that shares the most telling words with the question: a word found in
    the title or the keywords counts more than one in the text, and a word that many pages
    share counts less (inverse document frequency)."""
    words = {w[:5] for w in details.words if len(w) >= 3}
    if not words:
        return None
    pages = []
    for page in db.session.scalars(sa.select(HelpPage).where(HelpPage.published.is_(True))):
        title = _stems(page.title) | {w[:5] for w in normalize(page.title).split() if len(w) == 3}
        pages.append((page, title | _stems(page.keywords), _stems(page.body)))
    frequency = {w: sum(1 for _p, head, body in pages if w in head | body) for w in words}
    best, best_score = None, 0.0
    for page, head, body in pages:
        score = 0.0
        for word in words & (head | body):
            weight = math.log(1 + len(pages) / frequency[word])
            score += weight * (2 if word in head else 0.5)
        if score > best_score:
            best, best_score = page, score
    return best if best_score >= 2 else None


def _howto(result: Answer, now: datetime) -> None:
    page = best_help_page(result.details)
    if page is None:
        return
    result.known = True
    result.lines.append(page.body.strip().split("\n\n")[0])
    result.sources.append(Source(page.title, url_for("assistant.help_page", slug=page.slug)))
