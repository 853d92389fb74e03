"""Form validators and filters shared by the packages."""

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import ValidationError
from wtforms.validators import NumberRange

from civic.core.inputs import DB_INT_MAX

PARIS = ZoneInfo("Europe/Paris")


def strip(value):
    """Filter: surrounding spaces are never meant."""
    return value.strip() if isinstance(value, str) else value


def paris_to_utc(local: datetime | None) -> datetime | None:
    """Form datetimes are typed in Paris time; they are stored in UTC."""
    return local.replace(tzinfo=PARIS).astimezone(UTC) if local else None


def utc_to_paris(moment: datetime | None) -> datetime | None:
    """The naive Paris time a datetime-local field shows."""
    return moment.astimezone(PARIS).replace(tzinfo=None) if moment else None


LINK = re.compile(r"(https?://|www\.)", re.IGNORECASE)


def few_links(form, field) -> None:
    """Spam defence: at most CIVIC_MAX_LINKS links in a text."""
    limit = current_app.config["CIVIC_MAX_LINKS"]
    if len(LINK.findall(field.data or "")) > limit:
        raise ValidationError(_l("Pas plus de %(n)s liens par texte, s'il vous plaît.", n=limit))


# An id typed in a form (a hidden parent, an account number) is a database INTEGER.
id_range = NumberRange(min=1, max=DB_INT_MAX, message=_l("Ce numéro n'existe pas."))
