"""Accounts, their roles and their optional profile."""

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.core.models import TimestampMixin, UTCDateTime
from civic.extensions import db


class Role(enum.StrEnum):
    CITIZEN = "citizen"
    AGENT = "agent"
    ELECTED = "elected"
    FACILITATOR = "facilitator"
    MODERATOR = "moderator"
    ADMIN = "admin"

    @property
    def label(self):
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.CITIZEN: _l("Citoyen"),
    Role.AGENT: _l("Agent (technicien)"),
    Role.ELECTED: _l("Élu"),
    Role.FACILITATOR: _l("Animateur"),
    Role.MODERATOR: _l("Modérateur (CODEV)"),
    Role.ADMIN: _l("Administrateur"),
}
# Every account is a citizen; the others are granted by an administrator.
GRANTABLE_ROLES = [r for r in Role if r is not Role.CITIZEN]
# The roles whose work is done commune by commune: they may be granted for some communes only.
# Moderation (the CODEV) and administration stay territory-wide.
SCOPABLE_ROLES = [Role.AGENT, Role.ELECTED, Role.FACILITATOR]

AGE_BRACKETS = {
    "15-29": _l("15 à 29 ans"),
    "30-44": _l("30 à 44 ans"),
    "45-59": _l("45 à 59 ans"),
    "60-74": _l("60 à 74 ans"),
    "75+": _l("75 ans ou plus"),
}
GENDERS = {
    "female": _l("Femme"),
    "male": _l("Homme"),
    "other": _l("Autre ou ne se reconnaît pas dans ces catégories"),
}
# INSEE PCS 2020, level 1 (groupes socioprofessionnels).
PCS_GROUPS = {
    "1": _l("Agriculteur exploitant"),
    "2": _l("Artisan, commerçant, chef d'entreprise"),
    "3": _l("Cadre, profession intellectuelle supérieure"),
    "4": _l("Profession intermédiaire"),
    "5": _l("Employé"),
    "6": _l("Ouvrier"),
    "7": _l("Retraité"),
    "8": _l("Autre personne sans activité professionnelle (étudiant, au foyer...)"),
}


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased; NULL once the account is erased, which frees the address.
    email: Mapped[str | None] = mapped_column(sa.String(320), unique=True)
    password_hash: Mapped[str | None] = mapped_column(sa.String(200))
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    charter_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    display_name: Mapped[str | None] = mapped_column(sa.String(60))
    commune_id: Mapped[int | None] = mapped_column(sa.ForeignKey("commune.id", ondelete="SET NULL"))
    # Statistical profile: only filled with explicit consent, for statistics only.
    stats_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    age_bracket: Mapped[str | None] = mapped_column(sa.String(8))
    gender: Mapped[str | None] = mapped_column(sa.String(8))
    pcs: Mapped[str | None] = mapped_column(sa.String(2))
    locale: Mapped[str] = mapped_column(sa.String(5), default="fr")
    # Bumped on logout, password change and erasure: every older cookie stops working.
    session_version: Mapped[int] = mapped_column(default=1)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retention_warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set by moderators: until then the account may read but not post, vote or report.
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    commune = relationship("Commune", lazy="joined")
    grants: Mapped[list["RoleGrant"]] = relationship(
        back_populates="user",
        lazy="selectin",
        cascade="all, delete-orphan",
        foreign_keys="RoleGrant.user_id",
    )

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:
        return self.deleted_at is None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_blocked(self) -> bool:
        from civic.core.models import utcnow

        return self.blocked_until is not None and self.blocked_until > utcnow()

    @property
    def role_names(self) -> frozenset[str]:
        """The roles held for the whole territory. A role granted for some communes only is
        not in it: code that does not ask for a commune never gives a commune's agent more."""
        return frozenset({Role.CITIZEN.value, *(g.role for g in self.grants if not g.communes)})

    def has_role(self, role: Role | str) -> bool:
        return str(role) in self.role_names

    def role_scope(self, role: Role | str) -> frozenset[int] | None:
        """None when the role is held for the whole territory, else the ids of the communes
        it is held for (empty: not held)."""
        for grant in self.grants:
            if grant.role == str(role):
                return None if not grant.communes else frozenset(c.id for c in grant.communes)
        return frozenset()

    @property
    def public_name(self) -> str:
        from flask_babel import gettext as _

        if self.is_deleted:
            return _("Participant supprimé")
        return self.display_name or _("Participant n° %(id)s", id=self.id)


# A grant with communes holds its role for those communes only; without, for the territory.
role_grant_commune = sa.Table(
    "role_grant_commune",
    db.metadata,
    sa.Column(
        "grant_id", sa.ForeignKey("role_grant.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("commune_id", sa.ForeignKey("commune.id", ondelete="CASCADE"), primary_key=True),
)


class RoleGrant(TimestampMixin, db.Model):
    __tablename__ = "role_grant"
    __table_args__ = (sa.UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(sa.String(20))
    granted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(back_populates="grants", foreign_keys=[user_id])
    communes = relationship("Commune", secondary=role_grant_commune, lazy="selectin")

    @property
    def scope_label(self) -> str:
        """The communes of the grant for audit and pages; empty for the whole territory."""
        return ", ".join(sorted(c.name for c in self.communes))
