"""Synthetic contributions and votes with a known structure.

For the tests (is the planted structure found?), the benchmarks (realistic sizes) and demos.
Everything is drawn from a seeded generator, so the same seed gives the same data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Each theme: noun phrases, and the places or objects they go with. The vocabularies do not
# overlap, so a good clustering recovers the themes.
THEMES: dict[str, tuple[list[str], list[str]]] = {
    "mobilité": (
        [
            "les pistes cyclables",
            "la ligne de bus",
            "les transports en commun",
            "le covoiturage",
            "les horaires du bus",
            "un parking relais",
            "la navette vers le métro",
            "les trottoirs",
            "le stationnement des vélos",
            "la desserte en train",
            "les arrêts de bus abrités",
            "la circulation des voitures",
        ],
        [
            "vers la gare",
            "jusqu'au métro",
            "aux heures de pointe",
            "pour les cyclistes",
            "pour aller au travail",
            "le dimanche",
        ],
    ),
    "école": (
        [
            "la cantine scolaire",
            "les enseignants",
            "les classes surchargées",
            "l'accueil périscolaire",
            "la garderie du matin",
            "les places en crèche",
            "la bibliothèque de l'école",
            "les devoirs accompagnés",
            "la cour de récréation",
            "les sorties scolaires",
            "les repas bio à la cantine",
            "le collège",
        ],
        [
            "pour les élèves",
            "pour les enfants",
            "pendant les vacances scolaires",
            "avec les parents d'élèves",
            "dès la maternelle",
            "après la classe",
        ],
    ),
    "environnement": (
        [
            "le compostage collectif",
            "le tri des déchets",
            "les jardins partagés",
            "la plantation d'arbres",
            "les haies champêtres",
            "la biodiversité",
            "les pesticides",
            "les panneaux solaires",
            "la rivière",
            "le recyclage des encombrants",
            "les déchets verts",
            "les économies d'eau",
        ],
        [
            "dans chaque quartier",
            "le long du canal",
            "sur les toits publics",
            "près de la déchetterie",
            "pour protéger la faune",
            "contre le réchauffement climatique",
        ],
    ),
    "santé": (
        [
            "les médecins généralistes",
            "une maison de santé",
            "les urgences",
            "la pharmacie de garde",
            "les infirmières à domicile",
            "les rendez-vous chez le dentiste",
            "la prévention",
            "les soins aux personnes âgées",
            "le dépistage",
            "la téléconsultation",
            "les kinésithérapeutes",
            "le centre de vaccination",
        ],
        [
            "pour les patients",
            "pour les seniors",
            "la nuit et le week-end",
            "sans attendre des mois",
            "près de chez nous",
            "pour les malades chroniques",
        ],
    ),
    "culture": (
        [
            "la médiathèque",
            "les concerts en plein air",
            "la salle des fêtes",
            "le festival de théâtre",
            "les ateliers de peinture",
            "le cinéma itinérant",
            "les expositions d'artistes",
            "la chorale",
            "les spectacles de danse",
            "le musée",
            "les cours de musique",
            "les fêtes de village",
        ],
        [
            "pour les familles",
            "avec les artistes locaux",
            "le samedi soir",
            "à prix réduit",
            "en été",
            "pour les adolescents",
        ],
    ),
    "sport": (
        [
            "la piscine municipale",
            "le stade de football",
            "les terrains de tennis",
            "le gymnase",
            "les parcours sportifs",
            "les clubs de rugby",
            "le skatepark",
            "les cours de natation",
            "la salle d'escalade",
            "les courses à pied",
            "le city stade",
            "les vestiaires",
        ],
        [
            "pour les jeunes",
            "avec les clubs",
            "le mercredi après-midi",
            "en accès libre",
            "pour les compétitions",
            "toute l'année",
        ],
    ),
    "logement": (
        [
            "les logements sociaux",
            "les loyers",
            "la rénovation énergétique",
            "l'isolation des maisons",
            "les permis de construire",
            "les lotissements",
            "les logements vacants",
            "la colocation intergénérationnelle",
            "les aides à la rénovation",
            "l'habitat participatif",
            "les résidences étudiantes",
            "les copropriétés dégradées",
        ],
        [
            "pour les jeunes ménages",
            "pour les familles modestes",
            "en centre bourg",
            "sans bétonner les champs",
            "avant l'hiver",
            "pour les étudiants",
        ],
    ),
    "commerce": (
        [
            "les commerces de proximité",
            "le marché de plein vent",
            "les producteurs locaux",
            "les circuits courts",
            "les artisans",
            "la boulangerie",
            "les boutiques vides",
            "la zone artisanale",
            "l'épicerie solidaire",
            "les magasins de producteurs",
            "les emplois locaux",
            "la monnaie locale",
        ],
        [
            "dans le centre du village",
            "le samedi matin",
            "face aux grandes surfaces",
            "pour faire vivre le bourg",
            "avec les agriculteurs",
            "pour les clients",
        ],
    ),
}

_OPENINGS = [
    "Nous devrions",
    "J'ai une idée !",
    "Je voudrais",
    "Il faudrait",
    "Comment pourrions-nous",
    "Nous avons besoin de",
    "Je propose de",
    "",
]
# Off-topic objects: noise that belongs to no theme.
_NOISE = [
    "le site internet de la mairie",
    "les horaires de la mairie",
    "le bulletin municipal",
    "les réunions publiques",
    "les panneaux d'affichage",
    "le conseil municipal des jeunes",
    "la fibre optique",
    "les illuminations de Noël",
    "le cimetière",
    "les toilettes publiques",
    "l'éclairage public",
    "les démarches en ligne",
]
_VERBS = [
    "améliorer",
    "développer",
    "soutenir",
    "multiplier",
    "rénover",
    "financer",
    "ouvrir davantage",
    "mieux organiser",
    "moderniser",
    "étendre",
]
_PLACES = [
    "à Castanet-Tolosan",
    "à Labège",
    "à Ramonville",
    "à Escalquens",
    "à Auzeville",
    "à Lacroix-Falgarde",
    "à Montgiscard",
    "dans notre commune",
    "sur tout le Sicoval",
    "",
    "",
    "",
]
_REASONS = [
    "",
    "",
    "",
    "car la situation actuelle ne convient à personne",
    "parce que les familles le demandent depuis longtemps",
    "pour réduire la pollution",
    "afin de créer du lien entre les générations",
    "comme cela se fait dans les communes voisines",
    "sans augmenter les impôts",
    "avec l'aide de la région",
    "en concertation avec les associations",
    "pour que personne ne soit laissé de côté",
    "tant que le budget le permet",
    "avant la fin du mandat",
    "grâce aux bénévoles du quartier",
    "en priorité dans les hameaux isolés",
]
_ENDINGS = [
    "",
    "",
    "",
    "C'est urgent.",
    "Merci d'y penser.",
    "Ce serait un vrai progrès pour tous les habitants.",
    "Beaucoup de voisins sont d'accord.",
    "Merci d'avance.",
    "À étudier vite.",
    "Vraiment nécessaire !",
    "On compte sur vous !",
    "Qu'en pensez-vous ?",
]


@dataclass(frozen=True)
class SyntheticTexts:
    texts: list[str]
    themes: list[int]  # index of the planted theme of each text, -1 campaign copy, -2 noise
    theme_names: list[str]
    campaign: list[int]  # row numbers of the campaign's near-identical texts


def synthetic_texts(
    n: int,
    *,
    n_themes: int = 4,
    seed: int = 0,
    campaign_size: int = 0,
    shares: list[float] | None = None,
    noise: float = 0.0,
) -> SyntheticTexts:
    """`n` short contributions, each about one of `n_themes` themes, plus optionally a
    campaign of `campaign_size` near-identical texts (same text, small edits), shuffled in.

    `shares` weighs the themes (equal by default); a share `noise` of the texts are about no
    theme (their theme is -2): the same phrasing around a noun phrase drawn at random from
    every theme's places and objects."""
    if not 1 <= n_themes <= len(THEMES):
        raise ValueError(f"n_themes must be between 1 and {len(THEMES)}")
    if shares is not None and len(shares) != n_themes:
        raise ValueError("one share per theme")
    rng = np.random.default_rng(seed)
    names = list(THEMES)[:n_themes]
    probabilities = None if shares is None else np.asarray(shares) / np.sum(shares)
    texts: list[str] = []
    themes: list[int] = []
    contexts_anywhere = [c for _, contexts in THEMES.values() for c in contexts]
    for _ in range(n):
        if noise and rng.random() < noise:
            parts = [
                _OPENINGS[rng.integers(len(_OPENINGS))],
                _VERBS[rng.integers(len(_VERBS))],
                _NOISE[rng.integers(len(_NOISE))],
                contexts_anywhere[rng.integers(len(contexts_anywhere))],
                _REASONS[rng.integers(len(_REASONS))],
            ]
            texts.append(" ".join(p for p in parts if p) + ".")
            themes.append(-2)
            continue
        if probabilities is None:
            t = int(rng.integers(n_themes))
        else:
            t = int(rng.choice(n_themes, p=probabilities))
        nouns, contexts = THEMES[names[t]]
        picked = rng.choice(len(nouns), size=3, replace=False)
        third = rng.random() < 0.3
        parts = [
            _OPENINGS[rng.integers(len(_OPENINGS))],
            _VERBS[rng.integers(len(_VERBS))],
            nouns[picked[0]] + ("," if third else ""),
            nouns[picked[2]] if third else "",
            "et" if rng.random() < 0.5 else "ainsi que",
            nouns[picked[1]],
            contexts[rng.integers(len(contexts))],
            _PLACES[rng.integers(len(_PLACES))],
            _REASONS[rng.integers(len(_REASONS))],
        ]
        sentence = " ".join(p for p in parts if p) + "."
        ending = _ENDINGS[rng.integers(len(_ENDINGS))]
        texts.append(f"{sentence} {ending}".strip())
        themes.append(t)

    campaign_rows: list[int] = []
    if campaign_size:
        base = (
            "Non à la fermeture du bureau de poste de Montlaur ! Nous, habitants du village, "
            "demandons le maintien du service postal six jours sur sept et de son guichet."
        )
        signatures = ["Marie", "Jean-Pierre", "la famille Martin", "un habitant", "Sophie D."]
        copies = []
        for i in range(campaign_size):
            text = base
            if i % 3 == 1:
                text = text.upper()
            if i % 4 == 2:
                text = text.replace("demandons", "exigeons")
            if i % 5 == 3:
                text = f"{text} Signé : {signatures[i % len(signatures)]}."
            copies.append(text)
        positions = np.sort(rng.choice(n + campaign_size, size=campaign_size, replace=False))
        for position, text in zip(positions.tolist(), copies, strict=True):
            texts.insert(position, text)
            themes.insert(position, -1)
        campaign_rows = positions.tolist()
    return SyntheticTexts(texts, themes, names, campaign_rows)


@dataclass(frozen=True)
class SyntheticVotes:
    values: np.ndarray  # participants x statements: 1, -1, 0, NaN when not voted
    groups: np.ndarray  # planted group of each participant
    group_statements: list[list[int]]  # per group, the statements it alone agrees with
    consensus_statements: list[int]  # statements every group agrees with
    divisive_statements: list[int]  # statements every group disagrees with


def synthetic_votes(
    n_participants: int,
    n_statements: int,
    *,
    n_groups: int = 3,
    fill: float = 0.3,
    agreement: float = 0.85,
    n_consensus: int = 3,
    per_group: int = 5,
    seed: int = 0,
) -> SyntheticVotes:
    """A vote matrix with `n_groups` planted opinion groups.

    Each group has `per_group` statements that it agrees with and that the other groups reject,
    all groups agree with `n_consensus` statements and reject `n_consensus` others, each with
    probability `agreement`; on the remaining statements each group leans mildly one way or
    the other (agrees with probability between 0.3 and 0.7). Each participant votes on a
    random `fill` share of the statements (the planted ones are seen more often, as the most
    voted statements are in practice) and passes 5 % of the time.
    """
    rng = np.random.default_rng(seed)
    needed = n_groups * per_group + 2 * n_consensus
    if needed > n_statements:
        raise ValueError(f"need at least {needed} statements")
    order = rng.permutation(n_statements)
    group_statements = [
        sorted(order[g * per_group : (g + 1) * per_group].tolist()) for g in range(n_groups)
    ]
    start = n_groups * per_group
    consensus = sorted(order[start : start + n_consensus].tolist())
    divisive = sorted(order[start + n_consensus : start + 2 * n_consensus].tolist())

    # Probability that a member of each group agrees with each statement.
    p_agree = rng.uniform(0.3, 0.7, size=(n_groups, n_statements))
    for g, own in enumerate(group_statements):
        p_agree[:, own] = 1.0 - agreement
        p_agree[g, own] = agreement
    p_agree[:, consensus] = agreement
    p_agree[:, divisive] = 1.0 - agreement

    groups = rng.integers(n_groups, size=n_participants)
    agrees = rng.random((n_participants, n_statements)) < p_agree[groups]
    values = np.where(agrees, 1.0, -1.0)
    values[rng.random((n_participants, n_statements)) < 0.05] = 0.0
    seen_probability = np.full(n_statements, fill)
    planted = [s for own in group_statements for s in own] + consensus + divisive
    seen_probability[planted] = max(fill, 0.8)
    values[rng.random((n_participants, n_statements)) >= seen_probability] = np.nan
    return SyntheticVotes(values, groups, group_statements, consensus, divisive)
