from flask import Blueprint

from civic.core import privacy
from civic.core.permissions import route
from civic.moderation import (
    permissions,  # noqa: F401  (registers the rules)
    services,
)
from civic.moderation import views as v
from civic.moderation.opendata import register_datasets

bp = Blueprint("moderation", __name__)
POST = {"methods": ["POST"]}
GET_POST = {"methods": ["GET", "POST"]}

route(bp, "/signalements/<kind>/<int:item_id>", v.report, "moderation.report", **GET_POST)
route(bp, "/moderation/journal", v.public_log, "moderation.read_log")
route(bp, "/moderation/appel/<int:case_id>", v.appeal, "moderation.own_cases", **GET_POST)
route(bp, "/gestion/moderation", v.queue, "moderation.moderate")
route(bp, "/gestion/moderation/decisions", v.bulk_decide, "moderation.moderate", **POST)
route(bp, "/gestion/moderation/<int:case_id>", v.show_case, "moderation.moderate", **GET_POST)
route(bp, "/gestion/moderation/<int:case_id>/prise", v.claim_case, "moderation.moderate", **POST)
route(bp, "/gestion/moderation/blocages", v.blocks, "moderation.moderate", **GET_POST)
route(
    bp,
    "/gestion/moderation/blocages/<int:block_id>/levee",
    v.lift_block,
    "moderation.lift_block",
    **POST,
)

privacy.register_exporter("moderation", services.export_personal_data)
privacy.register_eraser(services.erase_personal_data)
register_datasets()
