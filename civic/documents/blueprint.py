from flask import Blueprint

from civic.core import privacy
from civic.core.formatting import current_locale, lazy_text
from civic.core.permissions import route
from civic.documents import (
    opendata,
    permissions,  # noqa: F401  (registers the rules)
    queries,
    services,
)
from civic.documents import views as v
from civic.documents.analysis import register_texts
from civic.documents.content import register_kinds
from civic.documents.models import DECISION_LABELS

bp = Blueprint("documents", __name__)
# Ids past PostgreSQL's integer are no address here (a 404, not a database error).
POST = {"methods": ["POST"]}
GET_POST = {"methods": ["GET", "POST"]}
D = "/concertations/<slug>/textes/<int:draft_id>"
P = D + "/passages/<int:passage_id>"
A = D + "/amendements/<int:amendment_id>"

route(bp, D, v.show, "documents.browse")
route(bp, D + "/versions/<int:number>", v.show_version, "documents.browse")
route(bp, D + "/comparer", v.compare, "documents.browse")
route(bp, D + "/reponses", v.answers, "documents.browse")
route(bp, D + "/analyse", v.analysis, "documents.browse")
route(bp, P, v.show_item, "documents.browse")
route(bp, P + "/reactions", v.react, "documents.participate", **POST)
route(bp, P + "/amendement", v.amend, "documents.participate", **GET_POST)
route(bp, P + "/reponse", v.answer_item, "documents.decide", **POST)
route(bp, A, v.show_amendment, "documents.browse")
route(bp, A + "/vote", v.vote, "documents.participate", **POST)
route(bp, A + "/decision", v.decide, "documents.decide", **POST)
route(bp, "/mes-amendements", v.mine, "documents.own")
route(
    bp,
    "/gestion/concertations/<int:consultation_id>/textes",
    v.manage,
    "documents.manage",
    **GET_POST,
)
route(
    bp,
    "/gestion/textes/<int:draft_id>/nouvelle-version",
    v.new_version,
    "documents.manage",
    **GET_POST,
)

register_kinds()
register_texts()
opendata.register_datasets()
privacy.register_exporter("documents", services.export_personal_data)
privacy.register_eraser(services.erase_personal_data)


@bp.app_context_processor
def draft_helpers():
    # The consultation page lists its draft texts without knowing this package's models.
    return {"draft_texts": queries.drafts_of}


@bp.app_template_filter("decision_label")
def decision_label(value: str) -> str:
    return lazy_text(DECISION_LABELS.get(value, value))


@bp.app_template_filter("euros")
def euros(cents: int) -> str:
    """Integer cents as euros in the reader's language (Babel's format_currency costs a
    millisecond a call: too much for an action programme's list of budgets)."""
    whole, rest = divmod(cents, 100)
    french = str(current_locale()).startswith("fr")
    digits = f"{whole:,}".replace(",", "\u202f" if french else ",")
    if rest:
        digits += f"{',' if french else '.'}{rest:02d}"
    return f"{digits}\u00a0€" if french else f"€{digits}"
