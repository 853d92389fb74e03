"""Consultations through the web: every page and fragment, as each kind of user."""

import re
from datetime import timedelta

import sqlalchemy as sa
from freezegun import freeze_time

from civic.consultations import services
from civic.consultations.models import (
    VOTE_AGREE,
    Comment,
    ConsultationEvent,
    GlossaryTerm,
    Proposal,
    Vote,
)
from civic.core import notify
from civic.core.models import utcnow
from civic.core.notify import Notification, OutboxEmail
from tests.conftest import log_in
from tests.web.helpers import text

HX = {"HX-Request": "true"}
BASE = "/concertations/plan-climat"


def proposal_url(climate, suffix=""):
    return f"{BASE}/propositions/{climate['proposal'].id}{suffix}"


def test_pages_show_the_consultation(client, climate, db):
    db.session.add(GlossaryTerm(term="PCAET", definition="Plan climat-air-énergie territorial"))
    db.session.commit()
    assert "Plan climat" in text(client.get("/concertations"))
    page = text(client.get(BASE))
    assert "Propositions et votes" in page and "En cours" in page and 'aria-current="step"' in page
    # The glossary explains the term in place and links to its definition.
    assert 'href="/glossaire#terme-pcaet"' in page and 'title="Plan climat-air-énergie' in page
    listing = text(client.get(f"{BASE}/propositions"))
    assert "Des pistes cyclables entre les communes" in listing and "1 proposition" in listing
    assert "Relier Labège" in text(client.get(proposal_url(climate)))
    assert "Plan climat-air-énergie territorial" in text(client.get("/glossaire"))
    feed = client.get("/concertations/flux.atom")
    assert feed.mimetype == "application/atom+xml" and "Plan climat" in text(feed)


def test_drafts_are_invisible_to_the_public(client, climate, make_user, db, app):
    consultation = climate["consultation"]
    consultation.published_at = None
    db.session.commit()
    citizen = make_user()
    for who in (None, citizen):
        if who:
            log_in(client, who)
        assert "Plan climat" not in text(client.get("/concertations"))
        assert "Plan climat" not in text(client.get("/concertations", headers=HX))
        assert "Plan climat" not in text(client.get("/concertations/flux.atom"))
        for url in (
            BASE,
            f"{BASE}/propositions",
            proposal_url(climate),
            f"{BASE}/propositions/similaires?title=pistes+cyclables",
            f"{BASE}/suivi",
        ):
            assert client.get(url).status_code == 404, url
            assert client.get(url, headers=HX).status_code == 404, url
    log_in(client, climate["agent"])
    page = text(client.get(BASE))
    assert "Brouillon" in page
    assert "Plan climat" not in text(client.get("/concertations/flux.atom"))


def test_submit_proposal_with_errors_kept_then_published(client, climate, make_user, db):
    log_in(client, make_user())
    form = client.get(f"{BASE}/propositions/nouvelle")
    assert 'hx-get="/concertations/plan-climat/propositions/similaires"' in text(form)
    refused = client.post(
        f"{BASE}/propositions/nouvelle", data={"title": "Arbres", "body": "court"}
    )
    assert refused.status_code == 422
    assert 'value="Arbres"' in text(refused) and "court</textarea>" in text(refused)
    response = client.post(
        f"{BASE}/propositions/nouvelle",
        data={
            "title": "Planter des arbres dans les écoles",
            "body": "Des arbres dans chaque cour d'école pour l'ombre en été.",
            "theme": "Mobilité",
            "commune_id": "",
        },
    )
    assert response.status_code == 303
    proposal = db.session.scalar(sa.select(Proposal).where(Proposal.title.like("Planter%")))
    assert proposal.status == "published" and proposal.channel == "online"
    assert (
        db.session.scalar(
            sa.select(ConsultationEvent.kind).where(ConsultationEvent.proposal_id == proposal.id)
        )
        == "proposal"
    )


def test_similar_proposals_while_typing(client, climate):
    found = client.get(
        f"{BASE}/propositions/similaires", query_string={"title": "piste cyclable"}, headers=HX
    )
    assert found.status_code == 200 and "Des pistes cyclables" in text(found)
    assert "<html" not in text(found)
    none = client.get(f"{BASE}/propositions/similaires", query_string={"title": "piscine"})
    assert "Des pistes cyclables" not in text(none)


def test_search_stems_french_words(client, climate, app, db):
    with app.test_request_context():
        services.submit_proposal(
            climate["author"],
            climate["consultation"],
            title="Une école plus verte",
            body="Des jardins partagés pour les élèves",
            theme="",
            commune_id=None,
        )
    db.session.commit()

    def titles(q):
        page = text(client.get(f"{BASE}/propositions", query_string={"q": q}))
        return ("pistes cyclables" in page, "école plus verte" in page)

    assert titles("écoles") == (False, True)
    assert titles("ECOLE") == (False, True)
    assert titles("cyclable") == (True, False)
    assert titles("jardin élève") == (False, True)
    assert titles('"); DROP TABLE proposal; --') == (False, False)
    assert titles("") == (True, True)


def test_filters_and_sorts(client, climate, app, db, make_user):
    consultation = climate["consultation"]
    with app.test_request_context():
        balanced = services.submit_proposal(
            climate["author"],
            consultation,
            title="Débat vif",
            body="Une idée qui divise",
            theme="Énergie",
            commune_id=None,
        )
        popular = services.submit_proposal(
            climate["author"],
            consultation,
            title="Idée populaire",
            body="Tout le monde est d'accord",
            theme="Énergie",
            commune_id=None,
        )
    voters = [make_user() for _ in range(4)]
    for i, voter in enumerate(voters):
        services.cast_vote(voter, popular, VOTE_AGREE)
        services.cast_vote(voter, balanced, VOTE_AGREE if i % 2 else -1)
    db.session.commit()

    def order(**args):
        page = text(client.get(f"{BASE}/propositions", query_string=args))
        positions = {
            t: page.index(t)
            for t in ("Débat vif", "Idée populaire", "pistes cyclables")
            if t in page
        }
        return sorted(positions, key=positions.get)

    assert order(sort="supported")[0] == "Idée populaire"
    assert order(sort="debated")[0] == "Débat vif"
    assert order(sort="newest")[-1] == "pistes cyclables"
    assert order(theme="Énergie") == ["Idée populaire", "Débat vif"]
    assert order(status="retained") == []
    assert order(sort="nonsense") == order(sort="supported")
    random_once = order(sort="random")
    assert order(sort="random") == random_once  # stable for this visitor
    fragment = client.get(f"{BASE}/propositions", query_string={"theme": "Énergie"}, headers=HX)
    assert "<html" not in text(fragment) and "2 propositions" in text(fragment)


def test_vote_as_plain_form_and_as_htmx_fragment(client, climate, make_user, db):
    voter = make_user()
    log_in(client, voter)
    response = client.post(proposal_url(climate, "/vote"), data={"vote": "agree"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(proposal_url(climate))
    fragment = client.post(proposal_url(climate, "/vote"), data={"vote": "disagree"}, headers=HX)
    assert fragment.status_code == 200
    body = text(fragment)
    assert "<html" not in body and 'id="vote-' in body and "1 pas d'accord" in body
    assert 'aria-pressed="true" class="vote-disagree chosen"' in body
    bad = client.post(proposal_url(climate, "/vote"), data={"vote": "maybe"}, headers=HX)
    assert bad.status_code == 422 and "hx-swap-oob" in text(bad) and "Choisissez" in text(bad)
    assert db.session.scalar(sa.select(Vote.value)) == -1


def test_voting_outside_the_voting_phase_is_refused(client, climate, make_user, db):
    consultation = climate["consultation"]
    consultation.phases[1].features = ["information"]
    db.session.commit()
    log_in(client, make_user())
    assert client.post(proposal_url(climate, "/vote"), data={"vote": "agree"}).status_code == 403
    assert client.get(f"{BASE}/propositions/nouvelle").status_code == 403


def test_restricted_phase_admits_its_role_only(client, climate, make_user, db):
    phase = climate["consultation"].phases[1]
    phase.audience, phase.audience_role = "role", "elected"
    db.session.commit()
    log_in(client, make_user())
    assert client.get(f"{BASE}/propositions/nouvelle").status_code == 403
    assert "réservée" in text(client.get(BASE))
    log_in(client, make_user("elected"))
    assert client.get(f"{BASE}/propositions/nouvelle").status_code == 200
    assert client.post(proposal_url(climate, "/vote"), data={"vote": "agree"}).status_code == 303


def test_edit_until_first_reaction_then_withdraw(client, climate, make_user, db):
    log_in(client, climate["author"])
    data = {
        "title": "Des pistes cyclables sûres",
        "body": "Relier toutes les communes à vélo.",
        "theme": "",
        "commune_id": "",
    }
    assert client.post(proposal_url(climate, "/modifier"), data=data).status_code == 303
    db.session.refresh(climate["proposal"])
    assert climate["proposal"].title == "Des pistes cyclables sûres"
    services.cast_vote(make_user(), climate["proposal"], VOTE_AGREE)
    db.session.commit()
    assert client.get(proposal_url(climate, "/modifier")).status_code == 200
    response = client.post(proposal_url(climate, "/modifier"), data={**data, "title": "Autre"})
    assert response.status_code == 303
    db.session.refresh(climate["proposal"])
    assert climate["proposal"].title == "Des pistes cyclables sûres"
    assert client.post(proposal_url(climate, "/retrait")).status_code == 303
    db.session.refresh(climate["proposal"])
    assert climate["proposal"].status == "withdrawn"
    assert "pistes cyclables" not in text(client.get(f"{BASE}/propositions"))


def test_comments_threaded_one_level(client, climate, make_user, db):
    log_in(client, make_user(display_name="Commentatrice"))
    response = client.post(
        proposal_url(climate, "/commentaires"), data={"body": "Très bonne idée", "stance": "for"}
    )
    assert response.status_code == 303 and "#commentaire-" in response.headers["Location"]
    top = db.session.scalar(sa.select(Comment))
    client.post(
        proposal_url(climate, "/commentaires"),
        data={"body": "Je réponds", "stance": "neutral", "parent_id": top.id},
    )
    reply = db.session.scalar(sa.select(Comment).where(Comment.parent_id == top.id))
    client.post(
        proposal_url(climate, "/commentaires"),
        data={"body": "Réponse à la réponse", "stance": "against", "parent_id": reply.id},
    )
    deeper = db.session.scalar(sa.select(Comment).where(Comment.body == "Réponse à la réponse"))
    assert deeper.parent_id == top.id  # one level only
    db.session.refresh(climate["proposal"])
    assert climate["proposal"].comment_count == 3
    page = text(client.get(proposal_url(climate)))
    assert "3 commentaires" in page and "Pour" in page and "Commentatrice" in page
    fragment = client.get(proposal_url(climate), headers=HX)
    assert "<html" not in text(fragment) and "Réponse à la réponse" in text(fragment)
    refused = client.post(proposal_url(climate, "/commentaires"), data={"body": ""})
    assert refused.status_code == 422


def test_user_text_is_escaped_and_links_are_ugc(client, climate, make_user, db):
    log_in(client, make_user(display_name="<script>alert(1)</script>"))
    client.post(
        proposal_url(climate, "/commentaires"),
        data={"body": "<img src=x onerror=alert(1)> voir https://exemple.fr", "stance": "neutral"},
    )
    page = client.get(proposal_url(climate)).get_data(as_text=True)
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert 'href="https://exemple.fr" rel="nofollow ugc noopener"' in page


def test_answer_notifies_everyone_involved(client, climate, make_user, db):
    voter, commenter = make_user(), make_user()
    services.cast_vote(voter, climate["proposal"], VOTE_AGREE)
    services.add_comment(commenter, climate["proposal"], body="Oui", stance="for")
    db.session.commit()
    log_in(client, make_user("elected"))
    refused = client.post(proposal_url(climate, "/reponse"), data={"status": "retained"})
    assert refused.status_code == 422 and "Expliquez la décision" in text(refused)
    response = client.post(
        proposal_url(climate, "/reponse"),
        data={
            "status": "retained",
            "text": "Inscrite au plan vélo 2027.",
            "signed_as": "Vice-président chargé des mobilités",
        },
    )
    assert response.status_code == 303
    notified = set(db.session.scalars(sa.select(Notification.user_id)))
    assert notified == {climate["author"].id, voter.id, commenter.id}
    page = text(client.get(proposal_url(climate)))
    assert "Retenue" in page and "Inscrite au plan vélo 2027." in page
    # The author sees the answer in "mes contributions".
    log_in(client, climate["author"])
    mine = text(client.get("/mes-contributions"))
    assert "Des pistes cyclables" in mine and "Retenue" in mine and "plan vélo" in mine


def test_milestones_and_followers(client, climate, make_user, db, app):
    immediate, daily = make_user(), make_user()
    for who, frequency in ((immediate, "immediate"), (daily, "daily")):
        log_in(client, who)
        assert client.post(f"{BASE}/suivre", data={"frequency": frequency}).status_code == 303
    with app.test_request_context():
        services.answer_proposal(
            climate["agent"], climate["proposal"], status="retained", text="Oui", signed_as="Agent"
        )
    db.session.commit()
    log_in(client, make_user("agent"))
    response = client.post(
        proposal_url(climate, "/etapes"),
        data={"title": "Études", "description": "Tracé en cours", "progress": "30"},
    )
    assert response.status_code == 303
    assert (
        client.post(
            proposal_url(climate, "/etapes"), data={"title": "x", "progress": "130"}
        ).status_code
        == 422
    )
    mail = db.session.scalar(sa.select(OutboxEmail).where(OutboxEmail.user_id == immediate.id))
    assert "Études" in mail.body
    assert db.session.scalar(sa.select(OutboxEmail).where(OutboxEmail.user_id == daily.id)) is None
    followup = text(client.get(f"{BASE}/suivi"))
    assert "Des pistes cyclables" in followup and re.search(r"\b30\s%", followup)
    with app.test_request_context(), freeze_time(utcnow() + timedelta(days=1)):
        assert notify.send_digests() == 1
        assert notify.send_digests() == 0  # nothing new since
    digest = db.session.scalar(sa.select(OutboxEmail).where(OutboxEmail.user_id == daily.id))
    assert "Résumé du jour" in digest.subject and "Études" in digest.body
    log_in(client, immediate)
    client.post(f"{BASE}/suivre", data={"stop": "1"})
    assert "Suivre" in text(client.get(BASE))


def test_agents_enter_offline_contributions(client, climate, db):
    log_in(client, climate["agent"])
    response = client.post(
        f"/gestion/concertations/{climate['consultation'].id}/saisie",
        data={
            "channel": "counter",
            "place": "accueil de Castanet-Tolosan",
            "title": "Plus de bus le dimanche",
            "body": "Reçue au guichet, écrite à la main.",
            "theme": "",
            "commune_id": "",
        },
    )
    assert response.status_code == 303 and response.headers["Location"].endswith("/recu")
    proposal = db.session.scalar(sa.select(Proposal).where(Proposal.title.like("Plus de bus%")))
    assert proposal.channel == "counter" and proposal.author_id is None
    assert proposal.entered_by_id == climate["agent"].id
    page = text(client.get(f"{BASE}/propositions/{proposal.id}"))
    assert "saisie par accueil de Castanet-Tolosan" in page
    listing = text(client.get(f"{BASE}/propositions", query_string={"channel": "counter"}))
    assert "Plus de bus" in listing and "pistes cyclables" not in listing


def test_manage_consultation_phases_and_documents(client, make_user, db):
    from io import BytesIO

    log_in(client, make_user("agent"))
    response = client.post(
        "/gestion/concertations/nouvelle",
        data={
            "title": "Budget participatif 2027",
            "summary": "Vos projets",
            "body": '<p onclick="x">Texte <script>alert(1)</script>'
            '<a href="javascript:x">l</a></p>',
            "theme": "Budget",
        },
    )
    assert response.status_code == 303
    from civic.consultations.models import Consultation

    consultation = db.session.scalar(sa.select(Consultation))
    assert consultation.slug == "budget-participatif-2027" and not consultation.is_published
    assert "script" not in consultation.body_html and "onclick" not in consultation.body_html
    base = f"/gestion/concertations/{consultation.id}"
    refused = client.post(base + "/publication", data={"publish": "1"})
    assert refused.status_code == 303
    db.session.refresh(consultation)
    assert not consultation.is_published  # no phase yet
    phase = {
        "title": "Idées",
        "starts_at": "2026-01-01T09:00",
        "ends_at": "2026-12-31T18:00",
        "features": ["proposing", "voting"],
        "audience": "public",
    }
    assert client.post(base + "/phases", data=phase).status_code == 303
    overlap = client.post(base + "/phases", data={**phase, "title": "Chevauche"})
    assert overlap.status_code == 422 and "chevauche" in text(overlap)
    backwards = client.post(
        base + "/phases",
        data={
            **phase,
            "title": "Envers",
            "starts_at": "2027-02-01T09:00",
            "ends_at": "2027-01-01T09:00",
        },
    )
    assert backwards.status_code == 422
    invited = client.post(
        base + "/phases",
        data={
            **phase,
            "title": "Invités",
            "starts_at": "2027-01-01T09:00",
            "ends_at": "2027-02-01T09:00",
            "audience": "invited",
            "invited": "inconnu@example.org",
        },
    )
    assert invited.status_code == 422 and "inconnu@example.org" in text(invited)
    assert client.post(base + "/publication", data={"publish": "1"}).status_code == 303
    db.session.refresh(consultation)
    assert consultation.is_published
    not_pdf = client.post(
        base + "/documents",
        data={"title": "Faux", "file": (BytesIO(b"<html>"), "faux.pdf")},
        content_type="multipart/form-data",
    )
    assert not_pdf.status_code == 422 and "PDF" in text(not_pdf)
    pdf = client.post(
        base + "/documents",
        data={"title": "Diagnostic", "file": (BytesIO(b"%PDF-1.4 contenu"), "diag.pdf")},
        content_type="multipart/form-data",
    )
    assert pdf.status_code == 303
    document = consultation.documents[0]
    served = client.get(f"/concertations/{consultation.slug}/documents/{document.id}")
    assert served.mimetype == "application/pdf" and served.data.startswith(b"%PDF")
    assert served.headers["Content-Security-Policy"].startswith("sandbox")
    assert served.headers["X-Content-Type-Options"] == "nosniff"


def test_listing_query_count_does_not_grow_with_page_size(client, climate, app, db):
    from sqlalchemy import event

    with app.test_request_context():
        for i in range(25):
            services.submit_proposal(
                climate["author"],
                climate["consultation"],
                title=f"Proposition numéro {i}",
                body="Un texte",
                theme="",
                commune_id=i % 3 + 1,
            )
    db.session.commit()
    counts = []
    for per_page_items in (1, 2):
        statements = []

        def count(conn, cursor, statement, *args, statements=statements):
            statements.append(statement)

        engine = db.session.get_bind().engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            client.get(f"{BASE}/propositions", query_string={"page": per_page_items})
        finally:
            event.remove(engine, "before_cursor_execute", count)
        counts.append(sum(1 for st in statements if st.lstrip().upper().startswith("SELECT")))
    # Page 1 shows 20 proposals, page 2 shows 6: the same number of queries.
    assert counts[0] == counts[1]


# --- what the listings' fast paths must give: the same as the slow ones ----------------------


def test_plain_text_skips_urlize_only_when_it_would_change_nothing(app):
    import re

    from jinja2.utils import urlize

    from civic.core.formatting import plain_text

    def always_urlized(text_):  # what plain_text did before its fast path
        linked = urlize(text_ or "", rel="nofollow ugc noopener")
        paragraphs = [p.replace("\n", "<br>\n") for p in re.split(r"\n\s*\n", linked.strip()) if p]
        return "".join(f"<p>{p}</p>" for p in paragraphs)

    samples = [
        "Une idée simple, sans lien.",
        "Deux lignes\nsur la même idée",
        "Un paragraphe.\n\n  \nUn autre, avec <b>des balises</b> & des « guillemets ».",
        "voir https://exemple.fr/page?a=1&b=2.",
        "écrire à mairie@exemple.fr, ou (www.exemple.org)",
        "le site sicoval.com, mailto:contact@sicoval.fr",
        "HTTP://EXEMPLE.FR en capitales",
        "une adresse http://10.0.0.1 et 3.5 %",
        "",
        None,
        "   \n\n   ",
        "  espaces autour  ",
    ]
    for sample in samples:
        assert str(plain_text(sample)) == always_urlized(sample), sample


def test_listed_authors_are_named_as_their_profile(app, make_user, db):
    from civic.consultations.queries import Author

    named, anonymous, gone = make_user(display_name="Maïa"), make_user(), make_user()
    gone.deleted_at = utcnow()
    db.session.commit()
    with app.test_request_context("/"):
        for user in (named, anonymous, gone):
            author = Author(user.id, user.display_name, user.deleted_at)
            assert author.public_name == user.public_name


def test_listing_count_and_page_past_the_last(client, climate, app, db):
    with app.test_request_context():
        for i in range(22):
            services.submit_proposal(
                climate["author"],
                climate["consultation"],
                title=f"Idée {i}",
                body="Un texte",
                theme="Énergie" if i % 2 else "",
                commune_id=None,
            )
    db.session.commit()
    assert "23 propositions" in text(client.get(f"{BASE}/propositions"))
    assert "Page 2 sur 2" in text(client.get(f"{BASE}/propositions", query_string={"page": 2}))
    past = text(client.get(f"{BASE}/propositions", query_string={"page": 7}))
    assert "23 propositions" in past and "Aucune proposition ne correspond." in past
    nothing = text(client.get(f"{BASE}/propositions", query_string={"theme": "Aucun"}))
    assert "0 proposition" in nothing
    themes = sorted(
        {t for t in db.session.scalars(sa.select(Proposal.theme)) if t}, key=lambda t: t
    )
    page = text(client.get(f"{BASE}/propositions"))
    assert all(f'<option value="{t}"' in page for t in themes)
    # Each card links to its proposal's page (the template builds the address itself).
    with app.test_request_context():
        from flask import url_for

        link = url_for(
            "consultations.show_proposal", slug="plan-climat", proposal_id=climate["proposal"].id
        )
    shown = text(client.get(f"{BASE}/propositions", query_string={"sort": "newest", "page": 2}))
    assert f'href="{link}"' in shown


def test_comment_pages_show_each_reply_under_its_comment(client, climate, make_user, db, app):
    proposal, author = climate["proposal"], make_user(display_name="Léa")
    tops = []
    for i in range(53):
        tops.append(services.add_comment(author, proposal, body=f"Avis {i}", stance="for"))
    services.add_comment(
        author, proposal, body="Réponse à l'avis 0", stance="neutral", parent=tops[0]
    )
    services.add_comment(
        author, proposal, body="Réponse à l'avis 51", stance="against", parent=tops[51]
    )
    db.session.commit()
    first = text(client.get(proposal_url(climate)))
    assert "Avis 49" in first and "Avis 50" not in first and "Page 1 sur 2" in first
    assert first.index("Avis 0") < first.index("Réponse à l'avis 0") < first.index("Avis 1<")
    assert "Réponse à l'avis 51" not in first
    second = text(client.get(proposal_url(climate), query_string={"page": 2}))
    assert "Avis 52" in second and "Réponse à l'avis 51" in second and "Page 2 sur 2" in second
    past = client.get(proposal_url(climate), query_string={"page": 5})
    assert past.status_code == 200 and "Avis" not in text(past).split("commentaires", 1)[1]
    # The comments block alone, for htmx, with the same content.
    fragment = text(client.get(proposal_url(climate), query_string={"page": 2}, headers=HX))
    assert "<html" not in fragment and "Réponse à l'avis 51" in fragment
    # Another participant may report each comment, and answer it (the page builds the
    # addresses itself).
    log_in(client, make_user())
    with app.test_request_context():
        from flask import url_for

        report = url_for("moderation.report", kind="comment", item_id=tops[0].id)
        answer = url_for("consultations.comment", slug="plan-climat", proposal_id=proposal.id)
    page = text(client.get(proposal_url(climate)))
    assert f'href="{report}"' in page and f'action="{answer}"' in page


def _listed_ids(client, **query) -> list[int]:
    page = client.get(f"{BASE}/propositions", query_string=query)
    assert page.status_code == 200
    return [int(i) for i in re.findall(r'href="[^"]*/propositions/(\d+)"', text(page))]


def test_random_order_is_each_visitors_own_and_lists_everything_once(client, climate, db):
    """The shuffled order starts at the visitor's own point of the proposals' shuffle keys,
    goes to the end, then wraps round; pages split it without losing or repeating one."""
    consultation = climate["consultation"]
    climate["proposal"].shuffle_key = 500
    keys = [7, 50, 120, 260, 333, 404, 610, 777, 808, 950] * 3  # each key thrice: by id then
    proposals = [
        Proposal(
            consultation_id=consultation.id,
            author_id=climate["author"].id,
            title=f"Proposition mélangée {i}",
            body="Un texte",
            shuffle_key=key,
            theme="Énergie",
        )
        for i, key in enumerate(keys)
    ]
    proposals[0].status = "hidden"
    db.session.add_all(proposals)
    db.session.commit()
    listed = [p for p in [climate["proposal"], *proposals] if p.status == "published"]

    def expected(seed: int) -> list[int]:
        by_key = sorted(listed, key=lambda p: (p.shuffle_key, p.id))
        after = [p.id for p in by_key if p.shuffle_key >= seed]
        return after + [p.id for p in by_key if p.shuffle_key < seed]

    for seed in (0, 333, 334, 600, 2**31 - 1):
        with client.session_transaction() as session:
            session["shuffle_seed"] = seed
        shown = _listed_ids(client, sort="random") + _listed_ids(client, sort="random", page=2)
        assert shown == expected(seed)
        assert _listed_ids(client, sort="random") == expected(seed)[:20]  # stable
    assert len(expected(0)) == 30 and proposals[0].id not in expected(0)
    # With a filter, the same order among what the filter keeps, and its total.
    with client.session_transaction() as session:
        session["shuffle_seed"] = 600
    page = text(
        client.get(f"{BASE}/propositions", query_string={"sort": "random", "theme": "Énergie"})
    )
    assert "29 propositions" in page
    assert (
        _listed_ids(client, sort="random", theme="Énergie")
        == [i for i in expected(600) if i != climate["proposal"].id][:20]
    )


def test_a_new_visitor_draws_a_starting_point_and_keeps_it(client, climate):
    assert _listed_ids(client, sort="random") == [climate["proposal"].id]
    with client.session_transaction() as session:
        seed = session["shuffle_seed"]
    assert 0 <= seed < 2**31
    _listed_ids(client, sort="random")
    with client.session_transaction() as session:
        assert session["shuffle_seed"] == seed


def test_listing_total_and_filter_options_follow_every_change(client, climate, make_user, db):
    """The unfiltered total is kept by the database and the filter options are cached: both
    follow proposals added, hidden, withdrawn, moved to another theme or deleted."""
    consultation = climate["consultation"]

    def listing() -> tuple[int, list[str]]:
        page = text(client.get(f"{BASE}/propositions"))
        total = int(re.search(r"<p>(\d+) propositions?</p>", page).group(1))
        themes = re.findall(r'<option value="([^"]+)"[^>]*>\1</option>', page)
        return total, themes

    def counted() -> int:
        return db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Proposal)
            .where(Proposal.consultation_id == consultation.id, Proposal.status == "published")
        )

    assert listing() == (1, ["Mobilité"])
    author = make_user()
    second = services.submit_proposal(
        author, consultation, title="Des bornes", body="Recharger", theme="Énergie", commune_id=None
    )
    db.session.commit()
    assert listing() == (2, ["Énergie", "Mobilité"]) and counted() == 2
    second.theme = "Eau"
    db.session.commit()
    assert listing() == (2, ["Eau", "Mobilité"])
    services.withdraw_proposal(author, second)
    db.session.commit()
    assert listing()[0] == 1 == counted()
    second.status = "published"
    climate["proposal"].status = "hidden"
    db.session.commit()
    assert listing()[0] == 1 == counted()
    db.session.delete(second)
    db.session.commit()
    assert listing() == (0, ["Mobilité"]) and counted() == 0


def test_error_pages_of_the_proposal_keep_what_was_typed(client, climate, make_user, db):
    log_in(client, make_user("elected"))
    comment = client.post(proposal_url(climate, "/commentaires"), data={"body": ""})
    assert comment.status_code == 422 and 'id="erreurs"' in text(comment)
    answer = client.post(
        proposal_url(climate, "/reponse"), data={"status": "retained", "signed_as": "Maire"}
    )
    page = text(answer)
    assert answer.status_code == 422 and "Expliquez la décision" in page and 'value="Maire"' in page
    milestone = client.post(
        proposal_url(climate, "/etapes"), data={"title": "Étude", "progress": "130"}
    )
    assert milestone.status_code == 422 and 'value="Étude"' in text(milestone)


def test_a_rendered_comment_shows_every_change_and_each_language(client, climate, make_user, db):
    """Comments are rendered once per process and kept: whatever a comment shows is in the
    key, so a new name, a deleted author or another language shows at once."""
    author = make_user(display_name="Alice Martin")
    comment = services.add_comment(
        author, climate["proposal"], body="Oui, et https://exemple.fr", stance="for"
    )
    db.session.commit()
    page = text(client.get(proposal_url(climate)))
    assert "Alice Martin" in page and "Pour" in page
    assert 'href="https://exemple.fr" rel="nofollow ugc noopener"' in page
    author.display_name = "Alice M."
    db.session.commit()
    page = text(client.get(proposal_url(climate)))
    assert "Alice M.</strong>" in page and "Alice Martin" not in page
    comment.author_id = None
    db.session.commit()
    assert "Participant supprimé</strong>" in text(client.get(proposal_url(climate)))
    english = text(client.get(proposal_url(climate), headers={"Accept-Language": "en"}))
    assert "Deleted participant</strong>" in english and ">For<" in english
    services.add_comment(
        climate["author"], climate["proposal"], body="Une réponse", stance="neutral", parent=comment
    )
    db.session.commit()
    page = text(client.get(proposal_url(climate)))
    assert '<ol class="replies">' in page and "Une réponse" in page


def test_a_rendered_card_shows_every_change(client, climate, make_user, db):
    """Cards are rendered once per process and kept: a vote, an answer, a new title or name
    shows on the list at once, in each language."""
    proposal, author = climate["proposal"], climate["author"]
    listing = f"{BASE}/propositions"
    assert "0 d'accord" in text(client.get(listing))
    services.cast_vote(make_user(), proposal, VOTE_AGREE)
    db.session.commit()
    page = text(client.get(listing))
    assert "1 d'accord" in page and "0 d'accord" not in page
    proposal.title, proposal.answer_status = "Des pistes cyclables sûres", "retained"
    author.display_name = "Autrice"
    db.session.commit()
    page = text(client.get(listing))
    assert "Des pistes cyclables sûres</a>" in page and "Autrice" in page
    assert "tag-retained" in page
    english = text(client.get(listing, headers={"Accept-Language": "en"}))
    assert "1 agrees" in english and "1 d'accord" not in english
