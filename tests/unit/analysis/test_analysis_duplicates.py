"""Campaign detection: exact and near-duplicate contributions."""

from hypothesis import given, settings
from hypothesis import strategies as st

from civic.analysis.pipeline.duplicates import find_duplicates
from civic.analysis.pipeline.synthetic import synthetic_texts

DISTINCT = [
    "Créer une piste cyclable entre Labège et Castanet",
    "Ouvrir la médiathèque le dimanche matin",
    "Installer des bancs ombragés sur la place du marché",
    "Rénover le gymnase du collège",
    "Planter des haies le long des chemins agricoles",
    "Augmenter la fréquence du bus 79 aux heures de pointe",
]


def test_a_campaign_of_near_identical_texts_is_one_group():
    data = synthetic_texts(200, n_themes=4, seed=3, campaign_size=30)
    groups = find_duplicates(data.texts)
    campaign = [g for g in groups if set(g) & set(data.campaign)]
    assert campaign == [data.campaign]
    assert groups[0] == data.campaign  # the largest group comes first


def test_distinct_texts_are_not_grouped():
    assert find_duplicates(DISTINCT) == []


def test_texts_that_differ_by_case_accents_and_punctuation_are_duplicates():
    texts = [
        "Plus de bus le dimanche !",
        "plus de bus le dimanche",
        "PLUS DE BUS LE DIMANCHE...",
        "Plus de bûs, le dimanche",
        *DISTINCT,
    ]
    assert find_duplicates(texts) == [[0, 1, 2, 3]]


def test_a_small_edit_is_a_near_duplicate_but_another_topic_is_not():
    base = (
        "Nous demandons le maintien du bureau de poste de Montlaur six jours sur sept, "
        "avec son guichet et ses horaires actuels."
    )
    texts = [
        base,
        base.replace("demandons", "exigeons"),
        base + " Signé : Marie.",
        "Nous demandons la rénovation du gymnase de Montlaur, avec ses vestiaires actuels.",
    ]
    assert find_duplicates(texts) == [[0, 1, 2]]


def test_empty_texts_are_never_duplicates():
    assert find_duplicates(["", "   ", "!!!", "Un vrai texte", "un vrai texte"]) == [[3, 4]]


def test_thousands_of_identical_texts_stay_one_group():
    texts = ["Non à la fermeture de la piscine"] * 3000 + DISTINCT
    assert find_duplicates(texts) == [list(range(3000))]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from([*DISTINCT, "", "Rénover le gymnase du collège !"]), max_size=30))
def test_groups_are_disjoint_sorted_and_contain_every_identical_pair(texts):
    groups = find_duplicates(texts)
    seen = [i for g in groups for i in g]
    assert len(seen) == len(set(seen))
    assert all(g == sorted(g) and len(g) > 1 for g in groups)
    group_of = {i: n for n, g in enumerate(groups) for i in g}
    for i, a in enumerate(texts):
        for j in range(i + 1, len(texts)):
            if a.strip() and a == texts[j]:
                assert group_of.get(i) is not None and group_of.get(i) == group_of.get(j)
