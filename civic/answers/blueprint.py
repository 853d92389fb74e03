from flask import Blueprint

from civic.answers import permissions  # noqa: F401  (registers the rules)
from civic.answers import views as v
from civic.core.permissions import route

bp = Blueprint("answers", __name__)
POST = {"methods": ["POST"]}
A = "/gestion/a-repondre"
C = "/gestion/concertations/<int:consultation_id>/reponses"

route(bp, A, v.waiting, "answers.answer")
route(bp, A + "/signature", v.signature, "answers.answer", **POST)
route(bp, A + "/propositions/<int:proposal_id>/formulaire", v.answer_form, "answers.answer")
route(
    bp,
    A + "/brouillons/<int:answer_draft_id>/validation",
    v.validate_draft,
    "answers.answer",
    **POST,
)
route(bp, C, v.settings, "answers.manage")
route(bp, C + "/modeles", v.add_template, "answers.manage", **POST)
route(
    bp,
    "/gestion/modeles-de-reponse/<int:template_id>/suppression",
    v.delete_template,
    "answers.manage",
    **POST,
)
route(bp, C + "/validation", v.policy, "answers.manage", **POST)
