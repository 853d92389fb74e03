from flask import Blueprint

from civic.core import privacy
from civic.core.permissions import route
from civic.territory import (
    permissions,  # noqa: F401  (registers the rules)
    services,
)
from civic.territory import views as v

bp = Blueprint("territory", __name__)

# INSEE codes: five characters, digits or 2A/2B for Corsica.
route(bp, "/communes", v.index, "territory.browse")
route(bp, "/communes/<string(length=5):insee>", v.show, "territory.browse")
route(
    bp, "/communes/<string(length=5):insee>/suivre", v.follow, "territory.follow", methods=["POST"]
)

privacy.register_exporter("territory", services.export_personal_data)
privacy.register_eraser(services.erase_personal_data)
