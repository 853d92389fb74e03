"""Each commune's space: its consultations, workshops, services and participation; residents
follow it and hear of what opens there."""

import sqlalchemy as sa

from civic.consultations import services as consultations
from civic.core.catalogues import french_spacing as fr
from civic.core.notify import Notification
from civic.ratings.models import Service
from civic.territory.models import Commune, CommuneFollow
from civic.workshops import services as workshops
from tests.conftest import log_in


def commune(insee: str) -> Commune:
    return Commune.query.filter_by(insee=insee).one()


def text(response) -> str:
    return response.get_data(as_text=True)


def test_a_commune_page_shows_its_consultations_workshops_services_and_figures(
    app, client, climate, make_user, make_workshop, db
):
    labege = commune("31254")
    with app.test_request_context():
        own = consultations.save_consultation(
            climate["agent"],
            None,
            title="Le parc de Labège",
            slug="parc-labege",
            summary="Le réaménagement du parc",
            body="<p>Le parc.</p>",
            theme="Cadre de vie",
            communes=[labege],
            agree_limit=None,
            premoderation=False,
        )
    own.published_at = climate["consultation"].published_at
    make_workshop(slug="atelier-labege", title="Atelier du parc", commune_id=labege.id)
    db.session.add(Service(source="t", source_id="1", name="Médiathèque", commune_id=labege.id))
    for _ in range(6):
        make_user(commune_id=labege.id)
    db.session.commit()
    page = text(client.get("/communes/31254"))
    assert "<h1>Labège</h1>" in page and "31670" in page
    assert "Le parc de Labège" in page and "Plan climat" in page  # its own, and the territory's
    assert "Atelier du parc" in page and "Médiathèque" in page
    population = labege.population
    assert f"{population:,}".replace(",", "\u202f") in page
    per_thousand = f"{1000 * 6 / population:.1f}".replace(".", ",")
    assert per_thousand in page
    # The consultation of one commune is marked with it in the territory's list.
    listing = text(client.get("/concertations"))
    assert 'href="/communes/31254">Labège</a>' in listing
    assert text(client.get("/communes")).count('href="/communes/') == 36
    assert client.get("/communes/99999").status_code == 404


def test_small_counts_are_not_shown_and_unknown_population_is_said(client, make_user, db):
    pouze = commune("31437")
    make_user(commune_id=pouze.id)
    pouze.population_known, pouze.population = False, 0
    db.session.commit()
    page = text(client.get(f"/communes/{pouze.insee}"))
    assert "moins de 5" in page and "population inconnue" in page


def test_residents_follow_a_commune_and_hear_of_what_opens_there(
    app, client, climate, make_user, make_workshop, db
):
    labege, resident, other = commune("31254"), make_user(), make_user()
    log_in(client, resident)
    assert client.post("/communes/31254/suivre").status_code == 303
    assert "Ne plus suivre Labège" in text(client.get("/communes/31254"))
    log_in(client, other)
    client.post("/communes/31169/suivre")  # Escalquens
    with app.test_request_context():
        own = consultations.save_consultation(
            climate["agent"],
            None,
            title="Le parc de Labège",
            slug="parc-labege",
            summary="s",
            body="<p>b</p>",
            theme="",
            communes=[labege],
            agree_limit=None,
            premoderation=False,
        )
        consultations.add_phase(
            climate["agent"],
            own,
            title="Avis",
            description="",
            starts_at=climate["past_phase"].starts_at,
            ends_at=climate["consultation"].phases[1].ends_at,
            features=["information"],
            audience="public",
        )
        consultations.publish(climate["agent"], own)
        consultations.publish(climate["agent"], own)  # published again: told once
        workshop = make_workshop(slug="atelier-labege", commune_id=labege.id)
        workshops.publish(None, workshop)  # published again: told once
    db.session.commit()
    told = db.session.scalars(
        sa.select(Notification.message).where(Notification.user_id == resident.id)
    ).all()
    assert told == [
        fr("Nouvelle concertation à Labège : « Le parc de Labège »."),
        fr(f"Nouvel atelier à Labège : « {workshop.title} »."),
    ]
    assert not db.session.scalars(
        sa.select(Notification.message).where(Notification.user_id == other.id)
    ).all()
    log_in(client, resident)
    client.post("/communes/31254/suivre", data={"stop": "1"})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CommuneFollow)) == 1


def test_followed_communes_are_exported_and_erased(app, make_user, db):
    from civic.accounts.services import erase_account, export_personal_data
    from civic.territory.services import follow

    user = make_user()
    follow(user, commune("31254"))
    db.session.commit()
    with app.test_request_context():
        exported = export_personal_data(user)
    assert exported["territory"]["followed_communes"][0]["name"] == "Labège"
    erase_account(user)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CommuneFollow)) == 0
