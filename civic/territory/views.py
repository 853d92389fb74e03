"""Thin views: the communes of the territory and each commune's space."""

from flask import abort, flash, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from civic.core.htmx import redirect_303
from civic.extensions import db
from civic.territory import queries, services, space


def _commune(insee: str):
    commune = queries.by_insee(insee)
    if commune is None:
        abort(404)
    return commune


def index():
    return render_template("territory/index.html", communes=queries.communes())


def show(insee: str):
    commune = _commune(insee)
    own, everywhere = space.consultations(commune)
    items, total = space.services(commune)
    return render_template(
        "territory/show.html",
        commune=commune,
        figures=space.figures(commune),
        small=space.SMALL,
        consultations=own,
        everywhere=everywhere,
        workshops=space.workshops(commune),
        services=items,
        services_total=total,
        following=space.follows(current_user, commune),
    )


def follow(insee: str):
    commune = _commune(insee)
    stop = request.form.get("stop") == "1"
    services.follow(current_user, commune, following=not stop)
    db.session.commit()
    if stop:
        flash(_("Vous ne suivez plus %(commune)s.", commune=commune.name), "success")
    else:
        flash(
            _(
                "Vous suivez %(commune)s : vous serez prévenu des concertations et ateliers "
                "qui s'y ouvrent.",
                commune=commune.name,
            ),
            "success",
        )
    return redirect_303("territory.show", insee=commune.insee)
