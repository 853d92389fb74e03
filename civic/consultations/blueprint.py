from flask import Blueprint

from civic.consultations import (
    permissions,  # noqa: F401  (registers the rules)
    services,
)
from civic.consultations import views as v
from civic.consultations.content import register_kinds
from civic.consultations.models import ANSWER_LABELS, CHANNEL_LABELS, FEATURE_LABELS, STANCE_LABELS
from civic.consultations.opendata import register_datasets
from civic.core import privacy
from civic.core.formatting import lazy_text
from civic.core.permissions import route

bp = Blueprint("consultations", __name__)
POST = {"methods": ["POST"]}
GET_POST = {"methods": ["GET", "POST"]}
C = "/concertations/<slug>"
P = C + "/propositions/<int:proposal_id>"
M = "/gestion/concertations"

route(bp, "/concertations", v.index, "consultations.browse")
route(bp, "/concertations/flux.atom", v.feed, "consultations.browse")
route(bp, C, v.show, "consultations.browse")
route(bp, C + "/propositions", v.proposals, "consultations.browse")
route(bp, C + "/propositions/similaires", v.similar, "consultations.browse")
route(bp, C + "/propositions/nouvelle", v.new_proposal, "consultations.participate", **GET_POST)
route(bp, P, v.show_proposal, "consultations.browse")
route(bp, P + "/modifier", v.edit_proposal, "consultations.participate", **GET_POST)
route(bp, P + "/retrait", v.withdraw_proposal, "consultations.participate", **POST)
route(bp, P + "/vote", v.vote, "consultations.participate", **POST)
route(bp, P + "/commentaires", v.comment, "consultations.participate", **POST)
route(bp, P + "/reponse", v.answer, "consultations.answer", **POST)
route(bp, P + "/etapes", v.add_milestone, "consultations.answer", **POST)
route(bp, C + "/suivre", v.follow, "consultations.participate", **POST)
route(bp, C + "/suivi", v.followup, "consultations.browse")
route(bp, C + "/documents/<int:document_id>", v.document, "consultations.browse")
route(bp, C + "/couverture", v.cover, "consultations.browse")
route(bp, "/mes-contributions", v.my_contributions, "consultations.own_contributions")
route(bp, "/glossaire", v.glossary, "consultations.browse")
route(bp, M, v.manage, "consultations.manage_commune")
route(
    bp,
    M + "/nouvelle",
    v.edit_consultation,
    "consultations.manage_commune",
    **GET_POST,
    endpoint="new_consultation",
)
route(
    bp,
    M + "/<int:consultation_id>",
    v.edit_consultation,
    "consultations.manage_commune",
    **GET_POST,
)
route(
    bp, M + "/<int:consultation_id>/publication", v.publish, "consultations.manage_commune", **POST
)
route(bp, M + "/<int:consultation_id>/phases", v.add_phase, "consultations.manage_commune", **POST)
route(
    bp,
    M + "/<int:consultation_id>/phases/<int:phase_id>/suppression",
    v.remove_phase,
    "consultations.manage_commune",
    **POST,
)
route(
    bp,
    M + "/<int:consultation_id>/documents",
    v.add_document,
    "consultations.manage_commune",
    **POST,
)
route(
    bp,
    M + "/<int:consultation_id>/saisie",
    v.enter_contribution,
    "consultations.enter_contribution",
    **GET_POST,
)
route(
    bp,
    M + "/<int:consultation_id>/saisie/<int:proposal_id>/recu",
    v.contribution_receipt,
    "consultations.manage",
)
route(
    bp,
    M + "/<int:consultation_id>/courriers-reponses",
    v.answer_letters,
    "consultations.manage",
    **GET_POST,
)
route(bp, "/gestion/glossaire", v.manage_glossary, "consultations.manage", **GET_POST)
route(
    bp,
    "/gestion/glossaire/<int:term_id>/suppression",
    v.delete_term,
    "consultations.manage",
    **POST,
)

register_kinds()
privacy.register_exporter("consultations", services.export_personal_data)
privacy.register_eraser(services.erase_personal_data)


@bp.app_template_filter("feature_label")
def feature_label(value: str) -> str:
    return lazy_text(FEATURE_LABELS.get(value, value))


@bp.app_template_filter("channel_label")
def channel_label(value: str) -> str:
    return lazy_text(CHANNEL_LABELS.get(value, value))


@bp.app_template_filter("answer_label")
def answer_label(value: str) -> str:
    return lazy_text(ANSWER_LABELS.get(value, value))


@bp.app_template_filter("stance_label")
def stance_label(value: str) -> str:
    return lazy_text(STANCE_LABELS.get(value, value))


register_datasets()
