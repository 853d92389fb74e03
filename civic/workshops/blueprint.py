from flask import Blueprint

from civic.core.permissions import route
from civic.workshops import permissions  # noqa: F401  (registers the rules)
from civic.workshops import views as v

bp = Blueprint("workshops", __name__)

route(bp, "/ateliers", v.index, "workshops.browse")
