"""Analysis runs of a consultation, their clusters, and the reasoned decision on each."""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.core.models import TimestampMixin, UTCDateTime
from civic.extensions import db

DECISIONS = {
    "retained": _l("Retenu"),
    "partly_retained": _l("Retenu en partie"),
    "not_retained": _l("Non retenu"),
    "out_of_scope": _l("Hors compétence"),
}

STATUS_LABELS = {
    "queued": _l("en attente"),
    "running": _l("en cours"),
    "done": _l("terminée"),
    "failed": _l("échec"),
}


class AnalysisRun(TimestampMixin, db.Model):
    __tablename__ = "analysis_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(sa.String(10), default="queued")
    progress: Mapped[int] = mapped_column(default=0)  # percent
    step: Mapped[str] = mapped_column(sa.String(200), default="")
    seed: Mapped[int] = mapped_column(default=0)
    params: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    stats: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    opinions: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    campaigns: Mapped[list] = mapped_column(sa.JSON, default=list)
    # Two-level analyses: [{"number", "label", "keywords", "clusters": [numbers], "size"}].
    themes: Mapped[list] = mapped_column(sa.JSON, default=list)
    error: Mapped[str] = mapped_column(sa.Text, default="")
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    clusters: Mapped[list["Cluster"]] = relationship(
        back_populates="run",
        cascade="all, delete-orphan",
        order_by="(Cluster.isolated, Cluster.size.desc(), Cluster.id)",
    )
    consultation = relationship("Consultation")


class Cluster(db.Model):
    """A group of contributions, or one isolated contribution: each gets an answer."""

    __tablename__ = "analysis_cluster"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(
        sa.ForeignKey("analysis_run.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(default=0)  # the pipeline's stable id
    label: Mapped[str] = mapped_column(sa.String(200))  # the group's title
    theme: Mapped[int | None]  # number of its theme in run.themes, when there are two levels
    keywords: Mapped[list] = mapped_column(sa.JSON, default=list)
    quotes: Mapped[list] = mapped_column(sa.JSON, default=list)  # member keys, best first
    size: Mapped[int] = mapped_column(default=0)
    size_unique: Mapped[int] = mapped_column(default=0)
    isolated: Mapped[bool] = mapped_column(default=False)
    validated: Mapped[bool] = mapped_column(default=False)
    decision: Mapped[str | None] = mapped_column(sa.String(16))
    justification: Mapped[str] = mapped_column(sa.Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))

    run: Mapped[AnalysisRun] = relationship(back_populates="clusters")
    members: Mapped[list["ClusterMember"]] = relationship(
        back_populates="cluster", cascade="all, delete-orphan", order_by="ClusterMember.id"
    )


class ClusterMember(db.Model):
    __tablename__ = "analysis_member"
    # Every contribution is in exactly one cluster of a run.
    __table_args__ = (sa.UniqueConstraint("run_id", "kind", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("analysis_run.id", ondelete="CASCADE"))
    cluster_id: Mapped[int] = mapped_column(
        sa.ForeignKey("analysis_cluster.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(sa.String(20))  # "proposal" or "comment"
    item_id: Mapped[int]
    author_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    text: Mapped[str] = mapped_column(sa.Text)  # as analysed, for the report
    channel: Mapped[str] = mapped_column(sa.String(10), default="online")
    commune_id: Mapped[int | None]
    # A copy held by moderation as a suspected duplicate: counted as support of the campaign
    # it copies, never quoted.
    held: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    cluster: Mapped[Cluster] = relationship(back_populates="members")

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.item_id}"


class ArchivedReport(TimestampMixin, db.Model):
    """The synthesis as a PDF, made once when the decision is published: what was published
    never changes, and its SHA-256 lets anyone check a copy."""

    __tablename__ = "analysis_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(
        sa.ForeignKey("analysis_run.id", ondelete="CASCADE"), unique=True
    )
    sha256: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int] = mapped_column(default=0)
    pdf: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)


class ContributionVector(TimestampMixin, db.Model):
    """The sentence vector of a contribution, computed once at intake (a background job) and
    again only when the model or the text changes."""

    __tablename__ = "analysis_vector"
    __table_args__ = (sa.UniqueConstraint("kind", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))  # "proposal" or "comment"
    item_id: Mapped[int]
    model: Mapped[str] = mapped_column(sa.String(120))  # name and version of the encoder
    text_hash: Mapped[str] = mapped_column(sa.String(64))  # SHA-256 of the text embedded
    vector: Mapped[bytes] = mapped_column(sa.LargeBinary)  # float16, see pipeline.embeddings
