from flask import redirect, render_template, request, session

from civic.consultations.queries import open_consultations
from civic.core.security import safe_next
from civic.workshops import dashboard
from civic.workshops import queries as workshop_queries
from civic.workshops.models import MODE_LABELS


def home():
    return render_template(
        "pages/home.html",
        consultations=open_consultations(),
        workshops=workshop_queries.upcoming(),
        figures=dashboard.headline(),
        mode_labels=MODE_LABELS,
    )


def set_language():
    lang = request.form.get("lang", "")
    if lang in ("fr", "en"):
        # For this visit only: the account's language (its e-mails') is chosen in the profile.
        session["lang"] = lang
    return redirect(safe_next(request.form.get("next")), code=303)


def accessibility():
    return render_template("pages/accessibility.html")


def legal_notice():
    return render_template("pages/legal.html")


def privacy():
    return render_template("pages/privacy.html")


def charter():
    return render_template("pages/charter.html")
