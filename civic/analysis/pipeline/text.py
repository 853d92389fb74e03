"""Normalisation, tokenisation and stemming of short French texts."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer

from .openings import strip_speech
from .stopwords import CONTRIBUTION_STOP_WORDS, FRENCH_STOP_WORDS

# Letters only: digits, underscores and punctuation split words, so "l'école" gives "l" and
# "école", and "pourrions-nous" gives "pourrions" and "nous".
_WORD_RE = re.compile(r"[^\W\d_]+")
_NON_ALNUM_RE = re.compile(r"[\W_]+")
# Words, and the marks that end an idea (punctuation other than apostrophes and hyphens, and
# numbers): a bigram never spans them, "vélo, bus" is two ideas, not one.
_TOKEN_RE = re.compile(r"[^\W\d_]+|[^\s'’\w-]|[\d_]+")
# Ligatures that NFKD does not decompose.
_LIGATURES = (("œ", "oe"), ("Œ", "OE"), ("æ", "ae"), ("Æ", "AE"), ("ß", "ss"))


def _combining_class() -> str:
    """The combining marks of the Basic Multilingual Plane as a regex class of ranges. Beyond
    it (rare marks of ancient scripts, music) marks are left for the callers, which treat them
    as punctuation."""
    ranges: list[tuple[int, int]] = []
    for code in range(0x10000):
        if unicodedata.combining(chr(code)):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    return "[" + "".join(f"\\u{a:04x}-\\u{b:04x}" for a, b in ranges) + "]"


# One C-level regex pass rather than a Python loop over characters: normalising 100,000
# texts went from 11 s to under 1 s.
_COMBINING_RE = re.compile(_combining_class())


def _strip_accents(text: str) -> str:
    if text.isascii():
        return text
    for ligature, letters in _LIGATURES:  # str.replace: much faster than str.translate
        if ligature in text:
            text = text.replace(ligature, letters)
    return _COMBINING_RE.sub("", unicodedata.normalize("NFKD", text))


@lru_cache(maxsize=200_000)
def strip_accents(word: str) -> str:
    """Remove diacritics: "Élève" -> "Eleve". Cached: meant for words, and a corpus has only
    a few tens of thousands of distinct ones."""
    return _strip_accents(word)


def normalize_text(text: str) -> str:
    """Lower-case, accent-free, punctuation-free text with single spaces.

    Two contributions that differ only by case, accents, punctuation or spacing normalise to
    the same string: this is the key for exact duplicates.
    """
    # NFKD before and after case folding: compatibility forms ("𝘈") and folded forms ("İ"
    # gives "i" and a combining dot) both end up plain.
    folded = _strip_accents(_strip_accents(text).casefold())
    return " ".join(_NON_ALNUM_RE.sub(" ", folded).split())


def words(text: str) -> list[str]:
    """Lower-case words of at least two letters, accents kept (they are the readable form)."""
    return [w for w in _WORD_RE.findall(text.casefold()) if len(w) > 1]


@dataclass
class FrenchAnalyzer:
    """Turns texts into features (stems and bigrams of stems), and back into readable words.

    Stop words are removed before stemming and bigrams join consecutive content words, so
    "transports en commun" gives the features "transport", "commun" and "transport commun".
    The analyzer counts the words behind each stem, so that a label can show the most frequent
    real word rather than a stem.
    """

    extra_stop_words: Collection[str] = ()
    contribution_stop_words: bool = True
    word_counts: Counter[str] = field(default_factory=Counter, repr=False)
    _cache: dict[str, str | None] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        stop = set(FRENCH_STOP_WORDS)
        if self.contribution_stop_words:
            stop |= CONTRIBUTION_STOP_WORDS
        stop |= {w.casefold() for w in self.extra_stop_words}
        self._stop = frozenset(strip_accents(w) for w in stop)
        self._stemmer = snowballstemmer.stemmer("french")
        self._surfaces: dict[str, str] | None = None

    def stem(self, word: str) -> str | None:
        """Stem of a lower-case word, accent-free; None for a stop word or a single letter.

        Each distinct word is stemmed once: a corpus of 100,000 texts has only a few tens of
        thousands of distinct words.
        """
        try:
            return self._cache[word]
        except KeyError:
            pass
        bare = strip_accents(word)
        stem: str | None = None
        if len(word) > 1 and bare not in self._stop:
            # The Snowball rules need the accents ("é" endings): stem first, strip after.
            stem = strip_accents(self._stemmer.stemWord(word))
        self._cache[word] = stem
        return stem

    def features(self, text: str, *, bigrams: bool = True) -> list[str]:
        """Stems of the content words of `text`, then the bigrams of consecutive ones.

        A bigram joins two content words separated by at most two stop words ("transports en
        commun", "impact sur l'environnement"), never across punctuation or a number.
        """
        cache, stem_of = self._cache, self.stem
        unigrams: list[str] = []
        content: list[str] = []
        pairs: list[str] = []
        previous: str | None = None
        gap = 0
        for token in _TOKEN_RE.findall(text.casefold()):
            if not token[0].isalpha():  # punctuation or a number: the end of an idea
                previous = None
                continue
            stem = cache[token] if token in cache else stem_of(token)
            if stem is None:
                gap += 1
                continue
            unigrams.append(stem)
            content.append(token)
            if bigrams and previous is not None and gap <= 2:
                pairs.append(f"{previous} {stem}")
            previous, gap = stem, 0
        self.word_counts.update(content)  # C-level counting
        self._surfaces = None
        return unigrams + pairs

    def surfaces(self, text: str) -> list[tuple[str, str]]:
        """(feature, the words behind it in `text`) for each feature, e.g. ("transport",
        "transports") and ("transport commun", "transports en commun"): used to show keywords
        as people wrote them."""
        lowered = text.casefold()
        out: list[tuple[str, str]] = []
        previous: tuple[str, int] | None = None  # stem and start of the previous content word
        gap = 0
        for match in _TOKEN_RE.finditer(lowered):
            token = match.group()
            if not token[0].isalpha():
                previous = None
                continue
            stem = self.stem(token)
            if stem is None:
                gap += 1
                continue
            out.append((stem, token))
            if previous is not None and gap <= 2:
                span = " ".join(lowered[previous[1] : match.end()].split())
                out.append((f"{previous[0]} {stem}", span))
            previous, gap = (stem, match.start()), 0
        return out

    def analyze(self, texts: Iterable[str], *, bigrams: bool = True) -> list[list[str]]:
        return [self.features(t, bigrams=bigrams) for t in texts]

    def surface(self, stem: str) -> str:
        """The most frequent word behind a stem (ties: alphabetical)."""
        if self._surfaces is None:
            best: dict[str, tuple[int, str]] = {}
            for word, count in self.word_counts.items():
                key = self._cache.get(word)
                if key is None:
                    continue
                current = best.get(key)
                if current is None or (-count, word) < (-current[0], current[1]):
                    best[key] = (count, word)
            self._surfaces = {key: word for key, (_, word) in best.items()}
        return self._surfaces.get(stem, stem)


# Where a title stops: the end of a sentence, a parenthesis, a colon, a dash between spaces.
_CLAUSE_END_RE = re.compile(r"(?<=[.!?;])\s|\s[-–—]\s|\s?\(|\s?:\s|…|\.\.\.")


def shorten(text: str, limit: int) -> str:
    """`text` on one line, cut at the last word boundary before `limit` characters, with
    "…" when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit + 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut[:limit].rstrip(" ,;:.-–—'’(") + "…"


def title_phrase(text: str, limit: int = 90) -> str:
    """The first clause of a contribution, its prompt opening removed, capitalised, cut at a
    word boundary: "Nous devrions créer des pistes cyclables. Elles…" gives "Créer des pistes
    cyclables"."""
    text = strip_speech(" ".join(text.split()))
    first = _CLAUSE_END_RE.split(text, maxsplit=1)[0].strip(" .,;:!-–—")
    if len(first) < 12:  # "Oui." or "Vélo :" says too little: take more
        first = text.strip(" .,;:-–—")
    first = shorten(first, limit)
    return first[:1].upper() + first[1:]
