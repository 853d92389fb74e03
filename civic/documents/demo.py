"""The demo's draft climate plan: a short PCAET in the climate consultation, with reactions
and amendments from both phases (the elected officials', then the public one), answers to
all of them and a version 2 that integrates three amendments.

The figures are orders of magnitude for an intercommunal authority of 80,000 inhabitants,
written for the demonstration: they are not the Sicoval's official figures.
"""

from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from civic.accounts.models import RoleGrant, User
from civic.consultations.models import Consultation
from civic.core.models import utcnow
from civic.documents import services
from civic.documents.models import Amendment, Reaction
from civic.documents.text import parse
from civic.extensions import db

# Markdown (the import convention of text.py); .txt so that the package data ships it.
PLAN = (Path(__file__).parent / "data" / "plan-climat.txt").read_text(encoding="utf-8")

# (passage number or action, who: "elected" or a resident's index, kind, text)
REACTIONS = [
    ("§ 1", "elected", "question", "Quelle est la source de ces chiffres et leur année ?"),
    ("Action 1", "elected", "agree", ""),
    ("Action 6", "elected", "disagree", "L'extinction doit rester le choix de chaque commune."),
    ("§ 1", 0, "agree", ""),
    ("§ 2", 1, "question", "Comment est calculée la part des énergies renouvelables ?"),
    ("§ 3", 2, "agree", "Les fissures dans les maisons des coteaux en témoignent."),
    ("§ 4", 3, "disagree", "40 % en 2035, c'est trop peu au regard de l'urgence."),
    ("§ 4", 4, "agree", ""),
    ("Action 1", 5, "agree", "Enfin ! Le trajet Escalquens-Labège est dangereux à vélo."),
    ("Action 1", 6, "agree", ""),
    ("Action 1", 7, "question", "Le calendrier des travaux sera-t-il publié ?"),
    ("Action 2", 8, "disagree", "Les aires existantes sont déjà vides."),
    ("Action 3", 9, "agree", "Indispensable pour les communes du sud du territoire."),
    ("Action 3", 10, "agree", ""),
    ("Action 4", 11, "agree", ""),
    ("Action 4", 12, "question", "Les locataires pourront-ils aussi être accompagnés ?"),
    ("Action 6", 13, "agree", "Nous l'avons fait à Odars : personne ne le regrette."),
    ("Action 7", 14, "agree", ""),
    ("Action 8", 15, "question", "Quels quartiers seraient raccordés en premier ?"),
    ("Action 9", 16, "disagree", "Attention aux odeurs et au trafic des camions."),
    ("Action 10", 17, "agree", ""),
    ("Action 12", 18, "agree", "Et une légumerie intercommunale ?"),
]

# (passage, who, new wording as a function of the old, reason, decision, justification,
#  integrated in version 2)
AMENDMENTS = [
    (
        "§ 4",
        "elected",
        lambda t: t.replace("40 %", "50 %"),
        "La stratégie nationale bas-carbone demande davantage.",
        "partly",
        "L'objectif 2035 passe à 45 % : 50 % supposerait des moyens que le budget "
        "pluriannuel ne permet pas encore.",
        False,
    ),
    (
        "Action 1",
        3,
        lambda t: t.replace(
            "en priorité vers les gares",
            "en priorité vers les écoles, les collèges, les gares",
        ),
        "Les enfants doivent pouvoir aller à l'école à vélo en sécurité.",
        "integrated",
        "Les trajets domicile-école deviennent prioritaires dans le schéma cyclable.",
        True,
    ),
    (
        "Action 4",
        12,
        lambda t: t.replace(
            "accompagne gratuitement les ménages",
            "accompagne gratuitement les ménages, propriétaires comme locataires,",
        ),
        "Les locataires subissent les passoires thermiques sans pouvoir agir.",
        "integrated",
        "Le guichet accompagnera aussi les locataires et leurs bailleurs.",
        True,
    ),
    (
        "Action 12",
        18,
        lambda t: t + " Créer une légumerie intercommunale pour préparer les produits frais.",
        "Sans légumerie, les cantines ne peuvent pas utiliser les légumes bruts.",
        "integrated",
        "Une étude de légumerie est ajoutée à l'action, avec un premier budget.",
        True,
    ),
    (
        "Action 6",
        "elected",
        lambda t: t.replace("de 23 h à 5 h", "de minuit à 5 h"),
        "Les commerces du centre-bourg ferment tard.",
        "not_retained",
        "Les communes restent libres de leurs horaires ; la plage de 23 h à 5 h est celle "
        "qui économise le plus tout en respectant l'activité des centres.",
        False,
    ),
    (
        "Action 3",
        9,
        lambda t: t.replace("toutes les 15 minutes", "toutes les 10 minutes"),
        "Quinze minutes d'attente découragent de laisser la voiture.",
        "out_of_scope",
        "La fréquence des lignes relève de Tisséo : nous lui transmettons votre demande "
        "avec le soutien du Sicoval.",
        False,
    ),
    (
        "Action 9",
        16,
        lambda t: t + " Aucun site à moins de 500 m des habitations.",
        "Protéger les riverains des nuisances.",
        "not_retained",
        "La distance est fixée par la réglementation et étudiée projet par projet ; une "
        "concertation locale précédera chaque projet.",
        False,
    ),
]

ANSWERS = {
    "§ 1": "Les chiffres viennent de l'observatoire régional de l'énergie (année 2022) ; la "
    "version 2 cite sa source.",
    "§ 2": "La part renouvelable rapporte la production locale (solaire, bois, biogaz) à la "
    "consommation totale du territoire.",
    "Action 1": "Le calendrier des travaux sera publié sur Civic chaque année.",
    "Action 4": "Oui : la version 2 ouvre le guichet aux locataires.",
    "Action 8": "Les quartiers denses proches des équipements publics : l'étude les désignera.",
    "§ 4": "L'objectif 2035 passe à 45 % dans la version 2 (voir l'amendement intégré en partie).",
    "Action 2": "Les nouvelles aires seront placées là où les comptages montrent des trajets "
    "partagés ; les aires peu utilisées seront déplacées.",
    "Action 6": "Chaque commune choisit de s'engager et fixe ses horaires.",
    "Action 9": "Chaque projet passera par une concertation locale et une étude des nuisances.",
}


def load(people: dict[str, User]) -> None:
    climate = db.session.scalar(sa.select(Consultation).where(Consultation.slug == "plan-climat"))
    agent, elected = people["agent"], people["elected"]
    residents = list(
        db.session.scalars(
            sa.select(User)
            .where(User.email.like("habitant%"), ~User.grants.any(RoleGrant.role != ""))
            .order_by(User.id)
        )
    )
    draft = services.import_draft(
        agent,
        climate,
        title="Projet de plan climat-air-énergie 2026-2032",
        summary="Le projet de PCAET soumis à la concertation : lisez-le, réagissez à chaque "
        "passage et proposez une nouvelle rédaction. Chaque amendement reçoit une réponse.",
        source=PLAN,
    )
    items = {i.number: i for i in services.items_of(draft.current_version)}
    phases = {p.audience: p for p in climate.phases}
    now = utcnow()

    def who(ref):
        return elected if ref == "elected" else residents[ref % len(residents)]

    def stamp(row, ref):
        # The elected officials reacted during their own phase, the residents since.
        phase = phases["role"] if ref == "elected" else phases["public"]
        row.phase_id = phase.id
        row.created_at = phase.starts_at + timedelta(days=2)
        db.session.flush()

    for number, ref, kind, text in REACTIONS:
        stamp(services.react(who(ref), items[number], kind=kind, body=text), ref)
    amendments = []
    for number, ref, change, reason, *_ in AMENDMENTS:
        item = items[number]
        amendment = services.propose_amendment(
            who(ref), item, text=change(item.text), reason=reason
        )
        stamp(amendment, ref)
        amendments.append(amendment)
    for n, amendment in enumerate(amendments):
        for voter in residents[n : n + 6 + n % 4]:
            services.vote_amendment(voter, amendment, -1 if (voter.id + n) % 5 == 0 else 1)
    for amendment, (*_, decision, justification, _integrated) in zip(
        amendments, AMENDMENTS, strict=True
    ):
        services.decide_amendment(
            elected, amendment, decision=decision, justification=justification
        )
    for number, text in ANSWERS.items():
        services.answer_item(elected, items[number], text)
    source = services.proposed_source(draft)
    # The partly integrated amendment, as the services rewrote it, and the cited source.
    source = source.replace(
        "une baisse de 40 % de ses émissions en 2035", "une baisse de 45 % de ses émissions en 2035"
    )
    source = source.replace(
        "480 000 tonnes équivalent CO2 par an.",
        "480 000 tonnes équivalent CO2 par an (observatoire régional de l'énergie, 2022).",
    )
    parse(source)  # the demo's own text must stay valid
    integrated = [
        a.id for a, row in zip(amendments, AMENDMENTS, strict=True) if row[-1] or row[4] == "partly"
    ]
    version = services.publish_version(
        agent,
        draft,
        source=source,
        note="Trois amendements intégrés (trajets vers l'école, guichet ouvert aux locataires, "
        "légumerie), l'objectif 2035 relevé à 45 % et la source du diagnostic citée.",
        amendment_ids=integrated,
    )
    version.created_at = now - timedelta(days=1)
    db.session.flush()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Reaction)) >= len(REACTIONS)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Amendment)) == len(AMENDMENTS)
