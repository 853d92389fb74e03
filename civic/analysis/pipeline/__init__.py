"""The pure analysis pipeline: lists and arrays in, plain data out. No Flask, no database.

- `cluster_texts`: groups (and themes) of short French texts, with titles, quotes, duplicates.
- `embeddings`: sentence vectors (multilingual USE), when the package is installed.
- `find_duplicates`: exact and near-duplicate texts (campaigns).
- `opinion_groups`: Pol.is-style opinion groups, repness and consensus from votes.
- `match_groups`: keeps the ids of a previous run's groups (Hungarian matching).
"""

from .duplicates import find_duplicates
from .identity import match_groups
from .opinions import (
    Consensus,
    OpinionAnalysis,
    OpinionGroup,
    Repness,
    VoteMatrix,
    opinion_groups,
    vote_matrix,
)
from .texts import TextAnalysis, TextCluster, TextTheme, cluster_texts

__all__ = [
    "Consensus",
    "OpinionAnalysis",
    "OpinionGroup",
    "Repness",
    "TextAnalysis",
    "TextCluster",
    "TextTheme",
    "VoteMatrix",
    "cluster_texts",
    "find_duplicates",
    "match_groups",
    "opinion_groups",
    "vote_matrix",
]
