"""Thin views: the diversity dashboards ("Toujours Les Mêmes") and the workshops' agenda as an
iCalendar feed."""

from datetime import UTC, timedelta
from itertools import pairwise

import sqlalchemy as sa
from flask import Response, abort, current_app, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from icalendar import Calendar, Event

from civic.consultations import queries as consultation_queries
from civic.core import formatting
from civic.core.charts import bar_chart, share_chart
from civic.core.htmx import render_page_or_block
from civic.core.identity import authority, authority_words
from civic.core.models import utcnow
from civic.extensions import db
from civic.territory.models import Commune
from civic.workshops import dashboard, diversity
from civic.workshops.models import SEAT_ROLE_LABELS, Mode, Workshop

TEMPLATE = "workshops/dashboard.html"
BLOCK = "indicators"
PERIODS = {
    "30": (timedelta(days=30), _l("Les 30 derniers jours")),
    "90": (timedelta(days=90), _l("Les 3 derniers mois")),
    "365": (timedelta(days=365), _l("Les 12 derniers mois")),
    "tout": (None, _l("Depuis l'ouverture de la plateforme")),
}
DEFAULT_PERIOD = "365"
# The feed: what is coming, and what happened in the last month (for minutes to follow).
AGENDA_PAST = timedelta(days=31)
AGENDA_LIMIT = 500


# --- formatting ------------------------------------------------------------------------------


def percent(value: float | None) -> str:
    """A share as a percentage in the reader's language, with one decimal."""
    return "—" if value is None else formatting.percent(value, 1)


def decimal(value: float | None) -> str:
    return "—" if value is None else formatting.number(value, 2)


# --- the dashboards -----------------------------------------------------------------------


def _distribution_labels() -> list[str]:
    bounds = dashboard.BOUNDS
    labels = []
    for i, low in enumerate(bounds):
        high = bounds[i + 1] - 1 if i + 1 < len(bounds) else None
        if high is None:
            labels.append(_("%(n)s ou plus", n=low))
        elif high == low:
            labels.append(str(low))
        else:
            labels.append(_("%(low)s à %(high)s", low=low, high=high))
    return labels


def _charts(data: dashboard.Dashboard) -> dict:
    communes = share_chart(
        [(row.name, [row.share, row.population_share or 0.0]) for row in data.communes],
        [_("Participants"), _("Population")],
        _("Part des participants et part de la population, par commune"),
    )
    tables = {
        b.key: share_chart(
            [(cell.label, [cell.share]) for cell in b.cells if cell.key != dashboard.UNKNOWN],
            [_("Participants")],
            _("Répartition des participants : %(what)s", what=b.title),
        )
        for b in data.breakdowns
    }
    labels = _distribution_labels()
    spread = bar_chart(
        data.distribution,
        labels,
        _("Nombre de personnes selon leur nombre de contributions"),
    )
    lorenz = share_chart(
        [
            (_("%(share)s les moins actifs", share=percent(x)), [y])
            for x, y in _lorenz_steps(data.lorenz)
        ],
        [_("Part des contributions")],
        _("Courbe de Lorenz : part des contributions écrites par les moins actifs"),
    )
    return {
        "communes": communes,
        "tables": tables,
        "spread": spread,
        "spread_labels": labels,
        "lorenz": lorenz,
        "lorenz_steps": _lorenz_steps(data.lorenz),
    }


def _lorenz_steps(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The curve read at each tenth of the participants (the points in between are
    interpolated), so that a table of ten lines describes it."""
    if len(points) < 2:
        return []
    steps = []
    for tenth in range(1, 11):
        x = tenth / 10
        for (x1, y1), (x2, y2) in pairwise(points):
            if x1 <= x <= x2 + 1e-12:
                y = y1 if x2 == x1 else y1 + (y2 - y1) * (x - x1) / (x2 - x1)
                steps.append((x, min(1.0, y)))
                break
    return steps


def _render(data: dashboard.Dashboard, **context):
    return render_page_or_block(
        TEMPLATE,
        BLOCK,
        data=data,
        charts=_charts(data),
        percent=percent,
        decimal=decimal,
        kind_labels=dashboard.KIND_LABELS,
        role_labels=SEAT_ROLE_LABELS,
        min_cell=diversity.MIN_CELL,
        **context,
    )


def platform_dashboard():
    period = request.args.get("periode", DEFAULT_PERIOD)
    if period not in PERIODS:
        period = DEFAULT_PERIOD
    span, _label = PERIODS[period]
    since = utcnow() - span if span is not None else None
    return _render(
        dashboard.platform_dashboard(since),
        scope="platform",
        title=_("Diversité de la participation sur la plateforme"),
        periods=PERIODS,
        period=period,
        since=since,
    )


def workshop_dashboard(slug: str):
    workshop = db.session.scalar(sa.select(Workshop).where(Workshop.slug == slug)) or abort(404)
    return _render(
        dashboard.workshop_dashboard(workshop),
        scope="workshop",
        workshop=workshop,
        title=_("Diversité de l'atelier « %(title)s »", title=workshop.title),
    )


def consultation_dashboard(slug: str):
    from civic.analysis.participation import participation

    consultation = consultation_queries.get_by_slug(slug) or abort(404)
    return _render(
        participation(consultation).people,
        scope="consultation",
        consultation=consultation,
        title=_("Diversité de la concertation « %(title)s »", title=consultation.title),
    )


# --- the agenda feed --------------------------------------------------------------------------


def _location(workshop: Workshop) -> str:
    place = ", ".join(
        part
        for part in (workshop.address, workshop.commune.name if workshop.commune else "")
        if part
    )
    if workshop.mode == Mode.ONLINE:
        return _("En ligne")
    if workshop.mode == Mode.HYBRID:
        return _("%(place)s (et en ligne)", place=place) if place else _("En ligne")
    return place


def _description(workshop: Workshop, url: str) -> str:
    when = _("Le %(when)s, heure de Paris.", when=formatting.span_filter(workshop.starts_at))
    lines = [workshop.purpose.strip(), when]
    if workshop.accessibility.strip():
        lines.append(_("Accessibilité : %(text)s", text=workshop.accessibility.strip()))
    lines.append(_("Informations et inscription : %(url)s", url=url))
    return "\n\n".join(line for line in lines if line)


def agenda_ics():
    """Published workshops, coming ones and those of the last month, as iCalendar (RFC 5545).
    Times are written in UTC ("Z"), which every calendar shows in its own zone."""
    query = (
        sa.select(Workshop)
        .where(
            Workshop.published_at.is_not(None),
            Workshop.starts_at >= utcnow() - AGENDA_PAST,
        )
        .order_by(Workshop.starts_at, Workshop.id)
        .limit(AGENDA_LIMIT)
    )
    name = _("Ateliers %(of_authority)s", **authority_words())
    insee = request.args.get("commune", "")
    if insee:
        commune = db.session.scalar(sa.select(Commune).where(Commune.insee == insee[:5]))
        if commune is None or len(insee) > 5:
            abort(404)
        query = query.where(Workshop.commune_id == commune.id)
        name = _(
            "Ateliers %(of_authority)s à %(commune)s", commune=commune.name, **authority_words()
        )
    host = current_app.config.get("SERVER_NAME") or request.host
    host = host.split(":")[0]
    calendar = Calendar()
    calendar.add("prodid", f"-//{authority().name}//Civic//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Paris")
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    stamp = utcnow().replace(microsecond=0)
    for workshop in db.session.scalars(query):
        url = url_for("workshops.show", slug=workshop.slug, _external=True)
        event = Event()
        event.add("uid", f"atelier-{workshop.id}@{host}")
        # With METHOD:PUBLISH, DTSTAMP is when this calendar was written.
        event.add("dtstamp", stamp)
        event.add("dtstart", workshop.starts_at.astimezone(UTC))
        event.add("dtend", workshop.ends_at.astimezone(UTC))
        event.add("summary", workshop.title)
        location = _location(workshop)
        if location:
            event.add("location", location)
        event.add("url", url)
        event.add("description", _description(workshop, url))
        event.add("status", "CONFIRMED")
        event.add("transp", "OPAQUE")
        calendar.add_component(event)
    response = Response(calendar.to_ical(), mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="ateliers-sicoval.ics"'
    response.cache_control.public = True
    response.cache_control.max_age = 900
    return response
