"""The automatic number of groups on planted data: unequal themes, noise, near-duplicates,
one theme that really is large, and two levels on a large corpus; with TF-IDF and with
sentence vectors."""

from collections import Counter

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from civic.analysis.pipeline import cluster_texts, embeddings
from civic.analysis.pipeline.granularity import cohesion, split_until
from civic.analysis.pipeline.synthetic import synthetic_texts

REPRESENTATIONS = [
    "tfidf",
    pytest.param(
        "vectors",
        marks=pytest.mark.skipif(embeddings.MODEL is None, reason="no sentence encoder"),
    ),
]


def run(data, representation, **kwargs):
    vectors = embeddings.embed(data.texts) if representation == "vectors" else None
    return cluster_texts(data.texts, vectors=vectors, seed=0, **kwargs)


def planted_ari(data, labels):
    rows = [i for i, t in enumerate(data.themes) if t >= 0]
    return adjusted_rand_score([data.themes[i] for i in rows], [labels.get(i, -1) for i in rows])


@pytest.mark.parametrize("representation", REPRESENTATIONS)
def test_unequal_themes_with_noise_give_the_planted_number_and_no_catch_all(representation):
    data = synthetic_texts(
        800, n_themes=8, shares=[14, 14, 13, 13, 12, 12, 11, 11], noise=0.05, seed=3
    )
    result = run(data, representation)
    assert 7 <= len(result.clusters) <= 9  # 8 planted, within 20 %
    assert max(c.size for c in result.clusters) <= 0.15 * len(data.texts)
    labels = {m: c.id for c in result.clusters for m in c.members}
    assert planted_ari(data, labels) >= 0.9
    assert result.params["k_method"] == "auto" and result.themes == []


@pytest.mark.parametrize("representation", REPRESENTATIONS)
def test_a_theme_that_is_really_large_stays_one_group(representation):
    data = synthetic_texts(600, n_themes=6, shares=[40, 20, 15, 10, 8, 7], noise=0.05, seed=1)
    result = run(data, representation)
    assert 5 <= len(result.clusters) <= 7
    large = sum(1 for t in data.themes if t == 0)
    where = Counter(c.id for c in result.clusters for m in c.members if data.themes[m] == 0)
    home, count = where.most_common(1)[0]
    # Most of it in one group, above the 15 % cap: its texts share one theme.
    assert count >= 0.85 * large, where
    assert next(c.size for c in result.clusters if c.id == home) > 0.15 * len(data.texts)


@pytest.mark.parametrize("representation", REPRESENTATIONS)
def test_near_duplicates_count_once_in_the_shape_and_fully_in_the_sizes(representation):
    data = synthetic_texts(400, n_themes=5, seed=2, campaign_size=40)
    result = run(data, representation)
    assert data.campaign in result.duplicates
    home = [c for c in result.clusters if set(data.campaign) <= set(c.members)]
    assert len(home) == 1 and home[0].size - home[0].size_unique >= 39
    assert 4 <= len(result.clusters) <= 6


@pytest.mark.parametrize("representation", REPRESENTATIONS)
def test_a_large_corpus_has_themes_then_groups(representation):
    data = synthetic_texts(
        1200,
        n_themes=8,
        shares=[25, 20, 15, 12, 10, 8, 6, 4],
        noise=0.05,
        seed=2,
        campaign_size=30,
    )
    result = run(data, representation)
    assert 7 <= len(result.themes) <= 9  # 8 planted themes, within 20 %
    by_id = {c.id: c for c in result.clusters}
    listed = [cid for t in result.themes for cid in t.clusters]
    # Every cluster is in exactly one theme, and each theme lists its own clusters.
    assert sorted(listed) == sorted(by_id)
    for theme in result.themes:
        assert theme.label and theme.keywords
        assert all(by_id[cid].theme == theme.id for cid in theme.clusters)
        assert theme.size == sum(by_id[cid].size for cid in theme.clusters)
    theme_of_row = {
        m: by_id[cid].theme for t in result.themes for cid in t.clusters for m in by_id[cid].members
    }
    assert planted_ari(data, theme_of_row) >= 0.9
    assert len(result.clusters) >= len(result.themes)
    assert result.to_dict()["themes"][0]["clusters"] == result.themes[0].clusters


def test_split_until_caps_loose_groups_and_keeps_tight_ones():
    rng = np.random.default_rng(0)
    # One tight direction (300 points) and 300 points spread over the sphere.
    tight = rng.normal(size=(1, 20)) * 5 + rng.normal(size=(300, 20))
    loose = rng.normal(size=(300, 20))
    points = np.vstack([tight, loose])
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    labels = split_until(points, np.ones(600), cap=90, seed=0, cohesive=0.5)
    assert cohesion(points[:300]) >= 0.5 > cohesion(points[300:])
    tight_labels = Counter(labels[:300].tolist())
    assert tight_labels.most_common(1)[0][1] == 300  # the tight group stays whole
    loose_sizes = Counter(labels[300:].tolist())
    assert all(size <= 90 for label, size in loose_sizes.items() if label not in tight_labels)
