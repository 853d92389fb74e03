from flask import Blueprint

from civic.core.permissions import route
from civic.ratings import permissions  # noqa: F401  (registers the rules)
from civic.ratings import views as v

bp = Blueprint("ratings", __name__)

route(bp, "/services", v.index, "ratings.browse")
