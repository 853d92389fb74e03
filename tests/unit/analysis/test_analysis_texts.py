"""Clustering of short French texts: planted themes, partition, labels, quotes, identity."""

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import adjusted_rand_score

from civic.analysis.pipeline import cluster_texts
from civic.analysis.pipeline.synthetic import THEMES, synthetic_texts
from civic.analysis.pipeline.text import normalize_text, words


def labels_by_row(result):
    return {m: c.id for c in result.clusters for m in c.members}


def assert_partition(result, ids):
    placed = [m for c in result.clusters for m in c.members] + list(result.isolated)
    assert Counter(placed) == Counter(ids)


@pytest.fixture(scope="module")
def planted():
    return synthetic_texts(300, n_themes=4, seed=1, campaign_size=30)


@pytest.fixture(scope="module")
def planted_result(planted):
    return cluster_texts(planted.texts, seed=0)


def test_four_planted_themes_are_recovered(planted, planted_result):
    assert planted_result.params["k"] == 4
    found = labels_by_row(planted_result)
    rows = [i for i, theme in enumerate(planted.themes) if theme >= 0]
    ari = adjusted_rand_score([planted.themes[i] for i in rows], [found.get(i, -1) for i in rows])
    assert ari > 0.9


def test_every_row_is_in_exactly_one_cluster_or_isolated(planted, planted_result):
    assert_partition(planted_result, range(len(planted.texts)))
    for cluster in planted_result.clusters:
        assert cluster.members == sorted(cluster.members)
        assert cluster.size == len(cluster.members)
        assert set(cluster.quotes) <= set(cluster.members)
        assert len(cluster.quotes) == len(set(cluster.quotes))


def test_the_campaign_is_one_duplicate_group_inside_one_cluster(planted, planted_result):
    assert planted.campaign in planted_result.duplicates
    found = labels_by_row(planted_result)
    assert len({found[i] for i in planted.campaign}) == 1
    cluster = next(c for c in planted_result.clusters if c.id == found[planted.campaign[0]])
    # Raw and deduplicated figures: the 30 copies count once in size_unique.
    assert cluster.size - cluster.size_unique >= len(planted.campaign) - 1
    assert planted_result.stats["texts"] == len(planted.texts)
    assert planted_result.stats["texts_unique"] <= len(planted.texts) - len(planted.campaign) + 1


def test_labels_name_the_planted_theme_with_words_from_the_texts(planted, planted_result):
    vocabulary = {w for text in planted.texts for w in words(text)}
    found = labels_by_row(planted_result)
    for cluster in planted_result.clusters:
        assert cluster.label and cluster.keywords
        # The title is a phrase of one of the cluster's own texts, without its opening.
        assert set(words(cluster.label)) <= vocabulary
        stem = cluster.label.removesuffix("…").casefold()
        assert any(stem in planted.texts[m].casefold() for m in cluster.members), cluster.label
        assert not cluster.label.startswith(("Nous devrions", "J'ai une idée", "Il faudrait"))
        for keyword in cluster.keywords:
            assert set(words(keyword)) <= vocabulary, keyword
        themes = Counter(planted.themes[i] for i in cluster.members if planted.themes[i] >= 0)
        theme = THEMES[planted.theme_names[themes.most_common(1)[0][0]]]
        theme_words = {w for phrase in theme[0] + theme[1] for w in words(phrase)}
        # The best keyword belongs to the cluster's own theme vocabulary.
        assert set(words(cluster.keywords[0])) & theme_words, (cluster.keywords, found)


def test_quotes_favour_supported_texts_and_are_diverse(planted, planted_result):
    campaign_cluster = next(
        c for c in planted_result.clusters if set(planted.campaign) & set(c.members)
    )
    # The campaign's representative text is quoted (30 supporters), and only once.
    quoted = [q for q in campaign_cluster.quotes if q in planted.campaign]
    assert len(quoted) == 1
    for cluster in planted_result.clusters:
        normalized = [normalize_text(planted.texts[q]) for q in cluster.quotes]
        assert len(set(normalized)) == len(normalized)


def test_the_same_seed_gives_the_same_result(planted, planted_result):
    again = cluster_texts(planted.texts, seed=0)
    assert again.to_dict() == planted_result.to_dict()


def test_a_given_k_is_used(planted):
    result = cluster_texts(planted.texts, k=6, seed=0)
    assert result.params["k"] == 6
    assert len(result.clusters) <= 6
    assert_partition(result, range(len(planted.texts)))


def test_silhouette_method_is_available(planted):
    result = cluster_texts(planted.texts, k_method="silhouette", k_max=6, seed=0)
    assert result.params["k_method"] == "silhouette"
    assert set(result.params["k_scores"]) == {"2", "3", "4", "5", "6"}
    assert_partition(result, range(len(planted.texts)))


def test_ids_name_the_rows_and_must_be_unique(planted):
    ids = [f"c-{i}" for i in range(len(planted.texts))]
    result = cluster_texts(planted.texts, ids, seed=0)
    assert_partition(result, ids)
    with pytest.raises(ValueError, match="unique"):
        cluster_texts(["a", "b"], ["x", "x"])
    with pytest.raises(ValueError, match="same length"):
        cluster_texts(["a", "b"], ["x"])


def test_texts_without_content_words_are_isolated():
    data = synthetic_texts(120, n_themes=3, seed=2)
    texts = [*data.texts, "", "!!!", "Nous devrions !", "Xylophone zygomatique."]
    result = cluster_texts(texts, seed=0)
    assert {120, 121, 122, 123} <= set(result.isolated)
    assert_partition(result, range(len(texts)))


def test_degenerate_inputs():
    assert cluster_texts([]).clusters == []
    single = cluster_texts(["Rénover le gymnase"])
    assert single.clusters == [] and single.isolated == [0]
    same = cluster_texts(["Rénover le gymnase"] * 5)
    assert [c.members for c in same.clusters] == [[0, 1, 2, 3, 4]]
    assert same.clusters[0].size_unique == 1


def test_previous_ids_are_kept_when_the_data_grows(planted, planted_result):
    more = synthetic_texts(60, n_themes=4, seed=9)
    texts = planted.texts + more.texts
    previous = {c.id: c.members for c in planted_result.clusters}
    # Another seed numbers k-means's groups differently: the ids must follow the members.
    result = cluster_texts(texts, seed=5, previous=previous)
    for cluster in result.clusters:
        old = [i for i in cluster.members if i < len(planted.texts)]
        expected = Counter(labels_by_row(planted_result)[i] for i in old).most_common(1)[0][0]
        assert cluster.id == expected
    assert_partition(result, range(len(texts)))


def test_new_clusters_get_fresh_ids_after_the_previous_ones(planted):
    previous = {40: [10_000, 10_001], 41: [10_002]}  # their members are gone
    result = cluster_texts(planted.texts, seed=0, previous=previous)
    assert all(c.id >= 42 for c in result.clusters)
    assert len({c.id for c in result.clusters}) == len(result.clusters)


def test_frozen_clusters_keep_their_members_and_the_rest_is_reclustered(planted, planted_result):
    first, second = planted_result.clusters[0], planted_result.clusters[1]
    frozen_members = first.members[:10] + second.members[:2] + [10_000]  # 10_000: gone since
    result = cluster_texts(
        planted.texts,
        seed=0,
        frozen={7: frozen_members},
        previous={c.id: c.members for c in planted_result.clusters},
    )
    frozen = [c for c in result.clusters if c.frozen]
    assert [(c.id, c.members) for c in frozen] == [(7, sorted(frozen_members[:-1]))]
    assert frozen[0].label and frozen[0].quotes
    assert set(frozen[0].quotes) <= set(frozen[0].members)
    others = [m for c in result.clusters if not c.frozen for m in c.members]
    assert not set(others) & set(frozen_members)
    assert_partition(result, range(len(planted.texts)))
    assert 7 not in {c.id for c in result.clusters if not c.frozen}


def test_frozen_clusters_cannot_share_members():
    with pytest.raises(ValueError, match="shares members"):
        cluster_texts(["a b", "c d", "e f"], frozen={1: [0, 1], 2: [1, 2]})


TOPIC_WORDS = ["piscine", "bus", "école", "arbres", "médecin", "marché", "vélo", "cantine"]


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from([*TOPIC_WORDS, "le", "et", "!", ""]), max_size=6).map(" ".join),
        max_size=40,
    ),
    st.one_of(st.none(), st.integers(min_value=1, max_value=6)),
    st.integers(min_value=0, max_value=3),
)
def test_partition_invariant_holds_on_any_input(texts, k, seed):
    result = cluster_texts(texts, k=k, seed=seed)
    assert_partition(result, range(len(texts)))
    assert len({c.id for c in result.clusters}) == len(result.clusters)
    duplicated = [i for g in result.duplicates for i in g]
    assert len(duplicated) == len(set(duplicated))
    assert result.stats["clustered"] + result.stats["isolated"] == len(texts)
