"""Paper contributions of a public meeting: typed by an agent with the meeting as their
channel, part of the consultation (participation by channel, analysis), shown in the report."""

from datetime import timedelta

import sqlalchemy as sa

from civic.analysis.participation import participation
from civic.consultations.models import Proposal
from civic.core.models import utcnow
from civic.events.models import EventContribution
from tests.web.helpers import text


def _entry(**fields):
    return {
        "title": "Un abri vélo devant la mairie",
        "body": "Écrit sur la fiche papier : un abri couvert pour dix vélos.",
        "theme": "",
        "commune_id": "",
        **fields,
    }


def _meeting(make_event, climate, **fields):
    start = utcnow().replace(microsecond=0) - timedelta(hours=1)
    return make_event(
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        consultation_id=climate["consultation"].id,
        registration=False,
        **fields,
    )


def test_agent_enters_paper_contributions_with_the_meeting_as_channel(
    client, db, login, publisher, make_event, climate
):
    consultation = climate["consultation"]
    event = _meeting(make_event, climate)
    before = participation(consultation).by_channel.get("meeting", 0)
    login(publisher)
    page = client.get(f"/gestion/agenda/{event.id}/contributions")
    assert page.status_code == 200
    assert consultation.title in text(page)
    assert (
        client.post(f"/gestion/agenda/{event.id}/contributions", data=_entry()).status_code == 303
    )
    second = _entry(title="Plus de bancs au marché", body="Des bancs à l'ombre près des halles.")
    assert client.post(f"/gestion/agenda/{event.id}/contributions", data=second).status_code == 303
    refused = client.post(f"/gestion/agenda/{event.id}/contributions", data=_entry(title=""))
    assert refused.status_code == 422
    assert "Écrit sur la fiche papier" in text(refused)

    proposals = db.session.scalars(
        sa.select(Proposal)
        .join(EventContribution, EventContribution.proposal_id == Proposal.id)
        .where(EventContribution.event_id == event.id)
    ).all()
    assert [p.channel for p in proposals] == ["meeting", "meeting"]
    assert {p.consultation_id for p in proposals} == {consultation.id}
    assert all(p.author_id is None and p.entered_by_id == publisher.id for p in proposals)
    assert proposals[0].entered_at_label.startswith(event.title)
    # Counted in the consultation's participation, by channel.
    assert participation(consultation).by_channel["meeting"] == before + 2
    # The consultation's own listing names the channel.
    listing = text(client.get(f"/concertations/{consultation.slug}/propositions"))
    assert "en réunion publique" in listing

    client.post(
        f"/gestion/agenda/{event.id}/compte-rendu",
        data={"report": "<p>Trente habitants.</p>", "publish": "y"},
    )
    with client.session_transaction() as session:
        session.clear()
    report = text(client.get(f"/agenda/{event.id}/compte-rendu"))
    assert "2 contributions recueillies sur papier" in report
    assert "Plus de bancs au marché" in report


def test_no_paper_contributions_before_the_meeting_or_without_a_consultation(
    client, db, login, publisher, make_event, climate, make_user
):
    unlinked = make_event()
    later = make_event(consultation_id=climate["consultation"].id)
    login(publisher)
    response = client.get(f"/gestion/agenda/{unlinked.id}/contributions")
    assert response.status_code == 303
    response = client.post(f"/gestion/agenda/{later.id}/contributions", data=_entry())
    # Refused, and what was typed stays in the form.
    assert response.status_code == 422
    assert "une fois la réunion commencée" in text(response)
    assert "Écrit sur la fiche papier" in text(response)
    assert not db.session.scalar(sa.select(sa.func.count()).select_from(EventContribution))
    # The consultation's generic entry form does not offer the meeting channel: it has no event.
    form = text(client.get(f"/gestion/concertations/{climate['consultation'].id}/saisie"))
    assert 'value="meeting"' not in form
    login(make_user("citizen"))
    event = _meeting(make_event, climate, title="Réunion de quartier")
    assert (
        client.post(f"/gestion/agenda/{event.id}/contributions", data=_entry()).status_code == 403
    )
