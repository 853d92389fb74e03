import sqlalchemy as sa

from civic.core.catalogues import french_spacing as fr
from civic.territory.models import Commune
from civic.territory.queries import commune_choices, total_population
from civic.territory.services import load_communes, read_communes


def test_the_36_communes_with_their_population(db):
    # The session app loaded them once; they are all there.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Commune)) == 36
    assert total_population() == 79_426
    labege = db.session.scalar(sa.select(Commune).where(Commune.insee == "31254"))
    assert labege.name == "Labège" and labege.population > 0
    # The outline is in WGS84 degrees, around Toulouse, not Lambert-93 metres.
    assert 43.2 < labege.latitude < 43.7 and 1.3 < labege.longitude < 1.9
    assert labege.outline["type"] in ("Polygon", "MultiPolygon")
    names = [name for _, name in commune_choices()]
    # French order: accents do not move a name (Péchabou before Pechbusque and Pouze)
    assert names.index("Péchabou") < names.index("Pechbusque") < names.index("Pouze")
    assert "Castanet-Tolosan" in names


def test_loading_again_changes_nothing(db):
    result = load_communes()
    assert (result.created, result.updated, result.unchanged) == (0, 0, 36)


def test_loading_updates_a_changed_population(db):
    rows = read_communes()
    rows[0]["population"] += 1
    result = load_communes(rows)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 35)


def test_cli_is_idempotent(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["civic", "territory", "load"])
    assert result.exit_code == 0
    assert result.output.strip() == fr("Communes créées : 0 ; mises à jour : 0 ; inchangées : 36.")


def test_every_commune_has_its_postcode_not_its_insee_code():
    from civic.territory.services import read_communes

    rows = {row["insee"]: row for row in read_communes()}
    assert len(rows) == 36
    assert rows["31004"]["postcode"] == "31450"  # Ayguesvives
    assert rows["31254"]["postcode"] == "31670"  # Labège
    assert all(len(r["postcode"]) == 5 and r["postcode"] != r["insee"] for r in rows.values())
