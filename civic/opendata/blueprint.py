from flask import Blueprint

from civic.core.permissions import route
from civic.opendata import permissions  # noqa: F401  (registers the rules)
from civic.opendata import views as v

bp = Blueprint("opendata", __name__)

route(bp, "/donnees-ouvertes", v.index, "opendata.read")
route(bp, "/donnees-ouvertes/catalogue.jsonld", v.catalogue, "opendata.read")
route(bp, "/donnees-ouvertes/<filename>", v.download, "opendata.read")
route(bp, "/api/v1/", v.api_docs, "opendata.read")
route(bp, "/api/v1/openapi.json", v.api_spec, "opendata.read")
route(bp, "/api/v1/<name>", v.api_list, "opendata.read")
bp.after_app_request(v.cors)
bp.register_error_handler(429, v.too_many_requests)
