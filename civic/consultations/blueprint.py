from flask import Blueprint

from civic.consultations import permissions  # noqa: F401  (registers the rules)
from civic.consultations import views as v
from civic.core.permissions import route

bp = Blueprint("consultations", __name__)

route(bp, "/concertations", v.index, "consultations.browse")
