import html
import re

import sqlalchemy as sa

from civic.core.notify import OutboxEmail
from civic.extensions import db


def last_email(to: str) -> OutboxEmail:
    return db.session.scalars(
        sa.select(OutboxEmail).where(OutboxEmail.to_address == to).order_by(OutboxEmail.id.desc())
    ).first()


def link_in(mail: OutboxEmail) -> str:
    """The path of the first link of an e-mail."""
    url = re.search(r"https?://\S+", mail.body).group(0)
    return re.sub(r"^https?://[^/]+", "", url)


def text(response) -> str:
    """The page as a reader sees it: entities decoded."""
    return html.unescape(response.get_data(as_text=True))
