"""What a question asks: its intent (a classifier, see `classifier.py`) and its details (rules).

Pure: no Flask, no database. The territory's vocabulary (communes, glossary terms) is passed
in, so that the rules work on any CSV of questions and in the bench.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache

INTENTS = ("hours", "events", "consultation", "definition", "howto", "contact", "unknown")
# The details each intent's answer uses: what the test set scores, and what the answer needs.
DETAILS = {
    "hours": ("commune", "day", "moment", "service"),
    "events": ("commune", "day", "moment"),
    "contact": ("commune", "service"),
    "consultation": ("commune",),
    "definition": ("term",),
    "howto": (),
    "unknown": (),
}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DAY_WORDS = {
    "lundi": "monday",
    "mardi": "tuesday",
    "mercredi": "wednesday",
    "jeudi": "thursday",
    "vendredi": "friday",
    "samedi": "saturday",
    "dimanche": "sunday",
    **{day: day for day in WEEKDAYS},
}
# Phrases first (longest wins): "ce soir" is a day and a moment.
_PHRASES = [
    ("apres demain", {"day": "after_tomorrow"}),
    ("ce soir", {"day": "today", "moment": "evening"}),
    ("ce matin", {"day": "today", "moment": "morning"}),
    ("cet apres midi", {"day": "today", "moment": "afternoon"}),
    ("cet aprem", {"day": "today", "moment": "afternoon"}),
    ("this morning", {"day": "today", "moment": "morning"}),
    ("this afternoon", {"day": "today", "moment": "afternoon"}),
    ("this evening", {"day": "today", "moment": "evening"}),
    ("tonight", {"day": "today", "moment": "evening"}),
    ("aujourd hui", {"day": "today"}),
    ("aujourdhui", {"day": "today"}),
    ("maintenant", {"day": "today"}),
    ("today", {"day": "today"}),
    ("demain", {"day": "tomorrow"}),
    ("tomorrow", {"day": "tomorrow"}),
    ("week end", {"day": "weekend"}),
    ("weekend", {"day": "weekend"}),
    ("apres midi", {"moment": "afternoon"}),
    ("aprem", {"moment": "afternoon"}),
    ("afternoon", {"moment": "afternoon"}),
    ("matin", {"moment": "morning"}),
    ("morning", {"moment": "morning"}),
    ("soir", {"moment": "evening"}),
    ("soiree", {"moment": "evening"}),
    ("evening", {"moment": "evening"}),
]
# Service types, by the words residents use; the key is matched against the services' types.
SERVICE_WORDS = {
    "piscine": ("piscine", "swimming pool", "pool", "natation", "nager", "swim"),
    "decheterie": (
        "decheterie",
        "dechetterie",
        "recycling",
        "tip",
        "dump",
        "dechets verts",
        "encombrants",
    ),
    "creche": ("creche", "nursery", "daycare", "multi accueil", "garderie"),
    "mediatheque": ("mediatheque", "bibliotheque", "bibli", "biblio", "library", "ludotheque"),
    "mairie": ("mairie", "town hall", "townhall", "city hall", "cityhall", "hotel de ville"),
}
# The first part of a hyphenated commune name is enough when it names nothing else.
_GENERIC_FIRST_PARTS = {"vieille", "saint", "sainte"}
FUZZY = 0.9  # below, "nouvelles" would be read as Noueilles

_DEFINITION_PREFIX = re.compile(
    r"^(?:c est quoi|c koi|c quoi|c est qui|qu est ce que c est que?|qu est ce que ca veut dire|"
    r"qu est ce que|"
    r"qu est ce qu|qu est ce|que veut dire|que signifie|ca veut dire quoi|"
    r"definition(?: du mot| de| du| des| d)?|explique moi|explication du terme|"
    r"signification(?: de| du| des)?|je ne comprends pas le mot|"
    r"what (?:is|s) the meaning of|what is|what s|what does|"
    r"what are|define|meaning of|explain)\b\s*"
)
_DEFINITION_SUFFIX = re.compile(
    r"\s*\b(?:c est quoi|c quoi|c koi|ca veut dire quoi|veut dire quoi|c est qui|definition|mean|"
    r"stand for|means)$"
)
_ARTICLE = re.compile(r"^(?:un|une|le|la|les|l|d|du|de|des|a|an|the|acronyme|sigle|mot|terme)\s+")


def normalize(text: str) -> str:
    """Lower case, no accents, words separated by single spaces: 'Labège' -> 'labege'."""
    text = text.lower().replace("œ", "oe").replace("æ", "ae")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.findall(r"[a-z0-9]+", text))


@dataclass
class Details:
    commune: str = ""  # the commune's name as the territory spells it
    day: str = ""  # a weekday, "today", "tomorrow", "after_tomorrow" or "weekend"
    moment: str = ""  # "morning", "afternoon", "evening"
    service: str = ""  # a key of SERVICE_WORDS
    term: str = ""  # for definitions: the words asked about, normalised
    words: list[str] = field(default_factory=list)  # the question's meaningful words

    def as_dict(self) -> dict:
        return {
            "commune": self.commune,
            "day": self.day,
            "moment": self.moment,
            "service": self.service,
            "term": self.term,
        }


@lru_cache(maxsize=8)
def _aliases(communes: tuple[str, ...]) -> tuple[tuple[tuple[str, ...], str], ...]:
    """(alias words, commune name) pairs: the full name and, when distinctive, its first part."""
    firsts: dict[str, int] = {}
    for name in communes:
        first = normalize(name).split()[0]
        firsts[first] = firsts.get(first, 0) + 1
    pairs = []
    for name in communes:
        words = tuple(normalize(name).split())
        pairs.append((words, name))
        first = words[0]
        if (
            len(words) > 1
            and len(first) >= 6
            and firsts[first] == 1
            and first not in _GENERIC_FIRST_PARTS
        ):
            pairs.append(((first,), name))
    return tuple(pairs)


def _similar(a: str, b: str, threshold: float = FUZZY) -> float:
    """How alike two words are (difflib's ratio), or 0 when below the threshold."""
    if a == b:
        return 1.0
    if min(len(a), len(b)) < 5 or abs(len(a) - len(b)) > 2:
        return 0.0
    matcher = SequenceMatcher(None, a, b)
    if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
        return 0.0
    ratio = matcher.ratio()
    return ratio if ratio >= threshold else 0.0


def find_commune(tokens: list[str], communes: tuple[str, ...]) -> tuple[str, int, int]:
    """The commune named in the tokens, and where: (name, first token, past the last)."""
    best, best_score, best_len, span = "", 0.0, 0, (0, 0)
    for alias, name in _aliases(communes):
        size = len(alias)
        target = " ".join(alias)
        for i in range(len(tokens) - size + 1):
            window = " ".join(tokens[i : i + size])
            score = (
                1.0 if window == target else (_similar(window, target) if len(target) >= 6 else 0)
            )
            # Exact beats fuzzy; then the longer alias ("castanet tolosan" over "castanet").
            if score >= FUZZY and (score, size) > (best_score, best_len):
                best, best_score, best_len, span = name, score, size, (i, i + size)
    return best, *span


def _find_phrases(text: str, details: Details) -> None:
    padded = f" {text} "
    for phrase, values in _PHRASES:
        if f" {phrase} " in padded:
            for key, value in values.items():
                if not getattr(details, key):
                    setattr(details, key, value)
            padded = padded.replace(f" {phrase} ", " ")


def _find_weekday(tokens: list[str]) -> str:
    for token in tokens:
        if token in DAY_WORDS:
            return DAY_WORDS[token]
    for token in tokens:
        for word, day in DAY_WORDS.items():
            if len(token) >= 5 and _similar(token, word, 0.8):
                return day
    return ""


def find_service(text: str, tokens: list[str]) -> str:
    padded = f" {text} "
    for key, words in SERVICE_WORDS.items():
        if any(f" {w} " in padded for w in words):
            return key
    for key, words in SERVICE_WORDS.items():
        for word in words:
            if len(word) >= 6 and " " not in word and any(_similar(t, word, 0.85) for t in tokens):
                return key
    return ""


_FILLERS = frozenset("exactement deja donc svp stp please exactly precisement".split())


def definition_term(text: str) -> str:
    """The words a definition question asks about: 'c'est quoi un PCAET' -> 'pcaet'."""
    text = " ".join(w for w in text.split() if w not in _FILLERS)
    term = _DEFINITION_PREFIX.sub("", text)
    term = _DEFINITION_SUFFIX.sub("", term)
    previous = None
    while previous != term:
        previous = term
        term = _ARTICLE.sub("", term)
    return term.strip()


STOPWORDS = frozenset(
    "a au aux avec ce ces c cette de des du d en est et il j je l la le les leur ma mes mon "
    "ne on ou par pas pour qu que quel quelle quels quelles qui quoi sa se ses son sur t ta "
    "te tes un une vos votre y s n m the of to in on at is are a an for and or do does how "
    "what when where which who can i my me it this that be svp stp est-ce ca comment quand "
    "combien".split()
)


def details_of(question: str, communes: tuple[str, ...]) -> Details:
    text = normalize(question)
    tokens = text.split()
    details = Details()
    details.commune = find_commune(tokens, communes)[0]
    _find_phrases(text, details)
    if not details.day:
        details.day = _find_weekday(tokens)
    details.service = find_service(text, tokens)
    details.term = definition_term(text)
    details.words = [t for t in tokens if t not in STOPWORDS and len(t) > 1]
    return details


_ENGLISH = frozenset(
    "the is are what when where how does do which who can my of in on to an next open "
    "opening hours there any this tomorrow today tonight".split()
)
_FRENCH = frozenset(
    "le la les est quand ou comment quel quelle de du des je mon ma ouvert ouverte prochaine "
    "prochain c qu un une il y ce cette demain aujourd soir matin horaires".split()
)


def language_of(question: str) -> str:
    """ "en" or "fr" when the question's little words say so clearly, else ""."""
    tokens = normalize(question).split()
    english = sum(t in _ENGLISH for t in tokens)
    french = sum(t in _FRENCH for t in tokens)
    if english >= 2 and english > 2 * french:
        return "en"
    if french >= 2 and french > 2 * english:
        return "fr"
    return ""


def masked(question: str, communes: tuple[str, ...]) -> str:
    """The question as the classifier reads it: normalised, any commune replaced by one word,
    so that a few hundred examples do not learn the names of places."""
    tokens = normalize(question).split()
    name, start, end = find_commune(tokens, communes)
    if name:
        tokens[start:end] = ["lacommune"]
    return " ".join(tokens)
