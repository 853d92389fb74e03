"""Fixtures for draft texts: a short climate plan in the `climate` consultation."""

import pytest

SAMPLE = """# Diagnostic

Le territoire émet 600 000 tonnes de CO2 par an, dont la moitié vient des transports.

Les logements anciens consomment beaucoup d'énergie.

# Axe 1 : se déplacer autrement

## Action 1 : Relier les communes à vélo
Créer un réseau cyclable continu entre les communes.

Pilote : Service mobilités
Budget : 1,2 M€
Indicateurs : kilomètres aménagés ; part modale du vélo

Le vélo doit devenir le premier choix pour les trajets de moins de 5 km.
"""


@pytest.fixture
def climate_draft(climate, db, app):
    """The sample draft, imported by the climate consultation's agent."""
    from civic.documents import services

    with app.test_request_context():
        draft = services.import_draft(
            climate["agent"],
            climate["consultation"],
            title="Projet de plan climat",
            summary="Le projet soumis à la concertation.",
            source=SAMPLE,
        )
    db.session.commit()
    return draft


def item(draft, kind="paragraph", index=0):
    from civic.documents.services import items_of

    return [i for i in items_of(draft.current_version) if i.kind == kind][index]
