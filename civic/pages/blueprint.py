from flask import Blueprint

from civic.core import identity
from civic.core.permissions import route
from civic.pages import permissions  # noqa: F401  (registers the rules)
from civic.pages import views as v

bp = Blueprint("pages", __name__)

route(bp, "/", v.home, "pages.view")
route(bp, "/identite.css", identity.style_sheet, "pages.view", endpoint="identity_css")
route(bp, "/langue", v.set_language, "pages.view", methods=["POST"])
route(bp, "/accessibilite", v.accessibility, "pages.view")
route(bp, "/mentions-legales", v.legal_notice, "pages.view")
route(bp, "/donnees-personnelles", v.privacy, "pages.view")
route(bp, "/charte", v.charter, "pages.view")
