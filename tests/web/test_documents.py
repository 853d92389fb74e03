"""Draft texts through the test client: every page and form, with and without rights."""

import io
import re

import sqlalchemy as sa

from civic.consultations.models import Consultation
from civic.core.catalogues import french_spacing as fr
from civic.documents import queries
from civic.documents.models import Amendment, AmendmentChange, Reaction
from tests.conftest import log_in
from tests.fixtures_documents import SAMPLE, docx_bytes, item, odt_bytes
from tests.web.helpers import text

BASE = "/concertations/plan-climat/textes"


def url(draft, rest=""):
    return f"{BASE}/{draft.id}{rest}"


def test_consultation_page_links_to_its_draft(client, climate_draft):
    page = text(client.get("/concertations/plan-climat"))
    assert url(climate_draft) in page and "Projet de plan climat" in page


def test_draft_page_shows_numbered_passages_action_and_counts(client, climate_draft):
    page = text(client.get(url(climate_draft)))
    assert "§ 1" in page and "§ 2" in page and "Action 1" in page
    spaced = page.replace("\u202f", " ").replace("\xa0", " ")
    assert "Service mobilités" in page and "1 200 000 €" in spaced
    assert "kilomètres aménagés" in page
    assert page.count(fr("questions : 0")) == 3  # two paragraphs and the action
    assert "Connectez-vous pour réagir" in page


def test_staff_import_pasted_and_uploaded(client, climate, make_user):
    agent = make_user("agent")
    log_in(client, agent)
    cid = climate["consultation"].id
    manage = f"/gestion/concertations/{cid}/textes"
    assert client.get(manage).status_code == 200
    response = client.post(manage, data={"title": "Collé", "source": SAMPLE})
    assert response.status_code == 303
    upload = (io.BytesIO(SAMPLE.encode("utf-8-sig")), "plan.md")
    response = client.post(
        manage,
        data={"title": "Envoyé", "source": "", "upload": upload},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    drafts = queries.drafts_of(cid)
    assert [d.title for d in drafts] == ["Collé", "Envoyé"]
    assert drafts[1].current_version.source.startswith("# Diagnostic")


def test_staff_import_word_and_opendocument_files(client, climate, make_user):
    log_in(client, make_user("agent"))
    cid = climate["consultation"].id
    manage = f"/gestion/concertations/{cid}/textes"
    word = docx_bytes(
        [
            ("Titre1", "Axe 1"),
            (None, "Un paragraphe du plan."),
            ("Titre2", "Action 1 : Isoler les écoles"),
            (None, "Budget : 350 k€"),
        ]
    )
    opendocument = odt_bytes(
        '<text:h text:outline-level="1">Axe 2</text:h><text:p>Sobriété d\'abord.</text:p>'
    )
    for title, data, name in (("Word", word, "plan.DOCX"), ("ODF", opendocument, "plan.odt")):
        response = client.post(
            manage,
            data={"title": title, "upload": (io.BytesIO(data), name)},
            content_type="multipart/form-data",
        )
        assert response.status_code == 303, text(response)
    word_draft, odf_draft = queries.drafts_of(cid)
    page = text(client.get(url(word_draft))).replace("\u202f", " ").replace("\xa0", " ")
    assert "Isoler les écoles" in page and "350 000 €" in page and "Un paragraphe du plan." in page
    assert odf_draft.current_version.source == "# Axe 2\n\nSobriété d'abord.\n"


def test_import_errors_are_explained(client, climate, make_user):
    log_in(client, make_user("agent"))
    manage = f"/gestion/concertations/{climate['consultation'].id}/textes"
    response = client.post(manage, data={"title": "T", "source": "### Action : A\nBudget : ?\n"})
    assert response.status_code == 422
    assert "Ligne 2" in text(response)
    docx = (io.BytesIO(b"PK\x03\x04"), "plan.docx")
    response = client.post(
        manage, data={"title": "T", "upload": docx}, content_type="multipart/form-data"
    )
    assert response.status_code == 422 and "Le fichier est endommagé" in text(response)
    pdf = (io.BytesIO(b"%PDF-1.7"), "plan.pdf")
    response = client.post(
        manage, data={"title": "Gardé", "upload": pdf}, content_type="multipart/form-data"
    )
    page = text(response)
    assert response.status_code == 422 and "Word (.docx)" in page and 'value="Gardé"' in page
    response = client.post(manage, data={"title": "T", "source": ""})
    assert response.status_code == 422


def test_resident_reacts_without_javascript(client, climate_draft, make_user):
    paragraph = item(climate_draft)
    log_in(client, make_user())
    page = client.get(url(climate_draft, f"/passages/{paragraph.id}"))
    assert page.status_code == 200 and 'name="kind"' in text(page)
    response = client.post(
        url(climate_draft, f"/passages/{paragraph.id}/reactions"),
        data={"kind": "question", "body": "D'où vient ce chiffre ?"},
    )
    assert response.status_code == 303
    page = text(client.get(url(climate_draft, f"/passages/{paragraph.id}")))
    assert "D'où vient ce chiffre ?" in page and "1 question" in page
    response = client.post(
        url(climate_draft, f"/passages/{paragraph.id}/reactions"), data={"kind": "question"}
    )
    assert response.status_code == 422 and "Écrivez votre question" in text(response)


def test_user_text_is_escaped(client, climate_draft, make_user):
    paragraph = item(climate_draft)
    log_in(client, make_user())
    client.post(
        url(climate_draft, f"/passages/{paragraph.id}/reactions"),
        data={"kind": "question", "body": "<script>alert(1)</script>"},
    )
    page = client.get(url(climate_draft, f"/passages/{paragraph.id}")).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_amend_vote_decide_and_see_what_became_of_it(client, climate_draft, make_user, db):
    paragraph = item(climate_draft)
    author, voter, elected = make_user(), make_user(), make_user("elected")
    log_in(client, author)
    form = client.get(url(climate_draft, f"/passages/{paragraph.id}/amendement"))
    assert paragraph.text in text(form)
    new_text = paragraph.text.replace("la moitié", "près de la moitié")
    response = client.post(
        url(climate_draft, f"/passages/{paragraph.id}/amendement"),
        data={"text": new_text, "reason": "Plus exact."},
    )
    assert response.status_code == 303
    amendment = db.session.scalar(sa.select(Amendment))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(r"<ins>.*près de.*</ins>", page)

    log_in(client, voter)
    vote_url = url(climate_draft, f"/amendements/{amendment.id}/vote")
    assert client.post(vote_url, data={"vote": "for"}).status_code == 303
    # With htmx, the vote block alone comes back.
    fragment = client.post(vote_url, data={"vote": "against"}, headers={"HX-Request": "true"})
    body = text(fragment)
    assert fragment.status_code == 200 and "0 pour · 1 contre" in body and "<html" not in body

    decide_url = url(climate_draft, f"/amendements/{amendment.id}/decision")
    assert client.post(decide_url, data={"decision": "integrated"}).status_code == 403
    log_in(client, elected)
    response = client.post(decide_url, data={"decision": "integrated"})
    assert response.status_code == 422 and "Justifiez" in text(response)
    response = client.post(
        decide_url, data={"decision": "integrated", "justification": "Chiffre corrigé."}
    )
    assert response.status_code == 303

    log_in(client, author)
    mine = text(client.get("/mes-amendements"))
    assert "Intégré" in mine and "Chiffre corrigé." in mine
    answers = text(client.get(url(climate_draft, "/reponses")))
    assert "Intégré" in answers and fr("encore sans réponse : 0.") in answers


def test_new_version_and_side_by_side_difference(client, climate_draft, make_user, db):
    from civic.documents import services

    paragraph = item(climate_draft)
    app_user = make_user()
    amendment = services.propose_amendment(
        app_user, paragraph, text=paragraph.text.replace("600 000", "580 000"), reason=""
    )
    amendment.decision, amendment.justification = "integrated", "Oui."
    db.session.commit()
    log_in(client, make_user("agent"))
    form = client.get(f"/gestion/textes/{climate_draft.id}/nouvelle-version")
    assert "580 000" in text(form) and f'value="{amendment.id}" checked' in text(form)
    source = services.proposed_source(climate_draft)
    response = client.post(
        f"/gestion/textes/{climate_draft.id}/nouvelle-version",
        data={"source": source, "note": "", "amendments": [amendment.id]},
    )
    assert response.status_code == 422
    response = client.post(
        f"/gestion/textes/{climate_draft.id}/nouvelle-version",
        data={"source": source, "note": "Chiffre corrigé", "amendments": [amendment.id]},
    )
    assert response.status_code == 303
    compare = client.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(r"<del>.*600.*</del>", compare) and re.search(r"<ins>.*580.*</ins>", compare)
    assert f"Amendement n° {amendment.id}" in compare
    old = text(client.get(url(climate_draft, "/versions/1")))
    assert "600 000" in old and "version précédente" in old
    current = text(client.get(url(climate_draft)))
    assert "580 000" in current and "Modifié à la suite de" in current
    # The old passage is read only now.
    assert (
        client.post(
            url(climate_draft, f"/passages/{paragraph.id}/reactions"), data={"kind": "agree"}
        ).status_code
        == 403
    )


def test_bad_addresses_are_404(client, climate_draft):
    assert client.get(f"{BASE}/999999").status_code == 404
    assert client.get(f"/concertations/autre/textes/{climate_draft.id}").status_code == 404
    assert client.get(url(climate_draft, "/passages/999999")).status_code == 404
    assert client.get(url(climate_draft, "/versions/7")).status_code == 404
    assert client.get(url(climate_draft, "/comparer?de=²&a=1")).status_code == 404
    assert client.get(url(climate_draft, "/comparer?de=1&a=1")).status_code == 404
    assert client.get(url(climate_draft, "/comparer")).status_code == 404  # one version only
    assert client.get(url(climate_draft, f"/passages/{2**40}")).status_code == 404


def test_hidden_reaction_disappears_from_page_and_counts(client, climate_draft, make_user, db):
    from civic.documents import services
    from civic.moderation import services as moderation
    from civic.moderation.models import Case

    paragraph = item(climate_draft)
    services.react(make_user(), paragraph, kind="question", body="Texte insultant")
    reporter = make_user()
    reaction = db.session.scalar(sa.select(Reaction))
    log_in(client, reporter)
    response = client.post(
        f"/signalements/draft_reaction/{reaction.id}", data={"reason": "harassment"}
    )
    assert response.status_code == 303
    case = db.session.scalar(sa.select(Case).where(Case.kind == "draft_reaction"))
    moderation.decide(make_user("moderator"), [case], "hide", charter_reason="respect")
    db.session.commit()
    page = text(client.get(url(climate_draft, f"/passages/{paragraph.id}")))
    assert "Texte insultant" not in page and "0 question" in page


def test_document_page_follows_each_change_of_its_counters(client, climate_draft, make_user, db):
    """The rendered text is kept between requests: any new reaction, hidden one or answer
    must show at once."""
    from civic.documents import services

    paragraph = item(climate_draft)
    assert text(client.get(url(climate_draft))).count(fr("d'accord : 0")) >= 3
    services.react(make_user(), paragraph, kind="agree", body="")
    db.session.commit()
    page = text(client.get(url(climate_draft)))
    assert fr("d'accord : 1") in page
    services.answer_item(make_user("elected"), paragraph, "Merci.")
    db.session.commit()
    assert "réponse publiée" in text(client.get(url(climate_draft)))
    # Who may react sees "Réagir"; an anonymous visitor reads the same counters.
    log_in(client, make_user())
    assert "Réagir" in text(client.get(url(climate_draft)))


def test_text_put_together_from_kept_passages_equals_a_fresh_render(
    app, client, climate_draft, make_user, db
):
    """After a reaction, the page reuses the passages it kept and renders the changed one
    (and those whose heat moved): it must be exactly what rendering everything gives."""
    from civic.documents import services

    def body():
        page = client.get(url(climate_draft)).get_data(as_text=True)
        return page[page.index('<div class="draft-body">') :]

    first = body()
    services.react(make_user(), item(climate_draft), kind="agree", body="")
    db.session.commit()
    assert body() != first
    # A second passage becomes the busiest: the first one's heat strip fades (5 -> 3).
    for _ in range(2):
        services.react(make_user(), item(climate_draft, index=1), kind="agree", body="")
    db.session.commit()
    kept = body()
    assert kept.count("heat-5") == 1 and kept.count("heat-3") == 1
    app.extensions["civic.caches"].pop("fragments")
    assert body() == kept


def test_reactions_block_alone_for_htmx_and_answer_shown(client, climate_draft, make_user, db):
    from civic.documents import services

    paragraph = item(climate_draft)
    services.react(make_user(), paragraph, kind="question", body="Et le coût ?")
    db.session.commit()
    path = url(climate_draft, f"/passages/{paragraph.id}")
    fragment = client.get(path, headers={"HX-Request": "true"})
    body = text(fragment)
    assert fragment.status_code == 200 and "Et le coût ?" in body and "<html" not in body
    assert "HX-Request" in fragment.headers["Vary"]
    log_in(client, make_user("elected"))
    response = client.post(path + "/reponse", data={"answer": "Il est chiffré à l'action 1."})
    assert response.status_code == 303
    log_in(client, make_user())
    assert "Il est chiffré à l'action 1." in text(client.get(path))


def test_what_became_of_my_reactions(client, climate_draft, make_user, db):
    from civic.documents import services

    author = make_user()
    paragraph = item(climate_draft)
    services.react(author, paragraph, kind="question", body="Et le coût ?")
    services.answer_item(make_user("elected"), paragraph, "Chiffré dans l'action 1.")
    db.session.commit()
    log_in(client, author)
    page = text(client.get("/mes-amendements"))
    assert "Question" in page and "Chiffré dans l'action 1." in page


def test_premoderated_amendment_seen_by_its_author_only(client, climate, climate_draft, make_user):
    climate["consultation"].premoderation = True
    paragraph = item(climate_draft)
    author = make_user()
    log_in(client, author)
    response = client.post(
        url(climate_draft, f"/passages/{paragraph.id}/amendement"),
        data={"text": "Une rédaction nouvelle.", "reason": ""},
    )
    assert response.status_code == 303
    page = text(client.get(response.headers["Location"]))
    assert "En attente de modération" in page
    log_in(client, make_user())
    assert client.get(response.headers["Location"]).status_code == 404


def test_analysis_page_and_the_synthesis_chapter_of_the_demo(app, client, db):
    """The demo's plan: every amendment answered, version 2 integrating some of them, the
    reactions grouped by section, on the text's analysis page and in the synthesis."""
    from tests.web.test_report import _demo

    _demo(app, db)
    draft = queries.drafts_of(
        db.session.scalar(sa.select(Consultation.id).where(Consultation.slug == "plan-climat"))
    )[0]
    integrated = db.session.scalars(
        sa.select(AmendmentChange.amendment_id).order_by(AmendmentChange.amendment_id)
    ).all()
    assert integrated
    analysis = text(client.get(url(draft, "/analyse")))
    report = text(client.get("/concertations/plan-climat/synthese"))
    for page in (analysis, report):
        chapter = page[page.index("Ce que la concertation a changé dans le texte") :]
        listed = ", ".join(str(i) for i in integrated)
        assert f"intègre les amendements n° {listed}" in chapter
        assert "Thèmes principaux" in chapter and "Pas encore de réponse" not in chapter
        assert "1. Diagnostic du territoire" in chapter
    assert "Analyse des réactions" in text(client.get(url(draft)))


def test_a_new_text_never_shows_the_kept_passages_of_a_deleted_one(
    app, client, climate, climate_draft, db
):
    """SQLite gives the ids of deleted rows again: the kept passages of a deleted text must
    not stand for those of the next one that gets the same ids."""
    from civic.documents import services

    assert "600 000 tonnes" in text(client.get(url(climate_draft)))
    db.session.delete(climate_draft)
    db.session.commit()
    with app.test_request_context():
        other = services.import_draft(
            climate["agent"],
            climate["consultation"],
            title="Autre texte",
            summary="",
            source=SAMPLE.replace("600 000 tonnes", "450 000 tonnes"),
        )
    db.session.commit()
    page = text(client.get(url(other)))
    assert "450 000 tonnes" in page and "600 000 tonnes" not in page
