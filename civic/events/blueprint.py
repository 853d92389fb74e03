from flask import Blueprint

from civic.core import privacy
from civic.core.permissions import route
from civic.events import (
    opendata,
    permissions,  # noqa: F401  (registers the rules)
    revisions,
    services,
)
from civic.events import views as v

bp = Blueprint("events", __name__)
POST = {"methods": ["POST"]}
FORM = {"methods": ["GET", "POST"]}
E = "/agenda/<int:event_id>"
R = "/agenda/inscription/<token>"
G = "/gestion/agenda"
GE = G + "/<int:event_id>"

# The public agenda, its feeds, an event's page and registration.
route(bp, "/agenda", v.index, "events.browse")
route(bp, "/agenda.ics", v.agenda_ics, "events.browse")
route(bp, E, v.show, "events.browse")
route(bp, E + ".ics", v.event_ics, "events.browse")
route(bp, E + "/inscription", v.register, "events.browse", **POST)
route(bp, E + "/compte-rendu", v.report, "events.browse")
route(bp, E + "/couverture", v.cover, "events.browse")
route(bp, E + "/documents/<int:document_id>", v.document, "events.browse")
route(bp, R, v.registration, "events.browse")
route(bp, R + "/confirmation", v.confirm_registration, "events.browse", **POST)
route(bp, R + "/annulation", v.cancel_registration, "events.browse", **POST)

# Management: events, registrations, attendance, the report and imports.
route(bp, G, v.manage_index, "events.manage")
route(bp, G + "/nouveau", v.create, "events.manage", **FORM)
route(bp, G + "/import", v.import_events, "events.import", **FORM)
route(bp, GE, v.edit, "events.manage", **FORM)
route(bp, GE + "/publication", v.publish, "events.manage", **POST)
route(bp, GE + "/annulation", v.cancel, "events.manage", **FORM)
route(bp, GE + "/inscriptions", v.registrations, "events.manage", **FORM)
route(bp, GE + "/emargement", v.attendance_sheet, "events.manage")
route(bp, GE + "/presences", v.attendance, "events.manage", **POST)
route(bp, GE + "/compte-rendu", v.edit_report, "events.manage", **FORM)
route(bp, GE + "/contributions", v.contributions, "events.manage", **FORM)
route(bp, GE + "/couverture", v.set_cover, "events.manage", **POST)
route(bp, GE + "/couverture/suppression", v.remove_cover, "events.manage", **POST)
route(bp, GE + "/documents", v.add_document, "events.manage", **POST)
GD = GE + "/documents/<int:document_id>"
route(bp, GD + "/suppression", v.remove_document, "events.manage", **POST)

opendata.register_datasets()
revisions.watch()
privacy.register_exporter("events", services.export_personal_data)
privacy.register_eraser(services.erase_personal_data)
