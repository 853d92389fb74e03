from flask import Blueprint

from civic.assistant import (
    opendata,
    permissions,  # noqa: F401  (registers the rules)
    services,
)
from civic.assistant import views as v
from civic.core import privacy
from civic.core.permissions import route

bp = Blueprint("assistant", __name__)
POST = {"methods": ["POST"]}
FORM = {"methods": ["GET", "POST"]}
G = "/gestion/demandes"
GR = G + "/<int:request_id>"

# Asking, help pages, requests and their public status by reference.
route(bp, "/question", v.ask, "assistant.ask")
route(bp, "/question/demande", v.new_request, "assistant.ask", **FORM)
route(bp, "/suivi", v.find_request, "assistant.ask")
route(bp, "/suivi/<reference>", v.status, "assistant.ask")
route(bp, "/aide", v.help_index, "assistant.ask")
route(bp, "/aide/<slug>", v.help_page, "assistant.ask")

# Agents: requests received online, by phone, at the counter or by mail.
route(bp, G, v.manage_requests, "assistant.handle")
route(bp, G + "/nouvelle", v.enter_request, "assistant.handle", **FORM)
route(bp, GR, v.manage_request, "assistant.handle")
route(bp, GR + "/prise-en-charge", v.take_request, "assistant.handle", **POST)
route(bp, GR + "/orientation", v.route_request, "assistant.handle", **POST)
route(bp, GR + "/reponse", v.answer_request, "assistant.handle", **POST)
route(bp, GR + "/courrier", v.letter, "assistant.handle")
route(bp, GR + "/page-aide", v.reuse_answer, "assistant.handle", **POST)
route(bp, GR + "/effacement", v.erase_request, "assistant.handle", **POST)

# Learning from what is asked: questions not understood, examples, help pages.
route(bp, "/gestion/questions", v.review, "assistant.review")
route(bp, "/gestion/questions/<int:question_id>/exemple", v.add_example, "assistant.review", **POST)
route(bp, "/gestion/questions/<int:question_id>/vue", v.dismiss, "assistant.review", **POST)
route(bp, "/gestion/aide", v.manage_help, "assistant.manage_help")
route(bp, "/gestion/aide/nouvelle", v.new_help, "assistant.manage_help", **FORM)
route(bp, "/gestion/aide/<int:page_id>", v.edit_help, "assistant.manage_help", **FORM)

opendata.register_datasets()
privacy.register_exporter("assistant", services.export_personal_data)
privacy.register_eraser(services.erase_personal_data)
