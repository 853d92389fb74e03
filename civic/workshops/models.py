"""Workshops: their table, the call for volunteers, the fair selection, the live board,
the table's vote and the minutes."""

import enum
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.core.models import TimestampMixin, UTCDateTime, utcnow
from civic.extensions import db


class Mode(enum.StrEnum):
    ONSITE = "onsite"
    ONLINE = "online"
    HYBRID = "hybrid"


MODE_LABELS = {
    Mode.ONSITE: _l("Sur place"),
    Mode.ONLINE: _l("En ligne"),
    Mode.HYBRID: _l("Sur place et en ligne"),
}


class SeatRole(enum.StrEnum):
    """The three colleges of a mixed table (and the facilitator, who holds no seat)."""

    ELECTED = "elected"
    TECHNICIAN = "technician"
    CITIZEN = "citizen"
    FACILITATOR = "facilitator"


SEAT_ROLE_LABELS = {
    SeatRole.ELECTED: _l("Élu"),
    SeatRole.TECHNICIAN: _l("Technicien"),
    SeatRole.CITIZEN: _l("Citoyen"),
    SeatRole.FACILITATOR: _l("Animateur"),
}


class Category(enum.StrEnum):
    """Characteristics a quota can bound; volunteers declare them for the selection only."""

    AREA = "area"  # a commune or a group of communes
    AGE = "age"
    GENDER = "gender"
    PCS = "pcs"
    FIRST_TIME = "first_time"


CATEGORY_LABELS = {
    Category.AREA: _l("Territoire"),
    Category.AGE: _l("Âge"),
    Category.GENDER: _l("Genre"),
    Category.PCS: _l("Catégorie socioprofessionnelle"),
    Category.FIRST_TIME: _l("Première participation"),
}
FIRST_TIME_LABELS = {"yes": _l("Oui, première fois"), "no": _l("Non, déjà participé")}


class VolunteerStatus(enum.StrEnum):
    VOLUNTEER = "volunteer"  # in the pool, not drawn (yet)
    SELECTED = "selected"  # drawn, invited, no answer yet
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    RESERVE = "reserve"  # on the reserve list after the draw
    WITHDRAWN = "withdrawn"  # left the pool before the draw


VOLUNTEER_STATUS_LABELS = {
    VolunteerStatus.VOLUNTEER: _l("Volontaire"),
    VolunteerStatus.SELECTED: _l("Tiré au sort, invité"),
    VolunteerStatus.CONFIRMED: _l("Participation confirmée"),
    VolunteerStatus.DECLINED: _l("A décliné"),
    VolunteerStatus.RESERVE: _l("Liste de réserve"),
    VolunteerStatus.WITHDRAWN: _l("S'est retiré"),
}


class VoteMethod(enum.StrEnum):
    DOTS = "dots"
    MAJORITY = "majority"


VOTE_METHOD_LABELS = {
    VoteMethod.DOTS: _l("Vote par gommettes"),
    VoteMethod.MAJORITY: _l("Jugement majoritaire"),
}
# Balinski & Laraki's grades, worst first (the order of their index).
GRADES = (
    _l("À rejeter"),
    _l("Insuffisant"),
    _l("Passable"),
    _l("Assez bien"),
    _l("Bien"),
    _l("Très bien"),
    _l("Excellent"),
)


class Workshop(TimestampMixin, db.Model):
    __tablename__ = "workshop"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    purpose: Mapped[str] = mapped_column(sa.Text, default="")
    consultation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("consultation.id", ondelete="SET NULL"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    duration_minutes: Mapped[int] = mapped_column(default=120)
    mode: Mapped[str] = mapped_column(sa.String(10), default=Mode.ONSITE.value)
    commune_id: Mapped[int | None] = mapped_column(sa.ForeignKey("commune.id", ondelete="SET NULL"))
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    accessibility: Mapped[str] = mapped_column(sa.Text, default="")
    online_url: Mapped[str] = mapped_column(sa.String(500), default="")
    capacity: Mapped[int] = mapped_column(default=20)
    tables: Mapped[int] = mapped_column(default=1)
    seats_elected: Mapped[int] = mapped_column(default=0)
    seats_technician: Mapped[int] = mapped_column(default=0)
    seats_citizen: Mapped[int] = mapped_column(default=12)
    # The call for volunteers is open until this moment.
    call_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    one_per_household: Mapped[bool] = mapped_column(default=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    # The table's vote on the themes.
    vote_method: Mapped[str] = mapped_column(sa.String(10), default=VoteMethod.MAJORITY.value)
    dots_per_person: Mapped[int] = mapped_column(default=3)
    vote_open: Mapped[bool] = mapped_column(default=False)
    # Minutes: the facilitator's summary (cleaned by core.sanitize) and when it went public.
    minutes_html: Mapped[str] = mapped_column(sa.Text, default="")
    minutes_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The cover image (core.uploads), with its text for those who do not see it.
    cover_filename: Mapped[str | None] = mapped_column(sa.String(100))
    cover_alt: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")

    consultation = relationship("Consultation")
    commune = relationship("Commune")
    quotas: Mapped[list["Quota"]] = relationship(
        back_populates="workshop",
        cascade="all, delete-orphan",
        order_by="(Quota.category, Quota.position)",
    )
    selections: Mapped[list["Selection"]] = relationship(
        back_populates="workshop", cascade="all, delete-orphan", order_by="Selection.id.desc()"
    )

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def board_opens_at(self) -> datetime:
        """The table's board opens an hour before the start, to settle in."""
        return self.starts_at - timedelta(hours=1)

    def call_is_open(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        return (
            self.is_published
            and self.call_closes_at is not None
            and now < self.call_closes_at
            and self.current_selection is None
        )

    @property
    def current_selection(self) -> "Selection | None":
        """The published draw, if any (earlier runs stay for the audit)."""
        return next((s for s in self.selections if s.published_at is not None), None)

    @property
    def seats(self) -> dict[str, int]:
        return {
            SeatRole.ELECTED: self.seats_elected,
            SeatRole.TECHNICIAN: self.seats_technician,
            SeatRole.CITIZEN: self.seats_citizen,
        }


class Quota(db.Model):
    """Bounds on the citizens drawn with one value of one characteristic.

    For the territory, `value` names a group of communes whose INSEE codes are in `communes`
    (a single commune is a group of one)."""

    __tablename__ = "workshop_quota"
    __table_args__ = (sa.UniqueConstraint("workshop_id", "category", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(sa.ForeignKey("workshop.id", ondelete="CASCADE"))
    category: Mapped[str] = mapped_column(sa.String(20))
    value: Mapped[str] = mapped_column(sa.String(120))
    label: Mapped[str] = mapped_column(sa.String(200), default="")
    communes: Mapped[list] = mapped_column(sa.JSON, default=list)
    min: Mapped[int] = mapped_column(default=0)
    max: Mapped[int] = mapped_column(default=0)
    position: Mapped[int] = mapped_column(default=0)

    workshop: Mapped[Workshop] = relationship(back_populates="quotas")


class Volunteer(TimestampMixin, db.Model):
    """Someone who offered to sit at the table, online or through an agent."""

    __tablename__ = "workshop_volunteer"
    __table_args__ = (sa.UniqueConstraint("workshop_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        sa.ForeignKey("workshop.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    # For volunteers recruited by an agent who have no account: how to reach them.
    name: Mapped[str] = mapped_column(sa.String(120), default="")
    email: Mapped[str] = mapped_column(sa.String(320), default="")
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    postal_address: Mapped[str] = mapped_column(sa.String(300), default="")
    # Declared for the selection only; erased with the account.
    commune_id: Mapped[int | None] = mapped_column(sa.ForeignKey("commune.id", ondelete="SET NULL"))
    age_bracket: Mapped[str] = mapped_column(sa.String(8), default="")
    gender: Mapped[str] = mapped_column(sa.String(8), default="")
    pcs: Mapped[str] = mapped_column(sa.String(2), default="")
    first_time: Mapped[bool] = mapped_column(default=True)
    # A keyed digest of the normalised address: one person per household on a panel.
    household_key: Mapped[str] = mapped_column(sa.String(64), default="")
    availability: Mapped[str] = mapped_column(sa.String(300), default="")
    needs: Mapped[str] = mapped_column(sa.String(300), default="")
    channel: Mapped[str] = mapped_column(sa.String(10), default="online")
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(sa.String(12), default=VolunteerStatus.VOLUNTEER.value)
    probability: Mapped[float | None]
    reserve_rank: Mapped[int | None]
    # Hash of the invitation token sent by e-mail or printed on the letter.
    invite_token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    workshop: Mapped[Workshop] = relationship()
    user = relationship("User", foreign_keys=[user_id])
    commune = relationship("Commune")
    entered_by = relationship("User", foreign_keys=[entered_by_id])

    @property
    def display_name(self) -> str:
        if self.user is not None:
            return self.user.public_name
        return self.name


class Selection(TimestampMixin, db.Model):
    """One run of the fair selection: computed as a job, then published by the facilitator."""

    __tablename__ = "workshop_selection"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        sa.ForeignKey("workshop.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    method: Mapped[str] = mapped_column(sa.String(10), default="leximin")
    seed: Mapped[int] = mapped_column(sa.BigInteger)
    status: Mapped[str] = mapped_column(sa.String(10), default="queued")
    progress: Mapped[int] = mapped_column(default=0)
    step: Mapped[str] = mapped_column(sa.String(200), default="")
    error: Mapped[str] = mapped_column(sa.Text, default="")
    # The inputs as drawn (quotas, each volunteer's values) and the outputs: the lottery, the
    # panel, the reserve, each probability, and the solver's figures. Enough to replay it.
    snapshot: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    result: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    workshop: Mapped[Workshop] = relationship(back_populates="selections")


class Participant(TimestampMixin, db.Model):
    """A seat at the table: an elected official, a technician, or a confirmed citizen."""

    __tablename__ = "workshop_participant"
    __table_args__ = (
        sa.UniqueConstraint("workshop_id", "user_id"),
        sa.UniqueConstraint("volunteer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        sa.ForeignKey("workshop.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(sa.String(12))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    volunteer_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("workshop_volunteer.id", ondelete="SET NULL")
    )
    name: Mapped[str] = mapped_column(sa.String(120), default="")
    table_no: Mapped[int] = mapped_column(default=1)
    attended: Mapped[bool | None]

    workshop: Mapped[Workshop] = relationship()
    user = relationship("User")
    volunteer = relationship("Volunteer")

    @property
    def display_name(self) -> str:
        if self.user is not None:
            return self.user.public_name
        return self.name


class Theme(TimestampMixin, db.Model):
    """A group of notes made by the facilitator; the table's vote ranks the themes."""

    __tablename__ = "workshop_theme"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        sa.ForeignKey("workshop.id", ondelete="CASCADE"), index=True
    )
    table_no: Mapped[int] = mapped_column(default=1)
    title: Mapped[str] = mapped_column(sa.String(200))
    position: Mapped[int] = mapped_column(default=0)

    notes: Mapped[list["Note"]] = relationship(back_populates="theme", order_by="Note.id")


class Note(TimestampMixin, db.Model):
    """A post-it on the live board. It keeps its author's college for the minutes."""

    __tablename__ = "workshop_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        sa.ForeignKey("workshop.id", ondelete="CASCADE"), index=True
    )
    table_no: Mapped[int] = mapped_column(default=1)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    author_role: Mapped[str] = mapped_column(sa.String(12))
    body: Mapped[str] = mapped_column(sa.String(500))
    theme_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("workshop_theme.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(sa.String(10), default="published")
    # The contribution it became in the consultation, once the minutes are published.
    proposal_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("proposal.id", ondelete="SET NULL")
    )

    workshop: Mapped[Workshop] = relationship()
    theme: Mapped[Theme | None] = relationship(back_populates="notes")
    author = relationship("User")


class Ballot(TimestampMixin, db.Model):
    """One participant's vote on the themes (grades or dots); paper ballots have no user."""

    __tablename__ = "workshop_ballot"
    __table_args__ = (sa.UniqueConstraint("workshop_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        sa.ForeignKey("workshop.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    role: Mapped[str] = mapped_column(sa.String(12))
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))

    entries: Mapped[list["BallotEntry"]] = relationship(
        back_populates="ballot", cascade="all, delete-orphan"
    )


class BallotEntry(db.Model):
    """A grade (0 = à rejeter ... 6 = excellent) or a number of dots given to one theme."""

    __tablename__ = "workshop_ballot_entry"
    __table_args__ = (
        sa.UniqueConstraint("ballot_id", "theme_id"),
        sa.CheckConstraint("value >= 0", name="value_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(sa.ForeignKey("workshop_ballot.id", ondelete="CASCADE"))
    theme_id: Mapped[int] = mapped_column(
        sa.ForeignKey("workshop_theme.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[int]

    ballot: Mapped[Ballot] = relationship(back_populates="entries")
