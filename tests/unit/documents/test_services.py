"""Services of draft texts: import, reactions and their counters, amendments, votes,
decisions, versions and the origin of each change."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from civic.core.models import utcnow
from civic.documents import queries, services
from civic.documents.models import Amendment, DraftItem, Reaction
from tests.fixtures_documents import SAMPLE, item


def counts(draft_item):
    return {
        kind: sum(
            1
            for r in Reaction.query.filter_by(item_id=draft_item.id, status="published")
            if r.kind == kind
        )
        for kind in ("agree", "disagree", "question")
    }


def fresh(draft_item) -> DraftItem:
    from civic.extensions import db

    db.session.expire(draft_item)
    return db.session.get(DraftItem, draft_item.id)


def test_import_keeps_the_source_and_numbers_the_items(climate_draft):
    version = climate_draft.current_version
    assert version.number == 1 and version.source == SAMPLE
    kinds = [i.kind for i in queries.items(version)]
    assert kinds == ["heading", "paragraph", "paragraph", "heading", "action"]


def test_import_refuses_an_unreadable_budget(climate, app):
    with app.test_request_context(), pytest.raises(services.DocumentError) as error:
        services.import_draft(
            climate["agent"],
            climate["consultation"],
            title="T",
            summary="",
            source="# T\n\n### Action : A\nBudget : beaucoup\n",
        )
    with app.test_request_context():
        assert "Ligne 4" in str(error.value)


def test_reactions_counted_as_the_database_counts_them(climate_draft, make_user, app, db):
    paragraph = item(climate_draft)
    with app.test_request_context():
        for _ in range(3):
            services.react(make_user(), paragraph, kind="agree", body="")
        services.react(make_user(), paragraph, kind="disagree", body="Trop timide.")
        services.react(make_user(), paragraph, kind="question", body="Quelle source ?")
    db.session.commit()
    paragraph = fresh(paragraph)
    assert counts(paragraph) == {"agree": 3, "disagree": 1, "question": 1}
    assert (paragraph.agree_count, paragraph.disagree_count, paragraph.question_count) == (3, 1, 1)


def test_one_agree_or_disagree_per_person_and_passage(climate_draft, make_user, app):
    paragraph, user = item(climate_draft), make_user()
    with app.test_request_context():
        services.react(user, paragraph, kind="agree", body="")
        with pytest.raises(services.DocumentError):
            services.react(user, paragraph, kind="disagree", body="")
        services.react(user, paragraph, kind="question", body="Et les communes rurales ?")
        services.react(user, paragraph, kind="question", body="Et le coût ?")
    assert fresh(paragraph).agree_count == 1 and fresh(paragraph).question_count == 2


def test_a_question_needs_its_text_and_headings_take_no_reaction(climate_draft, make_user, app):
    with app.test_request_context():
        with pytest.raises(services.DocumentError):
            services.react(make_user(), item(climate_draft), kind="question", body="  ")
        with pytest.raises(services.DocumentError):
            services.react(make_user(), item(climate_draft, "heading"), kind="agree", body="")


def test_premoderated_reaction_counts_once_published(climate, climate_draft, make_user, app, db):
    from civic.moderation import services as moderation
    from civic.moderation.models import Case

    climate["consultation"].premoderation = True
    paragraph, moderator = item(climate_draft), make_user("moderator")
    with app.test_request_context():
        reaction = services.react(make_user(), paragraph, kind="question", body="Pourquoi ?")
        assert reaction.status == "pending" and fresh(paragraph).question_count == 0
        case = db.session.scalar(sa.select(Case).where(Case.kind == "draft_reaction"))
        moderation.decide(moderator, [case], "keep")
        assert fresh(paragraph).question_count == 1
        moderation.decide(moderator, [case], "hide", charter_reason="off_topic")
        assert fresh(paragraph).question_count == 0


def test_amendment_must_change_the_text(climate_draft, make_user, app):
    paragraph = item(climate_draft)
    with app.test_request_context(), pytest.raises(services.DocumentError):
        services.propose_amendment(make_user(), paragraph, text=paragraph.text + "  ", reason="")


def test_votes_on_an_amendment_change_and_retract(climate_draft, make_user, app, db):
    with app.test_request_context():
        amendment = services.propose_amendment(
            make_user(), item(climate_draft), text="Un autre texte.", reason=""
        )
        voter, other = make_user(), make_user()
        services.vote_amendment(voter, amendment, 1)
        services.vote_amendment(other, amendment, 1)
        services.vote_amendment(voter, amendment, -1)
        assert (amendment.for_count, amendment.against_count) == (1, 1)
        services.vote_amendment(other, amendment, 0)
        assert (amendment.for_count, amendment.against_count) == (0, 1)
        services.decide_amendment(
            make_user("elected"), amendment, decision="not_retained", justification="Non."
        )
        with pytest.raises(services.DocumentError):
            services.vote_amendment(other, amendment, 1)


def test_decision_needs_a_justification_and_tells_the_author(climate_draft, make_user, app, db):
    from civic.core.notify import Notification

    author = make_user()
    with app.test_request_context():
        amendment = services.propose_amendment(
            author, item(climate_draft), text="Un autre texte.", reason=""
        )
        with pytest.raises(services.DocumentError):
            services.decide_amendment(
                make_user("elected"), amendment, decision="integrated", justification=" "
            )
        services.decide_amendment(
            make_user("elected"), amendment, decision="integrated", justification="Bonne idée."
        )
    notes = db.session.scalars(sa.select(Notification).where(Notification.user_id == author.id))
    assert any("réponse" in n.message for n in notes)


def _amend_and_integrate(app, make_user, draft_item, new_text, decision="integrated"):
    with app.test_request_context():
        amendment = services.propose_amendment(make_user(), draft_item, text=new_text, reason="")
        services.decide_amendment(
            make_user("elected"), amendment, decision=decision, justification="Retenu."
        )
    return amendment


def test_new_version_records_which_amendment_changed_which_passage(
    climate_draft, make_user, app, db
):
    first, second = item(climate_draft, index=0), item(climate_draft, index=1)
    integrated = _amend_and_integrate(
        app, make_user, first, first.text.replace("600 000", "580 000")
    )
    rejected = _amend_and_integrate(app, make_user, second, "Autre.", decision="not_retained")
    with app.test_request_context():
        # The proposed source carries the integrated wording, not the rejected one.
        source = services.proposed_source(climate_draft)
        assert "580 000" in source and "Autre." not in source
        with pytest.raises(services.DocumentError):
            services.publish_version(
                make_user("agent"),
                climate_draft,
                source=source,
                note="x",
                amendment_ids=[rejected.id],
            )
        version = services.publish_version(
            make_user("agent"),
            climate_draft,
            source=source,
            note="Chiffres mis à jour.",
            amendment_ids=[integrated.id],
        )
    db.session.commit()
    assert climate_draft.current_version_id == version.id and version.number == 2
    changes = queries.changes_into(version)
    (new_item,) = [i for i in queries.items(version) if i.id in changes]
    assert "580 000" in new_item.text and changes[new_item.id] == [integrated]
    # The old version stays as it was; its passages no longer take reactions.
    assert "600 000" in queries.items(climate_draft.versions[0])[1].text
    with app.test_request_context(), pytest.raises(services.DocumentError):
        services.react(make_user(), first, kind="agree", body="")


def test_counts_stay_true_after_erasure(climate_draft, make_user, app, db):
    user = make_user()
    with app.test_request_context():
        services.react(user, item(climate_draft), kind="agree", body="")
        services.erase_personal_data(user)
    db.session.flush()
    reaction = db.session.scalar(sa.select(Reaction))
    assert reaction.author_id is None and fresh(item(climate_draft)).agree_count == 1


def test_unanswered_count(climate_draft, make_user, app):
    with app.test_request_context():
        services.propose_amendment(make_user(), item(climate_draft), text="A.", reason="")
        services.propose_amendment(make_user(), item(climate_draft), text="B.", reason="")
    assert queries.unanswered_count(climate_draft) == 2
    assert db_count(Amendment) == 2


def db_count(model):
    from civic.extensions import db

    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_phase_rules(climate, climate_draft, make_user, app, db):
    from civic.consultations import services as consultations
    from civic.core.permissions import can

    paragraph = item(climate_draft)
    citizen, elected = make_user(), make_user("elected")
    assert can(citizen, "documents.react", paragraph) and can(citizen, "documents.amend", paragraph)
    # An élus-only phase: the elected react and amend, residents read.
    consultation = climate["consultation"]
    current = consultation.current_phase()
    current.ends_at = utcnow() - timedelta(minutes=1)
    now = utcnow()
    with app.test_request_context():
        consultations.add_phase(
            climate["agent"],
            consultation,
            title="Élus",
            description="",
            audience="role",
            audience_role="elected",
            starts_at=now - timedelta(seconds=30),
            ends_at=now + timedelta(days=3),
            features=["information", "proposing", "commenting"],
        )
    assert not can(citizen, "documents.react", paragraph)
    assert can(elected, "documents.react", paragraph) and can(elected, "documents.amend", paragraph)
    assert not can(elected, "documents.react", item(climate_draft, "heading"))


def test_votes_close_on_amendments_of_a_superseded_version(climate_draft, make_user, app, db):
    from civic.core.permissions import can

    voter = make_user()
    with app.test_request_context():
        amendment = services.propose_amendment(
            make_user(), item(climate_draft), text="Un autre texte.", reason=""
        )
        assert can(voter, "documents.vote", amendment)
        services.publish_version(
            make_user("agent"),
            climate_draft,
            source=SAMPLE.replace("600 000", "590 000"),
            note="Chiffre mis à jour.",
            amendment_ids=[],
        )
    assert not can(voter, "documents.vote", amendment)


def test_a_version_that_removes_most_passages_is_published(climate_draft, make_user, app, db):
    # Passages removed in the new version have no successor (a refused page once answered 500).
    with app.test_request_context():
        version = services.publish_version(
            make_user("agent"), climate_draft, source="0", note="Tout réécrit.", amendment_ids=[]
        )
    assert version.number == 2
    assert [i.text for i in services.items_of(version)] == ["0"]
