"""The Markdown convention, budgets and word differences: pure functions."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civic.documents import text
from tests.fixtures_documents import SAMPLE


def test_sample_is_split_into_numbered_items():
    items = text.parse(SAMPLE)
    assert [(i.kind, i.number) for i in items] == [
        ("heading", "1"),
        ("paragraph", "§ 1"),
        ("paragraph", "§ 2"),
        ("heading", "2"),
        ("action", "Action 1"),
    ]
    action = items[-1]
    assert action.title == "Relier les communes à vélo"
    assert action.lead_service == "Service mobilités"
    assert action.budget_cents == 120_000_000
    assert action.indicators == ["kilomètres aménagés", "part modale du vélo"]
    assert action.text.startswith("Créer un réseau cyclable")
    assert "premier choix" in action.text
    assert "Pilote" not in action.text


def test_sub_headings_are_numbered_from_their_level():
    items = text.parse("# A\n\ntexte\n\n## B\n\n## C\n\n### D\n\n# E\n\n## F\n")
    assert [i.number for i in items if i.kind == "heading"] == [
        "1",
        "1.1",
        "1.2",
        "1.2.1",
        "2",
        "2.1",
    ]
    assert len({i.anchor for i in items}) == len(items)


def test_indicators_as_a_list_and_lines_of_a_paragraph_kept():
    items = text.parse(
        "### Action : Isoler\nIsoler les écoles.\n\nIndicateurs :\n- écoles isolées\n- kWh\n\n"
        "Suite de la description.\n\n# Après\n\nUne liste :\n- un\n- deux\n"
    )
    action = items[0]
    assert action.indicators == ["écoles isolées", "kWh"]
    assert action.text == "Isoler les écoles.\n\nSuite de la description."
    assert items[-1].text == "Une liste :\n- un\n- deux"


@pytest.mark.parametrize(
    ("raw", "cents"),
    [
        ("1 200 000 €", 120_000_000),
        ("1,2 M€", 120_000_000),
        ("350 k€", 35_000_000),
        ("45 000,50 €", 4_500_050),
        ("1.500.000 €", 150_000_000),
        ("2 millions d'euros", 200_000_000),
        ("12", 1_200),
    ],
)
def test_budgets_as_people_write_them(raw, cents):
    assert text.parse_budget(raw) == cents


@pytest.mark.parametrize("raw", ["", "beaucoup", "12,3,4 €", "²"])
def test_unreadable_budget_is_refused(raw):
    with pytest.raises(ValueError):
        text.parse_budget(raw)


def test_unreadable_budget_names_its_line():
    with pytest.raises(text.ParseError) as error:
        text.parse("# T\n\n### Action : A\nBudget : beaucoup\n")
    assert error.value.code == "budget" and error.value.line == 4


def test_a_text_without_paragraph_is_refused():
    with pytest.raises(text.ParseError):
        text.parse("# Seulement un titre\n")


@given(st.integers(min_value=0, max_value=10**12))
def test_budget_formatting_reads_back(cents):
    assert text.parse_budget(text.format_budget(cents)) == cents


def test_markdown_reads_back_into_the_same_items():
    items = text.parse(SAMPLE)
    again = text.parse(text.to_markdown(items))
    assert again == items


def test_word_diff_marks_words():
    segments = text.word_diff("Le chat mange la souris.", "Le chien mange vite la souris.")
    assert ("delete", "chat") in segments and ("insert", "chien") in segments
    assert ("insert", " vite") in segments


@given(st.text(max_size=60), st.text(max_size=60))
def test_word_diff_rebuilds_both_texts(old, new):
    segments = text.word_diff(old, new)
    assert "".join(t for op, t in segments if op != "insert") == old
    assert "".join(t for op, t in segments if op != "delete") == new


def test_align_pairs_changed_paragraphs_and_finds_added_and_removed():
    old = ["Titre", "Le vélo pour tous les trajets courts.", "Paragraphe retiré entièrement", "Fin"]
    new = [
        "Titre",
        "Le vélo pour les trajets courts du quotidien.",
        "Tout nouveau texte ici",
        "Fin",
    ]
    pairs = text.align(old, new)
    assert (0, 0) in pairs and (1, 1) in pairs and (3, 3) in pairs
    assert (2, None) in pairs and (None, 2) in pairs


@given(
    st.lists(st.sampled_from(["a", "b b", "c c c", "d"]), max_size=8),
    st.lists(st.sampled_from(["a", "b b", "c c x", "e"]), max_size=8),
)
def test_align_keeps_every_item_once_in_order(old, new):
    pairs = text.align(old, new)
    assert [i for i, _ in pairs if i is not None] == list(range(len(old)))
    assert [j for _, j in pairs if j is not None] == list(range(len(new)))
