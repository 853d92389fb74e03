from flask import Blueprint

from civic.core import contributions, privacy
from civic.core.permissions import route
from civic.ratings import (
    permissions,  # noqa: F401  (registers the rules)
    pictures,
    queries,
    services,
)
from civic.ratings import views as v
from civic.ratings.content import register_kinds
from civic.ratings.opendata import register_datasets

bp = Blueprint("ratings", __name__)
POST = {"methods": ["POST"]}
GET_POST = {"methods": ["GET", "POST"]}

route(bp, "/services", v.index, "ratings.browse")
route(bp, "/services/classement", v.ranking, "ratings.browse")
route(bp, "/services/carte.json", v.map_data, "ratings.browse")
route(bp, "/services/<int:service_id>", v.show, "ratings.browse")
route(bp, "/services/<int:service_id>/image", v.picture, "ratings.browse")
route(bp, "/services/<int:service_id>/avis", v.rate, "ratings.rate", **GET_POST)
route(
    bp,
    "/services/<int:service_id>/avis/<int:rating_id>/reponse",
    v.answer,
    "ratings.answer_any",
    **POST,
)
route(bp, "/gestion/services/import", v.import_services, "ratings.manage", **GET_POST)
route(
    bp,
    "/gestion/services/<int:service_id>/proposition",
    v.propose_from_service,
    "ratings.manage",
    **GET_POST,
)
route(bp, "/gestion/services/<int:service_id>/image", v.set_picture, "ratings.pictures", **GET_POST)
route(
    bp,
    "/gestion/services/<int:service_id>/image/suppression",
    v.remove_picture,
    "ratings.pictures",
    **POST,
)
route(bp, "/gestion/services/<int:service_id>/reprise", v.unfreeze, "ratings.manage", **POST)

register_kinds()
# The pages show a service's picture, or its type's drawing, with one helper.
bp.add_app_template_global(pictures.picture, "service_picture")
contributions.register(
    contributions.Section("ratings", "ratings/_mine.html", queries.contributions_of)
)
privacy.register_exporter("ratings", services.export_personal_data)
privacy.register_eraser(services.erase_personal_data)
register_datasets()
