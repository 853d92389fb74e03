"""The analysis of a draft's reactions: sections, counts, themes, answers and versions."""

import pytest
import sqlalchemy as sa

from civic.documents import analysis, services
from civic.documents.models import Reaction
from civic.extensions import db as _db
from tests.fixtures_documents import item

CYCLING = [
    "Il faut des pistes cyclables sûres pour aller au collège à vélo.",
    "Des pistes cyclables séparées de la route pour les enfants à vélo.",
    "Plus de pistes cyclables continues entre les villages pour le vélo.",
]
HOUSING = [
    "Aider les propriétaires à isoler les logements anciens.",
    "Isoler les logements anciens coûte trop cher aux propriétaires modestes.",
    "Des aides pour isoler les logements anciens des propriétaires.",
]


def test_sections_counts_themes_answers_and_versions(climate_draft, make_user, app, db):
    diagnosis, housing = item(climate_draft, index=0), item(climate_draft, index=1)
    action = item(climate_draft, kind="action")
    with app.test_request_context():
        for body in HOUSING:
            services.react(make_user(), housing, kind="question", body=body)
        services.react(make_user(), diagnosis, kind="agree", body="")
        services.react(make_user(), diagnosis, kind="disagree", body="")
        for body in CYCLING:
            services.react(make_user(), action, kind="agree", body=body)
        hidden = services.react(make_user(), action, kind="question", body="Texte masqué ?")
        hidden.status = "hidden"  # as moderation leaves it: neither counted nor grouped
        integrated = services.propose_amendment(
            make_user(), action, text="Relier les communes et les écoles à vélo.", reason=""
        )
        refused = services.propose_amendment(
            make_user(), action, text="Supprimer l'action.", reason="Trop cher."
        )
        waiting = services.propose_amendment(
            make_user(), diagnosis, text=diagnosis.text + " Et plus.", reason=""
        )
        elected = make_user("elected")
        services.decide_amendment(elected, integrated, decision="integrated", justification="Oui.")
        services.decide_amendment(
            elected, refused, decision="not_retained", justification="Elle reste."
        )
        db.session.commit()
        before = analysis.analyse(climate_draft)
        source = services.proposed_source(climate_draft)
        services.publish_version(
            make_user("agent"),
            climate_draft,
            source=source,
            note="V2",
            amendment_ids=[integrated.id],
        )
        db.session.commit()
        found = analysis.analyse(climate_draft)

    assert found is not before  # a new version is a new state: analysed again
    assert [s.title for s in found.sections] == ["Diagnostic", "Axe 1 : se déplacer autrement"]
    first, axis = found.sections
    assert dict(first.counts) == {"agree": 1, "disagree": 1, "question": 3, "amendment": 1}
    assert dict(axis.counts) == {"agree": 3, "amendment": 2}
    published = _db.session.scalar(
        sa.select(sa.func.count()).select_from(Reaction).where(Reaction.status == "published")
    )
    counted = sum(s.counts[k] for s in found.sections for k in ("agree", "disagree", "question"))
    assert counted == published == 8
    # The three questions on insulation make one theme; the cycling comments another, with
    # the amendments' texts (the refused one's reason stands apart).
    assert first.themes[0].size >= 3 and first.themes[0].quote in HOUSING and first.written == 4
    assert axis.themes and axis.themes[0].quote in CYCLING and axis.written == 5
    assert "Texte masqué ?" not in str(found)
    lines = {a.id: a for s in found.sections for a in s.amendments}
    assert lines[integrated.id].integrated_in == [2] and lines[integrated.id].adopted
    assert lines[refused.id].decision == "not_retained" and not lines[refused.id].adopted
    assert lines[refused.id].justification == "Elle reste."
    assert lines[waiting.id].decision is None and found.unanswered == 1
    assert dict(found.decisions) == {"integrated": 1, "not_retained": 1}
    assert [(c.version, c.note, c.amendments) for c in found.changes] == [
        (2, "V2", [integrated.id])
    ]


def test_kept_until_something_changes(climate_draft, make_user, app, db):
    paragraph = item(climate_draft)
    with app.test_request_context():
        first = analysis.analyse(climate_draft)
        assert first.sections == [] and analysis.analyse(climate_draft) is first
        services.react(make_user(), paragraph, kind="question", body="Pourquoi ?")
        db.session.commit()
        again = analysis.analyse(climate_draft)
        assert again is not first and again.sections[0].counts["question"] == 1
        assert again.sections[0].written == 1 and again.sections[0].themes == []
        amendment = services.propose_amendment(
            make_user(), paragraph, text="Une autre rédaction.", reason=""
        )
        db.session.commit()
        assert analysis.analyse(climate_draft).unanswered == 1
        services.decide_amendment(
            make_user("elected"), amendment, decision="out_of_scope", justification="Tisséo."
        )
        db.session.commit()
        decided = analysis.analyse(climate_draft)
    assert decided.unanswered == 0 and dict(decided.decisions) == {"out_of_scope": 1}


def test_written_reactions_and_amendments_get_their_vectors_at_intake(
    climate_draft, make_user, app, db
):
    from civic.analysis.models import ContributionVector
    from civic.analysis.pipeline import embeddings

    if embeddings.MODEL is None:
        pytest.skip("no sentence encoder")
    action = item(climate_draft, kind="action")
    with app.test_request_context():
        silent = services.react(make_user(), action, kind="agree", body="")
        reactions = [
            services.react(make_user(), action, kind="question", body=body) for body in CYCLING
        ]
        amendment = services.propose_amendment(
            make_user(), action, text="Relier les écoles.", reason="Pour les enfants à vélo."
        )
        db.session.commit()
        found = analysis.analyse(climate_draft)
    stored = set(
        db.session.execute(sa.select(ContributionVector.kind, ContributionVector.item_id)).all()
    )
    assert {("draft_reaction", r.id) for r in reactions} <= stored
    assert ("draft_amendment", amendment.id) in stored
    assert ("draft_reaction", silent.id) not in stored  # no text, nothing to embed
    assert found.by_meaning and found.sections[0].written == 4
