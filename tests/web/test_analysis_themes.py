"""The review page of a two-level analysis: a map of themes, each with its groups."""

import sqlalchemy as sa

from civic.analysis.models import AnalysisRun
from civic.core.catalogues import french_spacing as fr
from tests.conftest import log_in
from tests.web.analysis_helpers import seed, start_run
from tests.web.helpers import text


def test_the_run_page_maps_themes_to_their_groups(app, client, climate, make_user, db):
    seed(app, climate, make_user)
    log_in(client, make_user("agent"))
    location = start_run(client, climate)
    run = db.session.scalar(sa.select(AnalysisRun))
    groups = [c for c in run.clusters if not c.isolated]
    assert len(groups) >= 2
    run.themes = [
        {
            "number": 1,
            "label": "Se déplacer <autrement>",
            "keywords": ["vélo", "pistes"],
            "clusters": [groups[0].number],
            "size": groups[0].size,
        }
    ]
    groups[0].theme = 1
    db.session.commit()
    response = client.get(location)
    page, raw = text(response), response.get_data(as_text=True)
    assert "Carte des thèmes" in page
    assert "Se déplacer &lt;autrement&gt;" in raw and "<autrement>" not in raw
    assert f'href="#groupe-{groups[0].id}"' in page
    assert f'href="#groupe-{groups[1].id}"' not in page  # not in that theme
    assert fr("thème « Se déplacer <autrement> »") in page
