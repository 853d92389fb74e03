"""The "Où vous situez-vous ?" page: a participant's own place on the opinion map."""

from flask import abort, render_template
from flask_login import current_user

from civic.analysis.opinion_words import describe, letter, standing
from civic.analysis.positions import queries, services, svg
from civic.consultations.queries import get_by_slug
from civic.extensions import db


def position(slug: str):
    consultation = get_by_slug(slug) or abort(404)
    my_count = queries.vote_count(consultation.id, current_user.id)
    opinion_map = where = drawing = None
    groups = []
    if my_count >= services.MIN_VOTES:
        opinion_map = services.request_refresh(consultation.id)
        db.session.commit()
        data = opinion_map.data or {}
        if data.get("groups"):
            titles = queries.titles(data.get("statements", []))
            votes = queries.my_votes(consultation.id, current_user.id)
            where = standing(data, titles, current_user.id, votes)
            groups = describe(data, titles).groups
        if where is not None:
            drawing = svg.draw(
                {p: (x, y) for p, x, y in data.get("coordinates", [])},
                [(letter(g["id"]), g["participants"]) for g in data["groups"]],
                me=current_user.id,
            )
    return render_template(
        "analysis/position.html",
        consultation=consultation,
        my_count=my_count,
        min_votes=services.MIN_VOTES,
        opinion_map=opinion_map,
        standing=where,
        drawing=drawing,
        groups=groups,
    )
