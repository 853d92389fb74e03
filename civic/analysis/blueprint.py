from flask import Blueprint

from civic.analysis import permissions  # noqa: F401  (registers the rules)
from civic.analysis import views as v
from civic.analysis.opendata import register_datasets
from civic.analysis.positions import views as pv
from civic.core.permissions import route

bp = Blueprint("analysis", __name__)
POST = {"methods": ["POST"]}
G = "/gestion/analyses"

route(
    bp,
    "/gestion/concertations/<int:consultation_id>/analyses",
    v.runs,
    "analysis.review",
    methods=["GET", "POST"],
)
route(bp, G + "/<int:run_id>", v.show_run, "analysis.review")
route(bp, G + "/groupes/<int:cluster_id>/nom", v.rename, "analysis.manage", **POST)
route(bp, G + "/groupes/<int:cluster_id>/fusion", v.merge, "analysis.manage", **POST)
route(bp, G + "/groupes/<int:cluster_id>/scission", v.split, "analysis.manage", **POST)
route(bp, G + "/groupes/<int:cluster_id>/validation", v.validate, "analysis.manage", **POST)
route(bp, G + "/groupes/<int:cluster_id>/decision", v.decide, "analysis.review", **POST)
route(bp, G + "/contributions/<int:member_id>/deplacement", v.move, "analysis.manage", **POST)
route(bp, G + "/<int:run_id>/publication", v.publish, "analysis.review", **POST)
route(bp, "/concertations/<slug>/synthese", v.report, "analysis.read_report")
route(bp, "/concertations/<slug>/synthese.csv", v.report_csv, "analysis.read_report")
route(bp, "/concertations/<slug>/synthese.pdf", v.report_pdf, "analysis.read_report")
route(bp, "/concertations/<slug>/restitution", v.restitution, "analysis.own_restitution")
route(bp, "/concertations/<slug>/ou-vous-situez-vous", pv.position, "analysis.own_position")
register_datasets()
