"""Running an analysis as a job, reviewing its clusters, and publishing the decision."""

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

from civic.analysis import answers
from civic.analysis.models import DECISIONS, AnalysisRun, Cluster, ClusterMember
from civic.analysis.vectors import analysed_text, matrix_for
from civic.consultations.models import Comment, Proposal, ProposalStatus
from civic.core import jobs, visibility
from civic.core.models import audit, utcnow
from civic.core.notify import WITHDRAWN, notify, send_news
from civic.extensions import db


class AnalysisError(Exception):
    """A refusal to show to the user, already translated."""


def start(actor, consultation, *, seed: int = 0, k: int | None = None) -> AnalysisRun:
    run = AnalysisRun(
        consultation_id=consultation.id,
        created_by_id=actor.id,
        seed=seed,
        params={"k": k, "seed": seed},
        step=jobs.step("En attente de démarrage"),
    )
    db.session.add(run)
    db.session.flush()
    audit(actor, "analysis.started", "consultation", consultation.id, run=run.id)
    return run


def contributions(consultation_id: int) -> list[dict]:
    """Every published contribution: proposals (all channels) and comments."""
    rows = []
    for p in db.session.scalars(
        sa.select(Proposal)
        .where(
            Proposal.consultation_id == consultation_id,
            Proposal.status == ProposalStatus.PUBLISHED.value,
        )
        .order_by(Proposal.id)
    ):
        rows.append(
            {
                "kind": "proposal",
                "item_id": p.id,
                "author_id": p.author_id,
                "text": analysed_text(p.title, p.body),
                "channel": p.channel,
                "commune_id": p.commune_id,
            }
        )
    comments = db.session.execute(
        sa.select(Comment, Proposal.commune_id)
        .join(Proposal)
        .where(
            Proposal.consultation_id == consultation_id,
            Proposal.status == ProposalStatus.PUBLISHED.value,
            Comment.status == ProposalStatus.PUBLISHED.value,
        )
        .order_by(Comment.id)
    )
    for comment, commune_id in comments:
        rows.append(
            {
                "kind": "comment",
                "item_id": comment.id,
                "author_id": comment.author_id,
                "text": comment.body,
                "channel": "online",
                "commune_id": commune_id,
            }
        )
    return rows


def _progress(run: AnalysisRun, percent: int, step: str) -> None:
    # Committed at once, so that the page polling the run sees it move.
    run.progress, run.step = percent, step
    db.session.commit()


def run_analysis(run_id: int) -> str:
    """Job: cluster the texts, find campaigns and opinion groups, store the results."""
    from civic.analysis.pipeline import cluster_texts
    from civic.analysis.pipeline.text import title_phrase
    from civic.analysis.positions.services import compute_opinions

    run = db.session.get(AnalysisRun, run_id)
    run.status = "running"
    _progress(run, 5, jobs.step("Lecture des contributions"))
    try:
        rows = contributions(run.consultation_id)
        if len(rows) < 4:
            raise AnalysisError(_l("Il faut au moins 4 contributions publiées pour analyser."))
        keys = [f"{r['kind']}:{r['item_id']}" for r in rows]
        previous = _previous_groups(run)
        # Stored at intake: only contributions older than the encoder (or than its last
        # version) are embedded here.
        _progress(run, 10, jobs.step("Vecteurs de sens des contributions"))
        vectors = matrix_for([(r["kind"], r["item_id"], r["text"]) for r in rows])
        _progress(run, 20, jobs.step("Regroupement des textes"))
        result = cluster_texts(
            [r["text"] for r in rows],
            keys,
            vectors=vectors,
            k=run.params.get("k"),
            seed=run.seed,
            previous=previous.get("clusters"),
            frozen=previous.get("frozen"),
        )
        _progress(run, 70, jobs.step("Groupes d'opinion à partir des votes"))
        try:
            opinions = compute_opinions(
                run.consultation_id, seed=run.seed, previous=previous.get("opinions")
            )
        except ValueError:
            opinions = {}  # too few votes for opinion groups
        _progress(run, 90, jobs.step("Enregistrement des résultats"))
        by_key = dict(zip(keys, rows, strict=True))
        for cluster in result.clusters:
            _store(
                run,
                cluster.id,
                cluster.label,
                cluster.keywords,
                cluster.members,
                cluster.quotes,
                cluster.size,
                cluster.size_unique,
                by_key,
                validated=cluster.frozen,
                theme=cluster.theme,
            )
        for key in result.isolated:
            label = title_phrase(by_key[key]["text"], limit=120)
            _store(run, 0, label, [], [key], [key], 1, 1, by_key, isolated=True)
        run.themes = [
            {
                "number": t.id,
                "label": t.label,
                "keywords": list(t.keywords),
                "clusters": list(t.clusters),
                "size": t.size,
            }
            for t in result.themes
        ]
        run.campaigns = [group for group in result.duplicates if len(group) >= 2]
        run.stats = {**result.stats, "held_copies": _add_held_copies(run, by_key)}
        run.opinions = opinions
        run.params = {
            **run.params,
            **{
                k: v
                for k, v in result.params.items()
                if isinstance(v, int | float | str | bool | None)
            },
        }
        run.status, run.finished_at = "done", utcnow()
        _progress(run, 100, jobs.step("Analyse terminée"))
    except AnalysisError as error:
        db.session.rollback()
        run = db.session.get(AnalysisRun, run_id)
        run.status, run.error, run.finished_at = "failed", str(error), utcnow()
        db.session.commit()
    return run.status


def _store(
    run,
    number,
    label,
    keywords,
    members,
    quotes,
    size,
    size_unique,
    by_key,
    isolated=False,
    validated=False,
    theme=None,
) -> None:
    cluster = Cluster(
        run_id=run.id,
        number=number,
        theme=theme,
        label=label[:200],
        keywords=list(keywords),
        quotes=list(quotes),
        size=size,
        size_unique=size_unique,
        isolated=isolated,
        validated=validated,
    )
    db.session.add(cluster)
    db.session.flush()
    for key in members:
        row = by_key[key]
        db.session.add(ClusterMember(run_id=run.id, cluster_id=cluster.id, **row))


def held_copies(consultation_id: int) -> list[dict]:
    """Contributions that moderation holds (or hid) as suspected duplicates: copies of a
    campaign, as rows of `contributions()` with their normalised text."""
    from civic.moderation.models import Case, CaseOrigin, Fingerprint

    rows = []
    cases = db.session.scalars(
        sa.select(Case).where(
            Case.consultation_id == consultation_id,
            Case.origin == CaseOrigin.DUPLICATE.value,
            Case.kind.in_(["proposal", "comment"]),
        )
    )
    for case in cases:
        last = case.last_decision
        if not case.is_open and (last is None or last.charter_reason != "duplicate"):
            continue  # kept and published, or hidden for another reason
        model = Proposal if case.kind == "proposal" else Comment
        item = db.session.get(model, case.item_id)
        if item is None or item.status not in (
            ProposalStatus.PENDING.value,
            ProposalStatus.HIDDEN.value,
        ):
            continue
        normalised = db.session.scalar(
            sa.select(Fingerprint.normalised).where(
                Fingerprint.kind == case.kind, Fingerprint.item_id == item.id
            )
        )
        rows.append(
            {
                "kind": case.kind,
                "item_id": item.id,
                "author_id": item.author_id,
                "text": f"{item.title}. {item.body}" if case.kind == "proposal" else item.body,
                "channel": item.channel if case.kind == "proposal" else "online",
                "commune_id": item.commune_id
                if case.kind == "proposal"
                else item.proposal.commune_id,
                "normalised": normalised or "",
            }
        )
    return rows


def _words3(normalised: str) -> set[str]:
    words = normalised.split()
    return {" ".join(words[i : i + 3]) for i in range(max(1, len(words) - 2))}


def _add_held_copies(run: AnalysisRun, by_key: dict) -> int:
    """Count each held copy as support of the campaign it copies: it joins the group of the
    analysed text it copies (its size, not its size without duplicates) and that campaign.
    Its text is never quoted. Returns the number of copies counted."""
    from civic.moderation.services import normalise

    held = held_copies(run.consultation_id)
    if not held:
        return 0
    members = {
        m.key: m
        for m in db.session.scalars(sa.select(ClusterMember).where(ClusterMember.run_id == run.id))
    }
    shingles = {key: _words3(normalise(row["text"])) for key, row in by_key.items()}
    campaigns = [list(group) for group in run.campaigns]
    counted = 0
    for row in held:
        copy = _words3(row.pop("normalised") or normalise(row["text"]))
        best, score = None, 0.0
        for key, words in shingles.items():
            similarity = len(copy & words) / max(1, len(copy | words))
            if similarity > score:
                best, score = key, similarity
        if best is None or score < 0.8:
            continue  # not a copy of any analysed text
        target = members[best]
        db.session.add(ClusterMember(run_id=run.id, cluster_id=target.cluster_id, held=True, **row))
        target.cluster.size += 1
        key = f"{row['kind']}:{row['item_id']}"
        group = next((g for g in campaigns if best in g), None)
        if group is None:
            campaigns.append([best, key])
        else:
            group.append(key)
        counted += 1
    run.campaigns = campaigns
    db.session.flush()
    return counted


def _previous_groups(run: AnalysisRun) -> dict:
    """The last finished run's clusters: their ids are kept, the validated ones frozen."""
    last = db.session.scalar(
        sa.select(AnalysisRun)
        .where(
            AnalysisRun.consultation_id == run.consultation_id,
            AnalysisRun.status == "done",
            AnalysisRun.id != run.id,
        )
        .order_by(AnalysisRun.id.desc())
        .limit(1)
    )
    if last is None:
        return {}
    clusters, frozen = {}, {}
    for cluster in last.clusters:
        if cluster.isolated:
            continue
        members = [m.key for m in cluster.members if not m.held]
        (frozen if cluster.validated else clusters)[cluster.number] = members
    return {"clusters": clusters or None, "frozen": frozen or None, "opinions": last.opinions}


# --- review --------------------------------------------------------------------------------


def _editable(cluster: Cluster) -> None:
    if cluster.run.published_at is not None:
        raise AnalysisError(_l("La décision est publiée : l'analyse ne peut plus changer."))


def _recount(cluster: Cluster) -> None:
    cluster.size = len(cluster.members)
    cluster.size_unique = len({m.text.strip().lower() for m in cluster.members if not m.held})


def rename(actor, cluster: Cluster, label: str) -> None:
    _editable(cluster)
    if not label.strip():
        raise AnalysisError(_l("Donnez un nom au groupe."))
    cluster.label = label.strip()[:200]
    audit(actor, "analysis.renamed", "analysis_cluster", cluster.id, label=cluster.label)


def merge(actor, source: Cluster, target: Cluster) -> None:
    _editable(target)
    if source.id == target.id or source.run_id != target.run_id:
        raise AnalysisError(_l("Choisissez un autre groupe de la même analyse."))
    for member in list(source.members):
        member.cluster = target
    target.quotes = list(dict.fromkeys(target.quotes + source.quotes))[:5]
    db.session.flush()
    db.session.refresh(target)
    _recount(target)
    target.isolated = False
    audit(actor, "analysis.merged", "analysis_cluster", target.id, merged=source.id)
    db.session.delete(source)
    db.session.flush()


def move(actor, member: ClusterMember, target: Cluster) -> None:
    _editable(target)
    source = member.cluster
    if target.run_id != member.run_id:
        raise AnalysisError(_l("Choisissez un groupe de la même analyse."))
    member.cluster = target
    db.session.flush()
    for cluster in (source, target):
        db.session.refresh(cluster)
        _recount(cluster)
    if not source.members:
        db.session.delete(source)
    audit(actor, "analysis.moved", "analysis_cluster", target.id, member=member.key)
    db.session.flush()


def split(actor, cluster: Cluster, member_ids: list[int], label: str) -> Cluster:
    """Take some contributions out of a group into a new group of their own."""
    _editable(cluster)
    chosen = [m for m in cluster.members if m.id in set(member_ids)]
    if not chosen or len(chosen) == len(cluster.members):
        raise AnalysisError(_l("Cochez une partie des contributions du groupe, pas toutes."))
    if not label.strip():
        raise AnalysisError(_l("Donnez un nom au nouveau groupe."))
    new = Cluster(
        run_id=cluster.run_id,
        number=0,
        label=label.strip()[:200],
        keywords=[],
        quotes=[chosen[0].key],
    )
    db.session.add(new)
    db.session.flush()
    for member in chosen:
        member.cluster_id = new.id
    db.session.flush()
    for item in (cluster, new):
        db.session.refresh(item)
        _recount(item)
    cluster.quotes = [q for q in cluster.quotes if q not in {m.key for m in chosen}]
    audit(actor, "analysis.split", "analysis_cluster", cluster.id, new=new.id)
    return new


def validate(actor, cluster: Cluster, validated: bool = True) -> None:
    _editable(cluster)
    cluster.validated = validated
    audit(actor, "analysis.validated", "analysis_cluster", cluster.id, validated=validated)


# --- decision ------------------------------------------------------------------------------


def decide(official, cluster: Cluster, decision: str, justification: str) -> None:
    _editable(cluster)
    if decision not in DECISIONS:
        raise AnalysisError(_l("Choisissez la décision."))
    if not justification.strip():
        raise AnalysisError(_l("Justifiez la décision : c'est elle que liront les participants."))
    cluster.decision, cluster.justification = decision, justification.strip()
    cluster.decided_by_id = official.id
    audit(official, "analysis.decided", "analysis_cluster", cluster.id, decision=decision)


def publish(official, run: AnalysisRun) -> int:
    """Publish the decision; refused while any group is unanswered. Returns people notified."""
    if run.status != "done":
        raise AnalysisError(_l("L'analyse n'est pas terminée."))
    if run.published_at is not None:
        raise AnalysisError(_l("Cette décision est déjà publiée."))
    missing = [c.label for c in run.clusters if not c.decision]
    if missing:
        raise AnalysisError(
            lazy_ngettext(
                "%(num)s groupe sans réponse, « %(first)s » : chaque contribution doit "
                "recevoir une réponse.",
                "%(num)s groupes sans réponse, dont « %(first)s » : chaque contribution doit "
                "recevoir une réponse.",
                len(missing),
                first=missing[0],
            )
        )
    left_out = left_behind(run)
    if left_out:
        raise AnalysisError(
            lazy_ngettext(
                "%(num)s contribution publiée n'est ni dans l'analyse ni répondue "
                "individuellement : relancez l'analyse ou répondez-y avant de publier.",
                "%(num)s contributions publiées ne sont ni dans l'analyse ni répondues "
                "individuellement : relancez l'analyse ou répondez-y avant de publier.",
                len(left_out),
            )
        )
    run.published_at = utcnow()
    db.session.flush()
    audit(official, "analysis.published", "analysis_run", run.id)
    answers.refresh_status(
        db.session.scalars(
            sa.select(Proposal.id).where(Proposal.consultation_id == run.consultation_id)
        )
    )
    jobs.enqueue("civic.analysis.report.archive", run.id)
    jobs.enqueue("civic.analysis.services.notify_participants", run.id)
    return len(participants(run))


def left_behind(run: AnalysisRun) -> list[dict]:
    """The consultation's published contributions (every channel, and comments since the runs
    analyse them) that are neither in the run nor answered individually, oldest first."""
    analysed = {
        (kind, item_id)
        for kind, item_id in db.session.execute(
            sa.select(ClusterMember.kind, ClusterMember.item_id).where(
                ClusterMember.run_id == run.id
            )
        )
    }
    rows = [
        row
        for row in contributions(run.consultation_id)
        if (row["kind"], row["item_id"]) not in analysed
    ]
    found = answers.outcomes((row["kind"], row["item_id"]) for row in rows)
    missing = []
    for row in rows:
        outcome = found[(row["kind"], row["item_id"])]
        answered = outcome.source in ("individual", "proposal") and outcome.is_final
        if not answered:
            missing.append({**row, "proposal_id": outcome.proposal_id})
    return missing


def participants(run: AnalysisRun) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(ClusterMember.author_id)
            .where(ClusterMember.run_id == run.id, ClusterMember.author_id.is_not(None))
            .distinct()
        )
    )


def notify_participants(run_id: int) -> int:
    """Job: tell each participant what became of each of their contributions, in a
    notification and an e-mail that both read the one answer of each contribution."""
    from civic.accounts.models import User

    run = db.session.get(AnalysisRun, run_id)
    consultation = run.consultation
    link = url_for("analysis.restitution", slug=consultation.slug)
    mine: dict[int, list[tuple[str, int, str]]] = {}
    for member in db.session.scalars(
        sa.select(ClusterMember)
        .where(ClusterMember.run_id == run.id, ClusterMember.author_id.is_not(None))
        .order_by(ClusterMember.id)
    ):
        mine.setdefault(member.author_id, []).append((member.kind, member.item_id, member.text))
    found = answers.outcomes((kind, i) for items in mine.values() for kind, i, _t in items)
    count = 0
    for user in db.session.scalars(
        sa.select(User).where(User.id.in_(mine), User.deleted_at.is_(None))
    ):
        # A contribution hidden since the run is named without its text (core.visibility).
        items = [
            (text if visibility.is_visible(kind, i, user) else WITHDRAWN, found[(kind, i)])
            for kind, i, text in mine[user.id]
        ]
        first = items[0][1]
        message = lazy_ngettext(
            "La décision sur « %(title)s » est publiée ; réponse à votre contribution : "
            "%(answer)s. Voyez ce qu'est devenue votre contribution.",
            "La décision sur « %(title)s » est publiée : voyez ce qu'est devenue chacune "
            "de vos %(num)s contributions.",
            len(items),
            title=consultation.title,
            answer=first.lazy_label,
        )
        notify(user, message, link)
        url = url_for("analysis.restitution", slug=consultation.slug, _external=True)
        send_news(
            user,
            "answers",
            _l("Décision publiée : %(title)s", title=consultation.title),
            message,
            "decision_published",
            topic=(f"consultation:{consultation.id}", consultation.title),
            link=url,
            consultation=consultation,
            items=items,
            url=url,
        )
        count += 1
    return count
