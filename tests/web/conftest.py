"""Fixtures shared by the web tests."""

import pytest

from civic.core.notify import OutboxEmail


@pytest.fixture
def url_values(make_user, db, climate, app, make_workshop, climate_draft):
    from civic.consultations import services
    from civic.consultations.models import GlossaryTerm

    target = make_user("citizen", email="target@example.org")
    mail = OutboxEmail(user_id=target.id, to_address=target.email, subject="s", body="b")
    term = GlossaryTerm(term="PCAET", definition="Plan climat-air-énergie territorial")
    db.session.add_all([mail, term])
    document = services.add_document(
        climate["agent"], climate["consultation"], "Diagnostic", b"%PDF-1.4 test"
    )
    from civic.ratings import services as ratings
    from civic.ratings.models import CRITERIA, Service

    service = Service(source="test", source_id="s1", name="Piscine", type="Piscine")
    db.session.add(service)
    db.session.flush()
    rating = ratings.rate(
        target,
        service,
        scores={c: 4 for c in CRITERIA},
        channel="phone",
        open_as_announced=None,
        comment="",
    )
    rating.comment_status = "published"
    from civic.analysis.models import AnalysisRun, Cluster, ClusterMember

    run = AnalysisRun(consultation_id=climate["consultation"].id, status="done", progress=100)
    cluster = Cluster(run=run, label="Vélo", size=1, size_unique=1)
    db.session.add_all([run, cluster])
    db.session.flush()
    member = ClusterMember(
        run_id=run.id,
        cluster_id=cluster.id,
        kind="proposal",
        item_id=climate["proposal"].id,
        text="Des pistes cyclables",
    )
    db.session.add(member)
    from civic.answers.models import Draft, Template

    draft = Draft(
        proposal_id=climate["proposal"].id,
        status="retained",
        text="Retenue.",
        signed_as="Maire",
        author_id=climate["agent"].id,
    )
    template = Template(
        consultation_id=climate["consultation"].id, title="Merci", status="retained", text="Oui."
    )
    db.session.add_all([draft, template])
    reporter, moderator = make_user(email="signale@example.org"), make_user("moderator")
    from civic.moderation import services as moderation

    with app.test_request_context():
        case = moderation.report(reporter, "proposal", climate["proposal"], "spam")
        block = moderation.block(moderator, target, "Insultes répétées", 7)
    from civic.workshops.models import Note, Selection, Volunteer

    # Its slug is the consultation's, so that "slug" fits the routes of both.
    workshop = make_workshop(title="Plan climat")
    volunteer = Volunteer(workshop_id=workshop.id, name="Volontaire", phone="05 61 00 00 00")
    selection = Selection(workshop_id=workshop.id, seed=1)
    note = Note(workshop_id=workshop.id, author_role="citizen", body="Des bancs à l'ombre")
    db.session.add_all([volunteer, selection, note])
    from civic.documents import services as documents
    from tests.fixtures_documents import item

    passage = item(climate_draft)
    amendment = documents.propose_amendment(target, passage, text="Autre rédaction.", reason="")
    from datetime import timedelta

    from civic.core.models import utcnow
    from civic.events.models import Event

    start = utcnow() + timedelta(days=12)
    event = Event(
        title="Réunion publique",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        status="published",
        registration=True,
        capacity=10,
    )
    db.session.add(event)
    from civic.assistant.models import AskedQuestion, HelpPage, Request

    asked = AskedQuestion(text="Où acheter du pain ?", intent="unknown", answered=False)
    # Its slug is the consultation's, so that "slug" fits the help page's route too.
    help_page = HelpPage(slug="plan-climat", title="Le plan climat", body="Texte.")
    request_ = Request(reference="TEST-2345", question="Une question", due_at=start)
    db.session.add_all([asked, help_page, request_])
    db.session.commit()
    return {
        "reference": request_.reference,
        "request_id": request_.id,
        "question_id": asked.id,
        "page_id": help_page.id,
        "draft_id": climate_draft.id,
        "passage_id": passage.id,
        "amendment_id": amendment.id,
        "number": 1,
        "workshop_id": workshop.id,
        "event_id": event.id,
        "volunteer_id": volunteer.id,
        "selection_id": selection.id,
        "note_id": note.id,
        "user_id": target.id,
        "email_id": mail.id,
        "token": "not-a-valid-token",
        "slug": "plan-climat",
        "insee": "31254",
        "proposal_id": climate["proposal"].id,
        "consultation_id": climate["consultation"].id,
        "phase_id": climate["past_phase"].id,
        "document_id": document.id,
        "term_id": term.id,
        "kind": "proposal",
        "item_id": climate["proposal"].id,
        "case_id": case.id,
        "block_id": block.id,
        "service_id": service.id,
        "run_id": run.id,
        "answer_draft_id": draft.id,
        "template_id": template.id,
        "cluster_id": cluster.id,
        "member_id": member.id,
        "rating_id": rating.id,
        "name": "propositions",
        "filename": "propositions.csv",
    }
