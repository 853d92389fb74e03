"""Normalisation, French stop words, stemming and readable forms."""

from hypothesis import given
from hypothesis import strategies as st

from civic.analysis.pipeline.text import FrenchAnalyzer, normalize_text, strip_accents, words


def test_normalize_text_ignores_case_accents_punctuation_and_spacing():
    assert normalize_text("  L'ÉCOLE, c'est   fermée !!! ") == "l ecole c est fermee"
    assert normalize_text("Cœur") == "coeur"
    assert normalize_text("Pistes cyclables") == normalize_text("pistes   CYCLABLES.")
    assert normalize_text("?!...") == ""


def test_words_keep_accents_and_split_elisions_and_hyphens():
    assert words("L'école, pourrions-nous l'ouvrir en 2024 ?") == [
        "école",
        "pourrions",
        "nous",
        "ouvrir",
        "en",
    ]


def test_stop_words_and_contribution_template_words_are_removed():
    analyzer = FrenchAnalyzer()
    features = analyzer.features(
        "J'ai une idée ! Nous devrions créer des pistes cyclables", bigrams=False
    )
    assert features == ["pist", "cyclabl"]


def test_extra_stop_words_are_removed_without_accents():
    analyzer = FrenchAnalyzer(extra_stop_words=["Sicoval", "ecole"])
    assert analyzer.features("l'école du Sicoval et la cantine", bigrams=False) == ["cantin"]


def test_stemming_groups_inflections_and_keeps_the_most_frequent_surface_word():
    analyzer = FrenchAnalyzer()
    analyzer.analyze(["les écoles", "une école", "des écoles", "les écoles"])
    assert analyzer.stem("écoles") == analyzer.stem("école") == "ecol"
    assert analyzer.surface("ecol") == "écoles"


def test_bigrams_join_consecutive_content_words_but_not_across_punctuation():
    analyzer = FrenchAnalyzer()
    features = analyzer.features("Les transports en commun, vélo et bus")
    assert "transport commun" in features
    assert "commun velo" not in features  # the comma separates two ideas
    assert "velo bus" in features


def test_bigram_surfaces_show_the_words_as_written():
    analyzer = FrenchAnalyzer()
    surfaces = dict(analyzer.surfaces("Développer les transports en commun"))
    assert surfaces["transport commun"] == "transports en commun"
    assert surfaces["transport"] == "transports"


@given(st.text(max_size=60))
def test_normalization_is_idempotent_and_accent_free(text):
    once = normalize_text(text)
    assert normalize_text(once) == once
    assert strip_accents(once) == once
    assert once == once.strip()
