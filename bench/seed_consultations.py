"""Seed one big consultation fast, with bulk SQL, for bench/bench_consultations.py.

The data are generated once in Python (deterministic, from a seed) and can be written to
several databases. Users, proposals, votes and comments go in with executemany in chunks,
inside one transaction; only the consultation and its phase go through the services. The
counters (agree / disagree / pass / comment counts, the participants' agree budget) are then
set from aggregate UPDATEs, so that they equal COUNT(*) of the rows behind them, as the app
keeps them.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache

import sqlalchemy as sa

from civic.consultations.models import (
    VOTE_AGREE,
    VOTE_DISAGREE,
    VOTE_PASS,
    Answer,
    Comment,
    Consultation,
    Participation,
    Proposal,
    Vote,
)
from civic.consultations.text import stems

CHUNK = 5_000
SEARCH_WORD = "piste"  # in many titles (pistes cyclables, de skate, de randonnée...)
SEARCH_THEME = "Mobilité"

THEMES = {
    "Mobilité": [
        "une piste cyclable",
        "des pistes cyclables sécurisées",
        "une navette électrique",
        "un parking relais",
        "des abris vélos",
        "une ligne de bus le dimanche",
        "un trottoir élargi",
        "une piste piétonne",
    ],
    "Environnement": [
        "un jardin partagé",
        "des haies champêtres",
        "une forêt urbaine",
        "des récupérateurs d'eau de pluie",
        "un compost collectif",
        "des nichoirs à hirondelles",
        "une piste de randonnée nature",
    ],
    "Culture": [
        "une médiathèque ouverte le soir",
        "un festival de musique",
        "une fresque murale",
        "des concerts en plein air",
        "une boîte à livres",
    ],
    "Solidarité": [
        "une épicerie solidaire",
        "un repair café",
        "des logements pour les jeunes",
        "un accueil de jour",
        "une conciergerie solidaire",
    ],
    "Éducation": [
        "une cantine bio",
        "des ateliers numériques pour les écoliers",
        "une rue aux écoles",
        "un potager pédagogique",
    ],
    "Sport": [
        "une piste de skate",
        "un terrain multisports",
        "un parcours de santé",
        "une piscine intercommunale",
        "des pistes de randonnée balisées",
    ],
    "Urbanisme": [
        "des bancs publics",
        "un éclairage public économe",
        "une place piétonne",
        "des toilettes publiques",
        "une halle couverte pour le marché",
    ],
    "Économie": [
        "un marché de producteurs",
        "un espace de coworking",
        "une boutique éphémère",
        "un tiers-lieu artisanal",
    ],
}
VERBS = [
    "Créer",
    "Installer",
    "Aménager",
    "Développer",
    "Rénover",
    "Étendre",
    "Mettre en place",
    "Soutenir",
    "Multiplier",
    "Prévoir",
]
PLACES = [
    "près de l'école",
    "dans le centre-bourg",
    "le long du canal",
    "autour de la gare",
    "au bord de l'Hers",
    "dans les hameaux",
    "près de la mairie",
    "vers la zone d'activités",
    "sur la place du marché",
    "entre {a} et {b}",
    "à {a}",
    "à {a}",
]
SENTENCES = [
    "Aujourd'hui les familles n'ont pas d'autre choix que la voiture pour les petits trajets.",
    "Les habitants du quartier en parlent depuis longtemps lors des réunions publiques.",
    "Le coût resterait modeste si plusieurs communes s'associaient au projet.",
    "Les associations locales sont prêtes à participer à l'entretien.",
    "Cela profiterait aux enfants, aux personnes âgées et aux personnes à mobilité réduite.",
    "Un essai de six mois permettrait de mesurer l'intérêt avant de décider.",
    "Des exemples existent déjà dans d'autres intercommunalités de la région toulousaine.",
    "Il faudrait consulter les riverains et les commerçants avant les travaux.",
    "Le projet réduirait le bruit et la pollution aux heures de pointe.",
    "On pourrait financer une partie avec des subventions régionales ou européennes.",
    "Les écoliers gagneraient en autonomie et en sécurité sur le chemin de l'école.",
    "La commune voisine a fait l'expérience avec succès l'an dernier.",
    "Ce serait aussi un lieu de rencontre entre générations.",
    "Les week-ends, beaucoup de promeneurs viennent déjà de Toulouse.",
    "Je propose de commencer par un tronçon simple puis d'étendre selon les usages.",
    "Une signalétique claire et un entretien régulier seraient indispensables.",
]
COMMENTS = [
    "Très bonne idée, je l'utiliserais tous les jours.",
    "Je suis d'accord sur le principe mais le coût m'inquiète.",
    "Attention au stationnement des riverains, il faut y penser dès le départ.",
    "C'est déjà prévu dans le plan climat, non ?",
    "Pourquoi pas, mais il faudrait d'abord entretenir ce qui existe.",
    "Nous avons le même besoin dans notre hameau.",
    "Je ne vois pas l'intérêt, les priorités sont ailleurs.",
    "Il faudrait un essai avant de généraliser.",
    "Les enfants de l'école seraient les premiers bénéficiaires.",
    "Merci pour cette proposition claire et argumentée.",
]
# Explicit ids do not advance PostgreSQL's sequences: move them past the rows.
RESET_SEQUENCES = [
    """SELECT setval(pg_get_serial_sequence('"user"', 'id'), (SELECT max(id) FROM "user"))""",
    "SELECT setval(pg_get_serial_sequence('proposal', 'id'), (SELECT max(id) FROM proposal))",
    "SELECT setval(pg_get_serial_sequence('comment', 'id'), (SELECT max(id) FROM comment))",
]
STANCES = ["for", "for", "against", "neutral"]
ANSWER_STATUSES = ["under_study", "retained", "partly_retained", "not_retained", "out_of_scope"]


@dataclass
class Sizes:
    users: int = 5_000
    proposals: int = 10_000
    votes: int = 200_000
    comments: int = 50_000
    featured_comments: int = 500  # on one chosen proposal: its page is measured

    @classmethod
    def for_run(cls, quick: bool) -> Sizes:
        if not quick:
            return cls()
        # Everything 10x smaller, except the featured proposal, whose comment pages are measured.
        return cls(users=500, proposals=1_000, votes=20_000, comments=5_000)


@dataclass
class Dataset:
    sizes: Sizes
    now: datetime
    users: list[dict] = field(default_factory=list)
    proposals: list[dict] = field(default_factory=list)
    votes: list[dict] = field(default_factory=list)
    comments: list[dict] = field(default_factory=list)
    answers: list[dict] = field(default_factory=list)
    featured_id: int = 0  # the proposal with `featured_comments` comments
    popular_ids: list[int] = field(default_factory=list)  # most voted, published


@cache
def _token_stems(token: str) -> tuple[str, ...]:
    return tuple(stems(token))


def fast_stems(text: str) -> str:
    """The same as " ".join(stems(text)), memoised per token (Snowball in pure Python is slow).

    stems() splits on runs of [a-z0-9] and stems each word on its own, so stemming every
    whitespace-separated token apart gives the same list.
    """
    return " ".join(s for token in text.split() for s in _token_stems(token))


def generate(sizes: Sizes, communes: list[str], seed: int = 20261125) -> Dataset:
    """All the rows, as dicts ready for executemany; ids are given explicitly."""
    rng = random.Random(seed)
    # Drawn apart, so that the rest of the data is the same as before shuffle keys existed.
    shuffle_keys = random.Random(seed + 1)
    now = datetime.now(UTC).replace(microsecond=0)
    data = Dataset(sizes=sizes, now=now)
    n_communes = len(communes)

    for i in range(1, sizes.users + 1):
        created = now - timedelta(days=400 - 300 * i / sizes.users)
        data.users.append(
            {
                "id": i,
                "email": f"bench-{i}@example.org",
                "password_hash": "bench-not-a-real-hash",
                "email_confirmed_at": created,
                "charter_accepted_at": created,
                "display_name": f"Habitant {i}" if rng.random() < 0.6 else None,
                "commune_id": rng.randint(1, n_communes) if rng.random() < 0.7 else None,
                "locale": "fr",
                "session_version": 1,
                "created_at": created,
            }
        )

    theme_names = list(THEMES)
    start = now - timedelta(days=29)
    for i in range(1, sizes.proposals + 1):
        theme = rng.choice(theme_names)
        a, b = rng.sample(communes, 2)
        place = rng.choice(PLACES).format(a=a, b=b)
        title = f"{rng.choice(VERBS)} {rng.choice(THEMES[theme])} {place}"
        body = " ".join(rng.sample(SENTENCES, rng.randint(2, 5)))
        roll = rng.random()
        status = "published"
        if roll < 0.01:
            status = "hidden"
        elif roll < 0.02:
            status = "withdrawn"
        offline = rng.random() < 0.05
        answered = rng.random() < 0.05
        created = start + timedelta(seconds=int(28 * 86400 * i / sizes.proposals))
        data.proposals.append(
            {
                "id": i,
                "consultation_id": None,  # filled in by seed()
                "phase_id": None,
                "author_id": None if offline else rng.randint(1, sizes.users),
                "title": title[:200],
                "body": body,
                "theme": theme if rng.random() < 0.9 else "",
                "commune_id": rng.randint(1, n_communes) if rng.random() < 0.8 else None,
                "channel": rng.choice(["paper", "counter", "workshop"]) if offline else "online",
                "entered_by_id": 1 if offline else None,
                "entered_at_label": "Mairie de Labège" if offline else "",
                "status": status,
                "answer_status": rng.choice(ANSWER_STATUSES) if answered else None,
                "created_at": created,
                "updated_at": created,
                "agree_count": 0,
                "disagree_count": 0,
                "pass_count": 0,
                "comment_count": 0,
                "search_stems": fast_stems(f"{title} {body}"),
                "shuffle_key": shuffle_keys.randrange(2**31),
            }
        )
        if answered:
            data.answers.append(
                {
                    "proposal_id": i,
                    "status": data.proposals[-1]["answer_status"],
                    "text": "Le conseil communautaire a étudié cette proposition. " * 3,
                    "signed_as": "Vice-président à la participation",
                    "author_id": 1,
                    "created_at": created + timedelta(days=1),
                    "updated_at": created + timedelta(days=1),
                }
            )

    published = [p["id"] for p in data.proposals if p["status"] == "published"]
    # Popularity: a long tail (Zipf-like), so that "supported" and "debated" sort real numbers.
    weights = [1.0 / (rank + 10) for rank in range(len(published))]
    order = published[:]
    rng.shuffle(order)
    leaning = {pid: rng.choice([0.75, 0.6, 0.45, 0.3]) for pid in published}
    seen: set[tuple[int, int]] = set()
    while len(data.votes) < sizes.votes:
        batch = rng.choices(order, weights=weights, k=sizes.votes - len(data.votes))
        for pid in batch:
            uid = rng.randint(1, sizes.users)
            if (pid, uid) in seen:
                continue
            seen.add((pid, uid))
            roll = rng.random()
            agree = leaning[pid]
            value = (
                VOTE_AGREE
                if roll < agree
                else VOTE_DISAGREE
                if roll < agree + (1 - agree) * 0.7
                else VOTE_PASS
            )
            created = data.proposals[pid - 1]["created_at"] + timedelta(hours=rng.randint(1, 48))
            data.votes.append(
                {
                    "proposal_id": pid,
                    "user_id": uid,
                    "value": value,
                    "created_at": created,
                    "updated_at": created,
                }
            )
    data.popular_ids = order[:50]

    # The featured proposal: popular, with `featured_comments` comments, a fifth of them replies.
    data.featured_id = order[3]
    comment_id = 0

    def add_comment(pid: int, parent: dict | None, when: datetime) -> dict:
        nonlocal comment_id
        comment_id += 1
        row = {
            "id": comment_id,
            "proposal_id": pid,
            "parent_id": parent["id"] if parent else None,
            "author_id": rng.randint(1, sizes.users),
            "body": " ".join(rng.sample(COMMENTS, rng.randint(1, 3))),
            "stance": rng.choice(STANCES),
            "status": "published",
            "created_at": when,
        }
        data.comments.append(row)
        return row

    featured_start = data.proposals[data.featured_id - 1]["created_at"]
    tops: list[dict] = []
    for k in range(sizes.featured_comments):
        when = featured_start + timedelta(minutes=5 * (k + 1))
        if tops and k % 5 == 4:
            # Replies go to the earlier comments, so that the first page shows some.
            add_comment(data.featured_id, rng.choice(tops[: max(10, len(tops) // 2)]), when)
        else:
            tops.append(add_comment(data.featured_id, None, when))

    others = [pid for pid in order if pid != data.featured_id]
    other_weights = [1.0 / (rank + 10) for rank in range(len(others))]
    by_proposal: dict[int, list[dict]] = {}
    remaining = sizes.comments - sizes.featured_comments
    for pid in sorted(rng.choices(others, weights=other_weights, k=remaining)):
        siblings = by_proposal.setdefault(pid, [])
        when = data.proposals[pid - 1]["created_at"] + timedelta(minutes=7 * (len(siblings) + 1))
        parent = rng.choice(siblings) if siblings and rng.random() < 0.2 else None
        row = add_comment(pid, parent, when)
        if parent is None:
            siblings.append(row)
    return data


def _progress(label: str, done: int, total: int, started: float) -> None:
    print(f"    {label}: {done:,}/{total:,} ({time.perf_counter() - started:.1f} s)", flush=True)


def bulk_insert(session, table: sa.Table, rows: list[dict], label: str) -> None:
    """executemany in chunks, in the caller's transaction."""
    started = time.perf_counter()
    step = max(1, len(rows) // 4)
    next_report = step
    for i in range(0, len(rows), CHUNK):
        session.execute(sa.insert(table), rows[i : i + CHUNK])
        done = min(i + CHUNK, len(rows))
        if done >= next_report or done == len(rows):
            _progress(label, done, len(rows), started)
            next_report = done + step


def set_counters(session, consultation_id: int) -> None:
    """Counters from aggregates: each equals COUNT(*) of the rows it counts."""

    def count_votes(value: int):
        return (
            sa.select(sa.func.count())
            .select_from(Vote)
            .where(Vote.proposal_id == Proposal.id, Vote.value == value)
            .scalar_subquery()
        )

    comments = (
        sa.select(sa.func.count())
        .select_from(Comment)
        .where(Comment.proposal_id == Proposal.id, Comment.status == "published")
        .scalar_subquery()
    )
    session.execute(
        sa.update(Proposal)
        .where(Proposal.consultation_id == consultation_id)
        .values(
            agree_count=count_votes(VOTE_AGREE),
            disagree_count=count_votes(VOTE_DISAGREE),
            pass_count=count_votes(VOTE_PASS),
            comment_count=comments,
        )
        .execution_options(synchronize_session=False)
    )
    agrees = (
        sa.select(
            sa.literal(consultation_id),
            Vote.user_id,
            sa.func.sum(sa.case((Vote.value == VOTE_AGREE, 1), else_=0)),
        )
        .join(Proposal, Proposal.id == Vote.proposal_id)
        .where(Proposal.consultation_id == consultation_id)
        .group_by(Vote.user_id)
    )
    session.execute(
        sa.insert(Participation.__table__).from_select(
            ["consultation_id", "user_id", "agree_used"], agrees
        )
    )


def check_counters(session, consultation_id: int) -> dict[str, int]:
    """How many counters differ from COUNT(*) (all zeros when the counts are exact)."""

    def count_votes(value: int):
        return (
            sa.select(sa.func.count())
            .select_from(Vote)
            .where(Vote.proposal_id == Proposal.id, Vote.value == value)
            .scalar_subquery()
        )

    comments = (
        sa.select(sa.func.count())
        .select_from(Comment)
        .where(Comment.proposal_id == Proposal.id, Comment.status == "published")
        .scalar_subquery()
    )
    mine = Proposal.consultation_id == consultation_id
    proposals = session.scalar(sa.select(sa.func.count()).select_from(Proposal).where(mine))
    wrong_proposals = session.scalar(
        sa.select(sa.func.count())
        .select_from(Proposal)
        .where(
            mine,
            sa.or_(
                Proposal.agree_count != count_votes(VOTE_AGREE),
                Proposal.disagree_count != count_votes(VOTE_DISAGREE),
                Proposal.pass_count != count_votes(VOTE_PASS),
                Proposal.comment_count != comments,
            ),
        )
    )
    agrees_of = (
        sa.select(sa.func.count())
        .select_from(Vote)
        .join(Proposal, Proposal.id == Vote.proposal_id)
        .where(
            Vote.user_id == Participation.user_id,
            Vote.value == VOTE_AGREE,
            Proposal.consultation_id == Participation.consultation_id,
        )
        .scalar_subquery()
    )
    in_consultation = Participation.consultation_id == consultation_id
    participations = session.scalar(
        sa.select(sa.func.count()).select_from(Participation).where(in_consultation)
    )
    wrong_participations = session.scalar(
        sa.select(sa.func.count())
        .select_from(Participation)
        .where(in_consultation, Participation.agree_used != agrees_of)
    )
    has_row = sa.select(Participation.user_id).where(in_consultation)
    missing_participations = session.scalar(
        sa.select(sa.func.count(sa.distinct(Vote.user_id)))
        .join(Proposal, Proposal.id == Vote.proposal_id)
        .where(mine, Vote.value == VOTE_AGREE, Vote.user_id.not_in(has_row))
    )
    # The consultation's total of published proposals, kept by triggers: counted as a wrong
    # proposal counter when it differs.
    published = session.scalar(
        sa.select(sa.func.count()).select_from(Proposal).where(mine, Proposal.status == "published")
    )
    kept = session.scalar(
        sa.select(Consultation.published_proposals).where(Consultation.id == consultation_id)
    )
    wrong_proposals += int(published != kept)
    return {
        "proposals": proposals,
        "wrong_proposals": wrong_proposals,
        "participations": participations,
        "wrong_participations": wrong_participations,
        "missing_participations": missing_participations,
    }


def seed(app, data: Dataset) -> dict:
    """Write the dataset into the app's (freshly migrated) database, in one transaction.

    Returns the consultation's slug and id, and the seconds spent per step.
    """
    from civic.accounts.models import User
    from civic.consultations import services
    from civic.extensions import db
    from civic.territory.services import load_communes

    timings: dict[str, float] = {}
    session = db.session
    started = time.perf_counter()
    with app.app_context():
        load_communes()
        t = time.perf_counter()
        bulk_insert(session, User.__table__, data.users, "users")
        timings["users"] = time.perf_counter() - t

        with app.test_request_context():
            actor = session.get(User, 1)
            consultation = services.save_consultation(
                actor,
                None,
                title="Projet de territoire 2030",
                slug="projet-de-territoire-2030",
                summary="Imaginons ensemble le Sicoval de 2030.",
                body="<p>Le <strong>projet de territoire</strong> fixe les priorités.</p>",
                theme="Territoire",
                communes=[],
                agree_limit=None,
                premoderation=False,
            )
            phase = services.add_phase(
                actor,
                consultation,
                title="Propositions, débats et votes",
                description="Proposez, commentez, votez.",
                starts_at=data.now - timedelta(days=30),
                ends_at=data.now + timedelta(days=60),
                features=["information", "proposing", "commenting", "voting"],
                audience="public",
            )
            services.publish(actor, consultation)
            session.flush()
            consultation_id, phase_id, slug = consultation.id, phase.id, consultation.slug

        for row in data.proposals:
            row["consultation_id"], row["phase_id"] = consultation_id, phase_id
        t = time.perf_counter()
        bulk_insert(session, Proposal.__table__, data.proposals, "proposals")
        bulk_insert(session, Answer.__table__, data.answers, "answers")
        timings["proposals"] = time.perf_counter() - t
        t = time.perf_counter()
        bulk_insert(session, Vote.__table__, data.votes, "votes")
        timings["votes"] = time.perf_counter() - t
        t = time.perf_counter()
        bulk_insert(session, Comment.__table__, data.comments, "comments")
        timings["comments"] = time.perf_counter() - t
        t = time.perf_counter()
        set_counters(session, consultation_id)
        print("    counters and participation rows set from aggregates", flush=True)
        timings["counters"] = time.perf_counter() - t

        bind = session.get_bind()
        if bind.dialect.name == "postgresql":
            # Explicit ids do not advance the sequences: move them past the rows.
            for statement in RESET_SEQUENCES:
                session.execute(sa.text(statement))
        session.commit()
        t = time.perf_counter()
        if bind.dialect.name == "postgresql":
            # What autovacuum does shortly after a bulk load in production: planner statistics
            # and the visibility map (which lets counts use index-only scans).
            with bind.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(sa.text("VACUUM ANALYZE"))
        timings["vacuum"] = time.perf_counter() - t
        session.remove()
    timings["total"] = time.perf_counter() - started
    return {"slug": slug, "consultation_id": consultation_id, "timings": timings}
