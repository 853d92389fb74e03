"""Form validators shared by the packages."""

import re

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import ValidationError

LINK = re.compile(r"(https?://|www\.)", re.IGNORECASE)


def few_links(form, field) -> None:
    """Spam defence: at most CIVIC_MAX_LINKS links in a text."""
    limit = current_app.config["CIVIC_MAX_LINKS"]
    if len(LINK.findall(field.data or "")) > limit:
        raise ValidationError(_l("Pas plus de %(n)s liens par texte, s'il vous plaît.", n=limit))
