from flask import Blueprint

from civic.core import contributions, privacy
from civic.core.permissions import route
from civic.workshops import board_views as b
from civic.workshops import dashboard_views as d
from civic.workshops import (
    permissions,  # noqa: F401  (registers the rules)
    queries,
    services,
)
from civic.workshops import views as v
from civic.workshops.content import register_kinds
from civic.workshops.opendata import register_datasets

bp = Blueprint("workshops", __name__)
POST = {"methods": ["POST"]}
FORM = {"methods": ["GET", "POST"]}
W = "/ateliers/<slug>"
G = "/gestion/ateliers"
GW = G + "/<int:workshop_id>"

# Public pages, the call for volunteers and the answer to an invitation.
route(bp, "/ateliers", v.index, "workshops.browse")
route(bp, "/ateliers/agenda.ics", d.agenda_ics, "workshops.browse")
route(bp, W, v.show, "workshops.view")
route(bp, W + "/couverture", v.cover, "workshops.view")
route(bp, W + "/volontariat", v.volunteer, "workshops.participate", **FORM)
route(bp, W + "/volontariat/retrait", v.withdraw, "workshops.participate", **POST)
route(bp, W + "/tirage", v.selection_audit, "workshops.view")
route(bp, "/ateliers/invitation/<token>", v.invitation, "workshops.browse", **FORM)

# The live board, the table's vote and the minutes.
route(bp, W + "/tableau", b.board, "workshops.participate")
route(bp, W + "/tableau/notes", b.post_note, "workshops.participate", **POST)
route(bp, W + "/vote", b.ballot, "workshops.participate", **FORM)
route(bp, W + "/compte-rendu", b.minutes, "workshops.view")

# Diversity: "Toujours Les Mêmes" indicators.
route(bp, "/ateliers/diversite", d.platform_dashboard, "workshops.dashboard")
route(bp, W + "/diversite", d.workshop_dashboard, "workshops.dashboard")
route(bp, "/concertations/<slug>/diversite", d.consultation_dashboard, "workshops.dashboard")

# Management: the workshop, its quotas, volunteers, selection, table and invitations.
route(bp, G, v.manage_index, "workshops.recruit")
route(bp, G + "/nouveau", v.create, "workshops.manage", **FORM)
route(bp, GW, v.edit, "workshops.manage", **FORM)
route(bp, GW + "/publication", v.publish, "workshops.manage", **POST)
route(bp, GW + "/quotas", v.quotas, "workshops.manage", **FORM)
route(bp, GW + "/quotas/verification", v.check_quotas, "workshops.manage", **POST)
route(bp, GW + "/volontaires", v.volunteers, "workshops.recruit")
route(bp, GW + "/volontaires/nouveau", v.enter_volunteer, "workshops.recruit", **FORM)
route(
    bp, G + "/volontaires/<int:volunteer_id>/reponse", v.record_answer, "workshops.recruit", **POST
)
route(bp, GW + "/courriers", v.letters, "workshops.recruit")
route(bp, GW + "/tirage", v.selections, "workshops.manage", **FORM)
route(bp, G + "/tirages/<int:selection_id>", v.show_selection, "workshops.manage")
route(
    bp,
    G + "/tirages/<int:selection_id>/publication",
    v.publish_selection,
    "workshops.manage",
    **POST,
)
route(bp, GW + "/table", v.table, "workshops.manage", **FORM)
route(bp, GW + "/presences", v.attendance, "workshops.manage", **POST)
route(bp, GW + "/themes", b.add_theme, "workshops.manage", **POST)
route(bp, G + "/notes/<int:note_id>/theme", b.assign_note, "workshops.manage", **POST)
route(bp, GW + "/vote", b.manage_vote, "workshops.manage", **POST)
route(bp, GW + "/bulletins", b.paper_ballot, "workshops.manage", **FORM)
route(bp, GW + "/compte-rendu", b.edit_minutes, "workshops.manage", **FORM)

register_kinds()
contributions.register(
    contributions.Section("workshops", "workshops/_mine.html", queries.contributions_of)
)
privacy.register_exporter("workshops", services.export_personal_data)
privacy.register_eraser(services.erase_personal_data)
register_datasets()
