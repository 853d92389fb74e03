"""A double click, for real: the same form sent four times at once (threads, each its own
connection, on a committed database: SQLite, and PostgreSQL with --database-url) makes one
item, and every request gets the same answer."""

import re

import sqlalchemy as sa

from tests.security.conftest import race
from tests.security.test_cves import client_as, seed_race

KEY = re.compile(r'name="submission_key" value="([^"]+)"')
COPIES = 4


def _race_form(race_app, form_url, post_url, data, model, where):
    from civic.consultations.models import Phase
    from civic.extensions import db

    seed = seed_race(race_app, voters=1)
    with race_app.app_context():
        for phase in db.session.scalars(sa.select(Phase)):
            phase.features = [*phase.features, "proposing"]
        db.session.commit()
        db.session.remove()
    form_url, post_url = (u.format(**seed) for u in (form_url, post_url))
    clients = [client_as(race_app, seed["users"][0]) for _ in range(COPIES)]
    page = clients[0].get(form_url)
    key = KEY.search(page.get_data(as_text=True)).group(1)
    answers = [None] * COPIES

    def post(i):
        def send():
            client = clients[i]
            fields = {**data, "submission_key": key, "csrf_token": client.token}
            answers[i] = client.post(post_url, data=fields, csrf=False)
            return answers[i]

        return send

    statuses = race([post(i) for i in range(COPIES)])
    assert statuses == [303] * COPIES, statuses
    assert len({a.headers["Location"] for a in answers}) == 1
    with race_app.app_context():
        n = db.session.scalar(sa.select(sa.func.count()).select_from(model).where(where(seed)))
        db.session.remove()
    assert n == 1


def test_four_identical_comments_at_once_publish_one(race_app):
    from civic.consultations.models import Comment

    _race_form(
        race_app,
        "/concertations/course/propositions/{proposal_id}",
        "/concertations/course/propositions/{proposal_id}/commentaires",
        {"body": "Un commentaire envoyé quatre fois", "stance": "neutral"},
        Comment,
        lambda seed: Comment.proposal_id == seed["proposal_id"],
    )


def test_four_identical_proposals_at_once_make_one(race_app):
    from civic.consultations.models import Proposal

    _race_form(
        race_app,
        "/concertations/course/propositions/nouvelle",
        "/concertations/course/propositions/nouvelle",
        {
            "title": "Planter des arbres dans les écoles",
            "body": "Des arbres dans chaque cour d'école pour l'ombre en été.",
            "theme": "",
            "commune_id": "",
        },
        Proposal,
        lambda seed: Proposal.title == "Planter des arbres dans les écoles",
    )
