"""Prompt openings removed from texts and titles; the demo's proposals read as written."""

import pytest

from civic.analysis.pipeline.openings import strip_opening
from civic.analysis.pipeline.text import shorten, title_phrase, words
from civic.consultations.demo import FOREIGN_WORDS, read_proposals, title_of


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nous devrions équiper les élèves", "Équiper les élèves"),
        ("J'ai une idée ! Favoriser la vie de quartier", "Favoriser la vie de quartier"),
        ("J’ai une idée! favoriser", "Favoriser"),
        ("Il faudrait que les bus passent", "Les bus passent"),
        ("Comment pourrions-nous mieux trier ?", "Mieux trier ?"),
        ("Nous avons besoin de pistes cyclables", "Pistes cyclables"),
        ("Nous avons besoin d'une agriculture locale", "Une agriculture locale"),
        ("We should instaurer un revenu citoyen", "Instaurer un revenu citoyen"),
        ("I have an idea ! remettre les consignes", "Remettre les consignes"),
        ("Ich habe eine Idee! Faire en sorte que", "Faire en sorte que"),
        ("Nous devrions", "Nous devrions"),  # nothing after: kept
        ("Nous devrionsx", "Nous devrionsx"),
        ("Des arbres", "Des arbres"),
    ],
)
def test_prompt_openings_are_stripped(text, expected):
    assert strip_opening(text) == expected


def test_titles_are_a_first_clause_cut_at_a_word_boundary():
    assert title_phrase("Nous devrions créer des pistes cyclables. Elles manquent.") == (
        "Créer des pistes cyclables"
    )
    long = "J'ai une idée ! " + "développer les transports en commun " * 5
    title = title_phrase(long, limit=40)
    assert len(title) <= 41 and title.endswith("…") and title.startswith("Développer")
    assert long.casefold().count(title.removesuffix("…").casefold()) >= 1
    assert shorten("un deux trois", 8) == "un deux…"
    assert shorten("court", 8) == "court"


def test_demo_proposals_have_no_prompt_and_no_other_language():
    proposals = read_proposals()
    assert len(proposals) > 140  # the demo takes 140
    prompts = (
        "nous devrions",
        "j'ai une idée",
        "nous avons besoin",
        "comment pourrions-nous",
        "we should",
        "i have an idea",
        "ich habe eine idee",
        "our community needs",
        "i would like",
    )
    for text, _ in proposals:
        assert not text.casefold().startswith(prompts), text
        assert not FOREIGN_WORDS & set(words(text)), text
        title = title_of(text)
        assert len(title) <= 121 and text[1:].startswith(title[1:].removesuffix("…"))


def test_titles_also_drop_ways_of_speaking_that_imports_keep():
    assert title_phrase("Il faut que les bus passent le dimanche.") == "Les bus passent le dimanche"
    assert title_phrase("On pourrait taxer les entreprises qui polluent") == (
        "Taxer les entreprises qui polluent"
    )
    assert title_phrase("Il serait bien d'avoir des bancs au parc") == "Avoir des bancs au parc"
    assert strip_opening("Il faut que les bus passent") == "Il faut que les bus passent"
    assert title_phrase("Il fait beau au parc du village") == "Il fait beau au parc du village"
