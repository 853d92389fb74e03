"""A platform filled with hostile text through every user-writable field, through the web.

`build_world` plays a whole life of the platform with the forms real users send: an agent
creates a consultation (with its phase, document, cover and glossary), citizens set their
names, propose, comment and report, officials answer and follow up, moderators decide and
block, an author appeals, an agent imports services from an open-data file and answers a
rating, an analysis is reviewed and its decision published. Every text typed goes through
`World.text(field)`, which gives it the payload under test with a marker naming the field.
"""

import io
import re
from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from civic.core.models import utcnow
from tests.conftest import log_in
from tests.security.inert import MARKER, marker, payload

PARIS = ZoneInfo("Europe/Paris")
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


def browser_file_name(name: str) -> str:
    """A file name as a browser sends it in multipart/form-data: quotes and line breaks
    percent-encoded (the HTML standard's rule)."""
    return name.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


def local(moment) -> str:
    return moment.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M")


@dataclass
class World:
    kind: str  # the payload's name in inert.PAYLOADS
    fields: dict[str, str] = field(default_factory=dict)  # marker -> field
    values: dict = field(default_factory=dict)  # URL values of the objects made
    users: dict = field(default_factory=dict)

    def text(self, name: str, prefix: str = "", suffix: str = "") -> str:
        """The payload for one field, with its own marker (prefix and suffix keep texts of
        one author distinct, so that moderation does not hold them as duplicates)."""
        mark = marker(len(self.fields) + 1)
        self.fields[mark] = name
        return f"{prefix}{payload(self.kind, mark)}{suffix}"

    def name(self, finding: str) -> str:
        """A finding with the field its marker comes from."""
        found = MARKER.search(finding.lower())
        return f"[{self.fields.get(found.group(0), '?')}] {finding}" if found else finding


def _ok(response, what: str, status: int = 303):
    assert response.status_code == status, (
        f"{what}: expected {status}, got {response.status_code}\n"
        + response.get_data(as_text=True)[:3000]
    )
    return response


def _id_from(location: str) -> int:
    return int(re.findall(r"/(\d+)", location)[-1])


def build_world(kind: str, app, db, make_user) -> World:
    from civic.analysis.models import AnalysisRun, Cluster, ClusterMember
    from civic.consultations.models import Comment, Proposal
    from civic.core.notify import OutboxEmail
    from civic.moderation.models import Case
    from civic.ratings.models import CRITERIA, Rating, Service

    w = World(kind)
    old = utcnow() - timedelta(days=60)  # established accounts: no new-account rules
    users = {
        role: make_user(role, created_at=old) for role in ("admin", "agent", "elected", "moderator")
    }
    users["second_moderator"] = make_user("moderator", created_at=old)
    for name in ("author", "commenter", "reporter", "reporter2", "rater", "troll"):
        users[name] = make_user(email=f"{name}@example.org", created_at=old)
    w.users = users
    client = app.test_client()

    def act(user):
        log_in(client, user)
        return client

    # --- an agent creates, documents and publishes a consultation -------------------------
    agent = act(users["agent"])
    response = _ok(
        agent.post(
            "/gestion/concertations/nouvelle",
            data={
                "title": w.text("consultation.title", "Concertation "),
                "slug": "hostile",
                "summary": w.text("consultation.summary", "Résumé "),
                "body": "<p>" + w.text("consultation.body", "Présentation ") + "</p>",
                "theme": w.text("consultation.theme"),
                "cover_alt": w.text("consultation.cover_alt", "Image "),
                "cover": (io.BytesIO(PNG), browser_file_name(w.text("cover file name") + ".png")),
            },
            content_type="multipart/form-data",
        ),
        "new consultation",
    )
    consultation_id = _id_from(response.headers["Location"])
    base = f"/gestion/concertations/{consultation_id}"
    now = utcnow()
    _ok(
        agent.post(
            base + "/phases",
            data={
                "title": w.text("phase.title", "Phase "),
                "description": w.text("phase.description", "Description "),
                "starts_at": local(now - timedelta(days=1)),
                "ends_at": local(now + timedelta(days=30)),
                "features": ["information", "proposing", "commenting", "voting"],
                "audience": "public",
            },
        ),
        "phase",
    )
    _ok(
        agent.post(
            base + "/documents",
            data={
                "title": w.text("document.title", "Document "),
                "file": (
                    io.BytesIO(b"%PDF-1.4 test"),
                    browser_file_name(w.text("document file name") + ".pdf"),
                ),
            },
            content_type="multipart/form-data",
        ),
        "document",
    )
    _ok(agent.post(base + "/publication", data={"publish": "1"}), "publish")
    _ok(
        agent.post(
            "/gestion/glossaire",
            data={
                "term": w.text("glossary.term"),
                "definition": w.text("glossary.definition", "Définition "),
            },
        ),
        "glossary",
    )
    slug = "hostile"
    public = f"/concertations/{slug}"

    # --- citizens name themselves, follow, propose and comment -----------------------------
    for name in ("author", "commenter", "rater", "troll"):
        _ok(
            act(users[name]).post(
                "/compte/profil",
                data={"display_name": w.text(f"{name}.display_name"), "locale": "fr"},
            ),
            f"{name} profile",
        )
    _ok(act(users["commenter"]).post(public + "/suivre", data={"frequency": "immediate"}), "follow")
    author = act(users["author"])
    proposals = []
    for n in range(3):
        response = _ok(
            author.post(
                public + "/propositions/nouvelle",
                data={
                    "title": w.text(f"proposal {n} title", f"Idée {n} "),
                    "body": w.text(
                        f"proposal {n} body", f"Proposition numéro {n} sur la mobilité : "
                    ),
                    "theme": "",
                    "commune_id": "",
                    # Past the "similar proposals" step: these texts are alike on purpose.
                    "confirmed": "1",
                },
            ),
            f"proposal {n}",
        )
        proposals.append(_id_from(response.headers["Location"]))
    shown, hidden, edited = proposals
    commenter = act(users["commenter"])
    page = f"{public}/propositions/{shown}"
    _ok(
        commenter.post(
            page + "/commentaires",
            data={"body": w.text("comment.body", "Mon avis sur ce point : "), "stance": "for"},
        ),
        "comment",
    )
    top = db.session.scalar(sa.select(Comment.id).where(Comment.proposal_id == shown))
    _ok(
        act(users["author"]).post(
            page + "/commentaires",
            data={
                "body": w.text("reply.body", "Ma réponse au commentaire : "),
                "stance": "neutral",
                "parent_id": top,
            },
        ),
        "reply",
    )
    _ok(act(users["commenter"]).post(page + "/vote", data={"vote": "agree"}), "vote")

    # --- officials answer and follow up; an agent types a paper contribution ---------------
    elected = act(users["elected"])
    _ok(
        elected.post(
            page + "/reponse",
            data={
                "status": "retained",
                "text": w.text("answer.text", "Réponse : "),
                "signed_as": w.text("answer.signed_as"),
            },
        ),
        "answer",
    )
    _ok(
        elected.post(
            page + "/etapes",
            data={
                "title": w.text("milestone.title", "Étape "),
                "description": w.text("milestone.description", "Détails "),
                "progress": "40",
            },
        ),
        "milestone",
    )
    _ok(
        act(users["agent"]).post(
            base + "/saisie",
            data={
                "channel": "paper",
                "place": w.text("contribution.place"),
                "title": w.text("contribution.title", "Papier "),
                "body": w.text("contribution.body", "Contribution reçue sur papier : "),
                "theme": "",
                "commune_id": "",
            },
        ),
        "paper contribution",
    )

    # --- reports, decisions, an appeal and a block -----------------------------------------
    for name in ("reporter", "reporter2"):
        _ok(
            act(users[name]).post(
                f"/signalements/proposal/{hidden}",
                data={"reason": "other", "detail": w.text(f"{name} report detail", "Car ")},
            ),
            "report",
        )
    _ok(
        act(users["reporter"]).post(
            f"/signalements/proposal/{edited}",
            data={"reason": "personal_data", "detail": "Un numéro de téléphone"},
        ),
        "report",
    )
    case_hidden = db.session.scalar(
        sa.select(Case.id).where(Case.kind == "proposal", Case.item_id == hidden)
    )
    case_edited = db.session.scalar(
        sa.select(Case.id).where(Case.kind == "proposal", Case.item_id == edited)
    )
    moderator = act(users["moderator"])
    _ok(
        moderator.post(
            f"/gestion/moderation/{case_hidden}",
            data={
                "action": "hide",
                "charter_reason": "off_topic",
                "note": w.text("decision.note", "Note "),
            },
        ),
        "hide",
    )
    _ok(
        moderator.post(
            f"/gestion/moderation/{case_edited}",
            data={"action": "edit", "edited_text": w.text("decision.edited_text", "Corrigé : ")},
        ),
        "edit",
    )
    _ok(
        act(users["author"]).post(
            f"/moderation/appel/{case_hidden}",
            data={"text": w.text("appeal.text", "Mon appel : ")},
        ),
        "appeal",
    )
    _ok(
        act(users["moderator"]).post(
            "/gestion/moderation/blocages",
            data={
                "user_id": users["troll"].id,
                "reason": w.text("block.reason", "Motif "),
                "days": "7",
            },
        ),
        "block",
    )

    # --- services from an open-data file with hostile cells and file name ------------------
    cells = [
        w.text("import.id"),
        w.text("import.name", "Piscine "),
        w.text("import.type"),
        w.text("import.address"),
        "Labège",
        "31254",
        "43,54",
        "1,53",
        w.text("import.hours"),
        w.text("import.phone"),
        w.text("import.email"),
        w.text("import.website"),
    ]
    header = "id;nom;type;adresse;commune;code_insee;latitude;longitude;horaires;tel;email;url"
    rows = header + "\r\n" + ";".join('"' + c.replace('"', '""') + '"' for c in cells) + "\r\n"
    agent = act(users["agent"])
    file_name = browser_file_name(w.text("import file name") + ".csv")
    source, dataset = w.text("import.source"), w.text("import.dataset", "Jeu ")
    preview = _ok(
        agent.post(
            "/gestion/services/import",
            data={
                "source": source,
                "dataset": dataset,
                "format": "csv",
                "file": (io.BytesIO(rows.encode()), file_name),
            },
            content_type="multipart/form-data",
        ),
        "import preview",
        200,
    )
    token = re.search(r'name="token" value="([0-9a-f]+)"', preview.get_data(as_text=True))
    _ok(
        agent.post(
            "/gestion/services/import",
            data={
                "source": source,
                "dataset": dataset,
                "format": "csv",
                "token": token.group(1),
                "confirm": "1",
            },
        ),
        "import",
    )
    service_id = db.session.scalar(sa.select(Service.id).order_by(Service.id.desc()))
    _ok(
        act(users["rater"]).post(
            f"/services/{service_id}/avis",
            data={
                **{c: "4" for c in CRITERIA},
                "channel": "phone",
                "open_as_announced": "yes",
                "comment": w.text("rating.comment", "Mon avis : "),
            },
        ),
        "rating",
    )
    rating_id = db.session.scalar(sa.select(Rating.id).where(Rating.service_id == service_id))
    rating_case = db.session.scalar(
        sa.select(Case.id).where(Case.kind == "rating_comment", Case.item_id == rating_id)
    )
    _ok(
        act(users["moderator"]).post(f"/gestion/moderation/{rating_case}", data={"action": "keep"}),
        "publish rating",
    )
    _ok(
        act(users["admin"]).post(
            f"/services/{service_id}/avis/{rating_id}/reponse",
            data={
                "status": "action_done",
                "text": w.text("rating answer.text", "Réponse du service : "),
                "signed_as": w.text("rating answer.signed_as"),
            },
        ),
        "rating answer",
    )
    _ok(
        act(users["agent"]).post(
            f"/gestion/services/{service_id}/proposition",
            data={
                "consultation_id": consultation_id,
                "title": w.text("service proposal.title", "Améliorer "),
                "body": w.text("service proposal.body", "Proposition ouverte depuis un service : "),
            },
        ),
        "proposal from a service",
    )

    # --- an analysis, reviewed and decided through the web ---------------------------------
    run = AnalysisRun(
        consultation_id=consultation_id,
        created_by_id=users["agent"].id,
        status="done",
        progress=100,
        finished_at=utcnow(),
    )
    db.session.add(run)
    db.session.flush()
    cluster = Cluster(run_id=run.id, number=1, label="Groupe", keywords=["mobilité"], size=2)
    db.session.add(cluster)
    db.session.flush()
    members = []
    for proposal_id in (shown, edited):
        proposal = db.session.get(Proposal, proposal_id)
        member = ClusterMember(
            run_id=run.id,
            cluster_id=cluster.id,
            kind="proposal",
            item_id=proposal.id,
            author_id=proposal.author_id,
            text=f"{proposal.title}. {proposal.body}",
        )
        db.session.add(member)
        members.append(member)
    db.session.commit()
    agent = act(users["agent"])
    groups = "/gestion/analyses/groupes"
    _ok(agent.post(f"{groups}/{cluster.id}/nom", data={"label": w.text("cluster.label")}), "rename")
    _ok(
        agent.post(
            f"{groups}/{cluster.id}/scission",
            data={"member": [members[1].id], "label": w.text("split cluster.label")},
        ),
        "split",
    )
    clusters = db.session.scalars(sa.select(Cluster.id).where(Cluster.run_id == run.id)).all()
    elected = act(users["elected"])
    for n, cluster_id in enumerate(clusters):
        _ok(
            elected.post(
                f"{groups}/{cluster_id}/decision",
                data={
                    "decision": "retained",
                    "justification": w.text(f"cluster {n} justification", "Parce que "),
                },
            ),
            "decide",
        )
    _ok(elected.post(f"/gestion/analyses/{run.id}/publication"), "publish decision")

    db.session.expire_all()
    email_id = db.session.scalar(sa.select(OutboxEmail.id).order_by(OutboxEmail.id.desc()))
    from civic.consultations.models import Document
    from civic.moderation.models import Block

    w.values.update(
        {
            "user_id": users["author"].id,
            "email_id": email_id,
            "token": "not-a-valid-token",
            "slug": slug,
            "proposal_id": shown,
            "consultation_id": consultation_id,
            "phase_id": db.session.scalar(sa.text("SELECT max(id) FROM phase")),
            "document_id": db.session.scalar(sa.select(sa.func.max(Document.id))),
            "kind": "proposal",
            "item_id": shown,
            "case_id": case_hidden,
            "block_id": db.session.scalar(sa.select(sa.func.max(Block.id))),
            "service_id": service_id,
            "run_id": run.id,
            "cluster_id": clusters[0],
            "member_id": members[0].id,
            "rating_id": rating_id,
            "name": "propositions",
            "filename": "propositions.csv",
        }
    )
    return w
