"""`flask civic demo`: realistic French content for local use. Each package adds its part."""

import secrets

import sqlalchemy as sa

from civic.accounts.models import Role, RoleGrant, User
from civic.accounts.passwords import hash_password
from civic.analysis import demo as analysis_demo
from civic.assistant import demo as assistant_demo
from civic.consultations import demo as consultations_demo
from civic.core.models import utcnow
from civic.documents import demo as documents_demo
from civic.events import demo as events_demo
from civic.extensions import db
from civic.moderation import demo as moderation_demo
from civic.ratings import demo as ratings_demo
from civic.territory.models import Commune
from civic.territory.services import load_communes
from civic.workshops import demo as workshops_demo

DEMO_DOMAIN = "civic-demo.example.org"

DEMO_PEOPLE = [
    (Role.CITIZEN, "habitante", "Claire D.", "31446"),
    (Role.AGENT, "agent", "Accueil de Castanet-Tolosan", "31113"),
    (Role.ELECTED, "elu", "Élu délégué au climat", "31254"),
    (Role.FACILITATOR, "animatrice", "Animatrice des ateliers", "31254"),
    (Role.MODERATOR, "codev", "Membre du CODEV", "31169"),
    (Role.ADMIN, "admin", "Administration Civic", "31254"),
]


def demo_accounts() -> list[tuple[str, str]]:
    """(role, e-mail) of the demo accounts still in the database."""
    emails = {f"{local}@{DEMO_DOMAIN}": role.value for role, local, _, _ in DEMO_PEOPLE}
    found = set(db.session.scalars(sa.select(User.email).where(User.email.in_(emails))))
    return [(role, email) for email, role in emails.items() if email in found]


class DemoError(Exception):
    pass


def load_demo(if_empty: bool = False) -> list[tuple[str, str, str]] | None:
    """Create the demo; returns (role, e-mail, password) of the demo accounts."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(User)):
        if if_empty:
            return None
        raise DemoError("La base contient déjà des comptes : la démo se charge dans une base vide.")
    load_communes()
    communes = {c.insee: c for c in db.session.scalars(sa.select(Commune))}
    accounts, people = [], {}
    now = utcnow()
    for role, local, name, insee in DEMO_PEOPLE:
        password = "demo-" + secrets.token_urlsafe(12)
        user = User(
            email=f"{local}@{DEMO_DOMAIN}",
            password_hash=hash_password(password),
            display_name=name,
            commune=communes.get(insee),
            email_confirmed_at=now,
            charter_accepted_at=now,
            last_seen_at=now,
        )
        if role is not Role.CITIZEN:
            user.grants.append(RoleGrant(role=role.value))
        db.session.add(user)
        accounts.append((role.value, user.email, password))
        people[role.value] = user
    db.session.flush()
    consultations_demo.load(people, list(communes.values()))
    moderation_demo.load(people)
    ratings_demo.load(people)
    workshops_demo.load(people)
    events_demo.load(people)
    analysis_demo.load(people)
    documents_demo.load(people)
    assistant_demo.load(people)
    return accounts
