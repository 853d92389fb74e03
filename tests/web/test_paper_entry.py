"""Contributions entered by agents: labels about the resident, a receipt with a reference
and a QR code, the answer posted to those who asked for it, names held for review."""

import sqlalchemy as sa

from civic.consultations import services
from civic.consultations.models import PostalContact, Proposal
from civic.moderation.models import Case
from civic.territory.models import Commune
from tests.conftest import log_in
from tests.web.helpers import text

BASE = "/concertations/plan-climat"


def _enter(client, climate, **fields):
    data = {
        "channel": "counter",
        "place": "accueil de Labège",
        "title": "Des bancs au bord du lac",
        "body": "Des bancs à l'ombre autour du lac de Labège, pour les anciens.",
        "theme": "",
        "commune_id": "",
        **fields,
    }
    return client.post(f"/gestion/concertations/{climate['consultation'].id}/saisie", data=data)


def test_the_form_speaks_of_the_resident_and_the_receipt_has_a_reference(client, climate, db):
    log_in(client, climate["agent"])
    form = text(client.get(f"/gestion/concertations/{climate['consultation'].id}/saisie"))
    assert "Titre de la proposition" in form and "Titre de votre proposition" not in form
    answer = _enter(client, climate)
    assert answer.status_code == 303
    proposal = db.session.scalar(sa.select(Proposal).where(Proposal.title.like("Des bancs%")))
    receipt = text(client.get(answer.headers["Location"]))
    assert f"n° {proposal.id}" in receipt and "Des bancs au bord du lac" in receipt
    assert f"{BASE}/propositions/{proposal.id}" in receipt and 'class="qr-code"' in receipt
    assert "05 62 24 02 02" in receipt  # the authority's phone on the letterhead
    assert proposal.status == "published"


def test_a_half_typed_postal_contact_is_refused_and_kept(client, climate, db):
    log_in(client, climate["agent"])
    answer = _enter(client, climate, contact_name="Jeanne Durand", contact_address="")
    assert answer.status_code == 422
    page = text(answer)
    assert "notez le nom, l&#39;adresse et la commune" in page or "notez le nom, l'adresse" in page
    assert 'value="Jeanne Durand"' in page and "Des bancs au bord du lac" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PostalContact)) == 0


def test_a_text_that_names_someone_waits_for_the_moderators(client, climate, db):
    log_in(client, climate["agent"])
    _enter(client, climate, title="Le voisin bruyant", body="Mme Castagné fait du bruit le soir.")
    held = db.session.scalar(sa.select(Proposal).where(Proposal.title == "Le voisin bruyant"))
    assert held.status == "pending"
    case = db.session.scalar(sa.select(Case).where(Case.item_id == held.id))
    assert case.origin == "named" and case.is_open
    assert "Le voisin bruyant" not in text(client.get(f"{BASE}/propositions"))
    # The resident's own name, typed in the text, is a name too.
    _enter(
        client,
        climate,
        title="Une piste cyclable",
        body="Paul Sabatier propose une piste cyclable vers Escalquens.",
        contact_name="Paul Sabatier",
        contact_address="3 rue des Lilas",
        contact_commune_id=str(climate_commune(db).id),
    )
    assert (
        db.session.scalar(sa.select(Proposal.status).where(Proposal.title == "Une piste cyclable"))
        == "pending"
    )
    assert not services.names_someone("Monsieur le Maire devrait ouvrir le parc.")


def climate_commune(db):
    return db.session.scalar(sa.select(Commune).where(Commune.name == "Ayguesvives"))


def test_the_answer_is_posted_then_the_address_is_forgotten(app, client, climate, db):
    log_in(client, climate["agent"])
    commune = climate_commune(db)
    _enter(
        client,
        climate,
        contact_name="Jeanne Durand",
        contact_address="12 chemin du Moulin",
        contact_commune_id=str(commune.id),
    )
    proposal = db.session.scalar(sa.select(Proposal).where(Proposal.title.like("Des bancs%")))
    url = f"/gestion/concertations/{climate['consultation'].id}/courriers-reponses"
    assert "Aucun courrier" in text(client.get(url))  # no answer yet
    with app.test_request_context():
        services.answer_proposal(
            climate["agent"],
            proposal,
            status="retained",
            text="Dix bancs en 2027.\n\nLe premier près de la mairie.",
            signed_as="Le maire",
        )
    db.session.commit()
    page = client.get(url)
    # The answer's paragraphs as the resident's screen shows them, not a block indented
    # like the address; the page's own heading is not printed on the first letter.
    assert "<p>Le premier près de la mairie.</p>" in page.get_data(as_text=True)
    assert '<h1 class="no-print">' in page.get_data(as_text=True)
    letters = text(page)
    assert "Jeanne Durand" in letters and "12 chemin du Moulin" in letters
    assert f"{commune.postcode} AYGUESVIVES" in letters and commune.postcode == "31450"
    assert "Dix bancs en 2027." in letters and 'class="qr-code"' in letters
    contact = db.session.scalar(sa.select(PostalContact))
    assert client.post(url, data={"contact": str(contact.id)}).status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PostalContact)) == 0
    assert "Jeanne Durand" not in text(client.get(url))
