"""The climate-plan demo consultation, built from real French citizen proposals.

The proposals come from the 2020 "Construisons demain" consultation (Civocracy, CC0), shipped
in data/; the people, communes, votes and answers around them are generated.
"""

import csv
import random
import re
import unicodedata
from datetime import timedelta
from pathlib import Path

from civic.accounts.models import User
from civic.analysis.pipeline.openings import strip_opening
from civic.analysis.pipeline.text import shorten, words
from civic.consultations import services
from civic.consultations.models import VOTE_AGREE, VOTE_DISAGREE, VOTE_PASS, GlossaryTerm
from civic.core.models import utcnow
from civic.extensions import db

SOURCE = Path(__file__).parent / "data" / "civocracy_construisons_demain_2020-04-30.csv"
# Drawn for this demo by the project, as its code is (no image from elsewhere).
COVER = Path(__file__).parent / "data" / "plan-climat-cover.png"
THEMES = {
    "Environnement et développement durable": "Environnement",
    "Transports et Mobilité": "Mobilité",
    "Urbanisme et aménagement": "Aménagement",
    "Économie": "Économie locale",
    "Société et vivre ensemble": "Vivre ensemble",
}
GLOSSARY = [
    (
        "PCAET",
        "Plan climat-air-énergie territorial : la feuille de route du Sicoval pour réduire "
        "les émissions de gaz à effet de serre et s'adapter au changement climatique.",
    ),
    (
        "SCoT",
        "Schéma de cohérence territoriale : le document qui organise l'aménagement de la "
        "grande agglomération toulousaine sur vingt ans.",
    ),
    (
        "PLUi",
        "Plan local d'urbanisme intercommunal : les règles de construction communes à "
        "plusieurs communes.",
    ),
    ("CODEV", "Conseil de développement : l'instance citoyenne du Sicoval, qui modère Civic."),
    ("GES", "Gaz à effet de serre, comme le dioxyde de carbone ou le méthane."),
]
SURNAME_INITIALS = "BMRDLGPFCVTSHN"
# Words of proposals whose subject is the State's or the Region's, not the Sicoval's (the
# analysis's demo answers groups with them too).
NATIONAL = (
    "banque",
    "entreprise",
    "dividende",
    "taxe",
    "taxer",
    "impot",
    "national",
    "gouvern",
    "fret",
    "ferroviaire",
    "aerien",
)
FIRST_NAMES = [
    "Camille",
    "Louis",
    "Inès",
    "Jules",
    "Manon",
    "Hugo",
    "Léa",
    "Nathan",
    "Chloé",
    "Lucas",
    "Sarah",
    "Gabriel",
    "Emma",
    "Arthur",
    "Jade",
    "Raphaël",
    "Louise",
    "Paul",
    "Alice",
    "Yanis",
    "Zoé",
    "Adam",
    "Lina",
    "Tom",
    "Rose",
    "Malik",
]


# Words that show a text is not French: the original form also ran in English and German.
FOREIGN_WORDS = frozenset(
    "the and to of is this would should with we our us you your it be are was were "
    "und die der das ist nicht wir mit ein eine auch".split()
)


def read_proposals() -> list[tuple[str, str]]:
    """(text, theme) of the real proposals whose theme fits a climate plan, without the
    prompt the original form put before each ("Nous devrions", "I have an idea !"…), and
    without the few written in another language."""
    with SOURCE.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle, delimiter=";"))[6:]
    found = []
    for row in rows:
        if len(row) < 5 or not row[2].strip():
            continue
        theme = THEMES.get(row[4].split(",")[0].strip())
        text = strip_opening(" ".join(row[2].split()))
        if theme and not FOREIGN_WORDS & set(words(text)):
            found.append((text, theme))
    return found


def title_of(text: str) -> str:
    for prefix in (
        "Nous devrions ",
        "J'ai une idée ! ",
        "J'ai une idée !",
        "Comment pourrions-nous ",
    ):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    text = text[0].upper() + text[1:]
    # A title is the first sentence, whole; a long one ends at its last clause that fits.
    sentence = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0].rstrip(".")
    if len(sentence) <= 120:
        return sentence
    clauses = re.split(r"(?<=[,;:])\s|\s(?=et |ou |pour |afin )", sentence)
    title = clauses[0]
    for clause in clauses[1:]:
        if len(title) + len(clause) + 1 > 120:
            break
        title += " " + clause
    if title.count("(") > title.count(")"):  # an aside left open: end before it
        title = title[: title.rindex("(")]
    # A first clause with no break in it is cut at a word boundary.
    return shorten(title.rstrip(",;: "), 120)


def load(people: dict[str, User], communes: list) -> None:
    rng = random.Random(2026)  # noqa: S311  # nosec B311 - reproducible demo data, not security
    profiles = random.Random(7)  # noqa: S311  # nosec B311 - apart, so that rng's draws stay
    now = utcnow()
    agent, elected = people["agent"], people["elected"]
    db.session.add_all(GlossaryTerm(term=t, definition=d) for t, d in GLOSSARY)
    citizens = []
    for i, name in enumerate(FIRST_NAMES):
        commune = rng.choices(communes, weights=[c.population for c in communes])[0]
        user = User(
            email=f"habitant{i + 1}@civic-demo.example.org",
            password_hash=None,
            # A first name and an initial, as residents sign: the card shows the commune.
            display_name=f"{name} {SURNAME_INITIALS[i % len(SURNAME_INITIALS)]}.",
            commune=commune,
            email_confirmed_at=now,
            charter_accepted_at=now,
            last_seen_at=now,
            # Residents who joined over the past months: not a burst of new accounts, which
            # the duplicate filter rightly holds when they post the same words.
            created_at=now - timedelta(days=30 + 3 * i),
        )
        # Most demo citizens gave their statistical profile, so that the diversity figures
        # and the synthesis show something; the others kept it to themselves.
        if profiles.random() < 0.8:
            user.stats_consent_at = now
            user.age_bracket = profiles.choice(["15-29", "30-44", "45-59", "60-74", "75+"])
            user.gender = profiles.choice(["female", "male"])
        db.session.add(user)
        citizens.append(user)
    citizens.append(people["citizen"])
    db.session.flush()

    climate = services.save_consultation(
        agent,
        None,
        title="Plan climat du Sicoval : à vous de proposer",
        slug="plan-climat",
        theme="Climat",
        communes=[],
        agree_limit=10,
        premoderation=False,
        summary="Le Sicoval révise son plan climat-air-énergie. Proposez des actions, débattez "
        "et votez : chaque proposition recevra une réponse argumentée des élus.",
        body="<p>Le PCAET fixe les actions du Sicoval pour réduire les émissions de GES, "
        "économiser l'énergie et adapter le territoire aux fortes chaleurs.</p>"
        "<p>Après les commissions territoriales réservées aux élus, la concertation "
        "s'ouvre à tous les habitants des 36 communes.</p>"
        "<ul><li>Mobilités du quotidien</li><li>Rénovation des logements</li>"
        "<li>Alimentation et agriculture locale</li></ul>",
    )
    phases = [
        (
            "Commissions territoriales des élus",
            -60,
            -31,
            ["information", "proposing", "commenting"],
            "role",
        ),
        (
            "Propositions et débats ouverts à tous",
            -30,
            21,
            ["information", "proposing", "commenting", "voting"],
            "public",
        ),
        ("Analyse des contributions", 21, 35, ["information", "analysis"], "public"),
        ("Décision et réponses", 35, 50, ["information", "decision"], "public"),
        ("Suivi de la mise en œuvre", 50, 400, ["information", "followup"], "public"),
    ]
    for title, start, end, features, audience in phases:
        services.add_phase(
            agent,
            climate,
            title=title,
            description="",
            starts_at=now + timedelta(days=start),
            ends_at=now + timedelta(days=end),
            features=features,
            audience=audience,
            audience_role="elected" if audience == "role" else None,
        )
    services.set_cover(
        agent,
        climate,
        COVER.read_bytes(),
        "Dessin : des collines du Lauragais avec des éoliennes, un village aux toits "
        "équipés de panneaux solaires et une personne à vélo sur une piste cyclable.",
    )
    services.publish(agent, climate)

    proposals = []
    for text, theme in read_proposals()[:140]:
        author = rng.choice(citizens)
        proposal = services.submit_proposal(
            author,
            climate,
            title=title_of(text),
            body=text,
            theme=theme,
            commune_id=author.commune_id,
        )
        proposal.created_at = now - timedelta(days=rng.randint(0, 29), hours=rng.randint(0, 23))
        proposals.append(proposal)
    for place, channel, text in [
        (
            "accueil de Castanet-Tolosan",
            "counter",
            "Mettre des abris vélos sécurisés près des arrêts de bus du Linéo.",
        ),
        (
            "accueil de Ramonville-Saint-Agne",
            "paper",
            "Organiser des ateliers de réparation d'appareils dans les médiathèques.",
        ),
        (
            "standard du Sicoval",
            "phone",
            "Aider les personnes âgées à isoler leur maison sans avancer l'argent.",
        ),
    ]:
        services.enter_contribution(
            agent,
            climate,
            title=title_of(text),
            body=text,
            theme="Environnement",
            commune_id=None,
            channel=channel,
            place=place,
        )
    db.session.flush()

    spent = 0  # the demo citizen keeps "d'accord" to give: whoever tries the demo can support
    for proposal in proposals:
        for voter in rng.sample(citizens, rng.randint(0, 9)):
            value = rng.choices([VOTE_AGREE, VOTE_DISAGREE, VOTE_PASS], [6, 3, 1])[0]
            if voter is people["citizen"] and value == VOTE_AGREE:
                spent += 1
                if spent > 6:
                    continue
            try:
                with db.session.begin_nested():
                    services.cast_vote(voter, proposal, value)
            except services.ConsultationError:
                pass  # this demo citizen has spent all ten "d'accord"
    # Each remark with the stance its words take; nobody writes the same remark twice (the
    # duplicate filter would rightly hold it), and the comments have their own random draws.
    remarks = [
        ("Tout à fait d'accord, c'est urgent.", "for"),
        ("Bonne idée, à condition de commencer par les écoles.", "for"),
        ("Dans ma commune, cela existe déjà et marche bien.", "for"),
        ("Je soutiens, surtout pour les familles sans voiture.", "for"),
        ("Oui, et il faudrait associer les associations du quartier.", "for"),
        ("Excellente proposition, simple à mettre en place.", "for"),
        ("Enfin une idée concrète, j'espère qu'elle sera retenue.", "for"),
        ("D'accord sur le principe, il faudra un calendrier précis.", "for"),
        ("Et qui paiera ? Les impôts locaux ont déjà augmenté.", "against"),
        ("Je crains que cela ne profite qu'aux grandes communes.", "against"),
        ("Pas convaincu : on a essayé il y a dix ans, sans succès.", "against"),
        ("Cela risque de pénaliser ceux qui habitent loin de tout.", "against"),
        ("Le coût me paraît trop élevé pour un effet incertain.", "against"),
        ("Ce n'est pas la priorité, les routes sont en mauvais état.", "against"),
        ("Quel serait le coût pour une commune comme la mienne ?", "neutral"),
        ("Y a-t-il des exemples dans d'autres intercommunalités ?", "neutral"),
        ("Il faudrait d'abord connaître l'avis des agriculteurs.", "neutral"),
        ("À voir selon les résultats de l'étude annoncée.", "neutral"),
        ("Les horaires proposés conviennent-ils aux personnes qui travaillent ?", "neutral"),
        ("Une réunion publique permettrait d'en discuter plus en détail.", "neutral"),
    ]
    talk = random.Random(11)  # noqa: S311  # nosec B311 - reproducible demo data
    said: dict[int, set[int]] = {}
    when = random.Random(13)  # noqa: S311  # nosec B311 - the comments' dates, apart
    for proposal in talk.sample(proposals, 40):
        under: set[int] = set()  # nor does the same remark come twice under one proposal
        posted = proposal.created_at
        for _ in range(talk.randint(1, 4)):
            author = talk.choice(citizens)
            fresh = [
                i
                for i in range(len(remarks))
                if i not in said.setdefault(author.id, set()) and i not in under
            ]
            if not fresh:
                continue
            choice = talk.choice(fresh)
            said[author.id].add(choice)
            under.add(choice)
            body, stance = remarks[choice]
            comment = services.add_comment(author, proposal, body=body, stance=stance)
            # Written over the days after the proposal, not all in the minute the demo loads.
            later = timedelta(hours=when.randint(3, 60), minutes=when.randint(0, 59))
            posted = min(now, posted + later)
            comment.created_at = posted
    answers = [
        (
            "retained",
            "Cette action est inscrite au programme 2027 du plan climat, avec un budget dédié.",
        ),
        (
            "partly_retained",
            "Retenue pour les communes de plus de 5 000 habitants dans un "
            "premier temps ; une étude suivra pour les autres.",
        ),
        (
            "not_retained",
            "Le coût est trop élevé au regard du gain attendu ; nous préférons "
            "renforcer les aides existantes.",
        ),
        (
            "out_of_scope",
            "Cette question relève de l'État ou de la Région ; nous l'avons "
            "transmise à leurs services.",
        ),
        (
            "under_study",
            "Les services techniques étudient la faisabilité ; réponse "
            "définitive à l'issue de l'analyse.",
        ),
    ]
    by_status = dict(answers)
    for proposal in sorted(proposals, key=lambda p: -p.agree_count)[:12]:
        status, text = rng.choice(answers)
        # National matters get "out of scope", and only they: an answer that fits the words.
        plain = unicodedata.normalize("NFKD", proposal.title.lower()).encode("ascii", "ignore")
        if any(w in plain.decode() for w in NATIONAL):
            status = "out_of_scope"
        elif status == "out_of_scope":
            status = "partly_retained"
        text = by_status[status]
        services.answer_proposal(
            elected,
            proposal,
            status=status,
            text=text,
            signed_as="Vice-présidente chargée de la transition écologique",
        )
        if status in ("retained", "partly_retained"):
            services.add_milestone(
                agent,
                proposal,
                title="Étude de faisabilité",
                description="Lancée avec les communes concernées.",
                due_on=now + timedelta(days=60),
                progress=25,
            )
    services.follow(people["citizen"], climate, daily=False)
    db.session.flush()
