"""The demo's help pages, as the reception staff would write them, and one request answered
by post and one waiting, so that agents see both."""

from civic.assistant import services
from civic.assistant.models import Channel, ReplyBy

HELP_PAGES = [
    (
        "Donner son avis sur un service public",
        "noter, note, avis, évaluer, service, piscine, déchèterie, médiathèque, crèche, "
        "mairie, rate, rating, feedback, opinion",
        "Ouvrez « Services publics », choisissez le service (la piscine, la déchèterie…), "
        "puis « Donner mon avis ». Vous notez l'accueil, le délai, la clarté et "
        "l'accessibilité, et pouvez laisser un commentaire. Un compte est nécessaire.\n\n"
        "Les agents du service lisent les avis et y répondent.",
    ),
    (
        "Créer un compte",
        "compte, inscription, s'inscrire, créer, enregistrer, sign up, register, account, "
        "create, connexion",
        "Cliquez sur « S'inscrire » en haut de la page, donnez votre adresse e-mail et un mot "
        "de passe, puis ouvrez le lien reçu par e-mail pour confirmer votre adresse.\n\n"
        "Un compte sert à proposer, commenter, voter et noter les services.",
    ),
    (
        "Proposer une idée dans une concertation",
        "proposer, proposition, idée, déposer, contribuer, participer, avis, opinion, "
        "submit, proposal, idea, take part, give opinion, consultation",
        "Ouvrez la concertation, puis « Proposer ». Donnez un titre et décrivez votre idée ; "
        "vous pouvez la situer dans votre commune. Pendant l'étape de propositions, chacun "
        "peut la commenter et la soutenir.\n\n"
        "Chaque proposition reçoit une réponse argumentée des élus.",
    ),
    (
        "Participer sans compte",
        "sans compte, anonyme, pas de compte, obligatoire, nécessaire, without account, "
        "no account, anonymous",
        "Sans compte, vous pouvez tout lire, vous inscrire aux réunions de l'agenda, poser vos "
        "questions ici et envoyer une demande à un agent. Proposer, commenter, voter et noter "
        "un service demandent un compte, gratuit, pour qu'une personne ne compte qu'une fois.",
    ),
    (
        "Voter et commenter",
        "voter, vote, soutenir, commenter, commentaire, répondre, comment, support",
        "Sur la page d'une proposition, choisissez « D'accord », « Pas d'accord » ou "
        "« Je ne sais pas », et écrivez un commentaire si vous le souhaitez. Le vote n'est "
        "ouvert que pendant l'étape de vote de la concertation.",
    ),
    (
        "S'inscrire à une réunion publique",
        "inscrire, inscription, réunion, atelier, désinscrire, annuler, register, meeting, "
        "cancel, registration, agenda",
        "Ouvrez l'agenda, choisissez la réunion, puis « S'inscrire ». Un compte n'est pas "
        "nécessaire : un e-mail vous permet de confirmer ou d'annuler votre inscription.",
    ),
    (
        "Mot de passe oublié",
        "mot de passe, oublié, changer, réinitialiser, password, forgot, reset, change, "
        "connexion, connecter, login, n'arrive pas à me connecter, bloqué, log in",
        "Sur la page « Se connecter », choisissez « Mot de passe oublié » : vous recevez un "
        "lien par e-mail pour en choisir un nouveau. Pour le changer, allez dans « Mon "
        "compte ».",
    ),
    (
        "Vos données personnelles : les télécharger ou supprimer votre compte",
        "supprimer, effacer, compte, données, personnelles, télécharger, récupérer, delete, "
        "account, personal data, download, export, erase",
        "Dans « Mon compte », « Mes données personnelles » permet de les télécharger, et "
        "« Supprimer mon compte » de tout effacer. Vos contributions restent, sans votre nom.",
    ),
    (
        "Suivre une concertation et être prévenu par e-mail",
        "suivre, suivi, nouvelles, prévenu, e-mail, mail, notification, courriel, follow, "
        "updates, email",
        "Sur la page d'une concertation, choisissez « Suivre ». Vous recevez un e-mail par "
        "jour au plus quand il s'y passe quelque chose : une nouvelle étape, une réponse.",
    ),
    (
        "Participer à un atelier citoyen",
        "atelier, tirage, sort, tiré, participer, workshop, lottery, panel, citoyen",
        "Les ateliers réunissent élus, techniciens et habitants tirés au sort. Inscrivez-vous "
        "à la liste de l'atelier ; le tirage veille à ce que toutes les communes et tous les "
        "âges soient représentés.",
    ),
    (
        "Signaler un contenu",
        "signaler, abusif, insulte, modération, report, abuse, comment, inapproprié",
        "Sous chaque proposition ou commentaire, « Signaler » prévient les modérateurs du "
        "CODEV, qui décident dans le respect de la charte.",
    ),
    (
        "Changer la langue ou votre adresse e-mail",
        "langue, anglais, english, language, français, adresse, e-mail, mail, modifier, "
        "profil, profile, change",
        "Le bouton « English » / « Français » en haut de chaque page change la langue. Votre "
        "adresse e-mail et votre nom se modifient dans « Mon compte ».",
    ),
    (
        "Retrouver mes contributions",
        "mes, contributions, propositions, commentaires, retrouver, trouver, voir, my, "
        "contributions, where",
        "Une fois connecté, « Mes contributions » dans le menu liste vos propositions, "
        "commentaires et votes, avec les réponses reçues.",
    ),
]


# Questions residents asked that the assistant could not answer: what staff review first.
NOT_UNDERSTOOD = [
    ("Ma poubelle jaune n'a pas été ramassée mardi", "unknown"),
    ("Où faire refaire ma carte d'identité à Castanet ?", "unknown"),
    ("Combien coûte l'abonnement à la piscine ?", "hours"),
]


def load(people: dict) -> None:
    agent = people["agent"]
    for text, intent in NOT_UNDERSTOOD:
        services.log_question(text, intent, False, "fr")
    for title, keywords, body in HELP_PAGES:
        services.save_help_page(
            agent, None, title=title, body=body, keywords=keywords, published=True
        )
    services.create_request(
        question="Bonjour, ma carte de déchèterie ne marche plus, comment en avoir une neuve ?",
        subject="unknown",
        commune_id=None,
        service_type="decheterie",
        name="Jeanne Salvan",
        email="",
        phone="05 61 00 00 00",
        postal_address="",
        reply_by=ReplyBy.PHONE.value,
        locale="fr",
        channel=Channel.PHONE.value,
        entered_by=agent,
    )
    answered = services.create_request(
        question="Pouvez-vous m'envoyer les dates des prochaines réunions sur le plan climat ?",
        subject="events",
        commune_id=None,
        service_type="",
        name="René Couzinet",
        email="",
        phone="",
        postal_address="12 chemin des Crêtes\n31320 Castanet-Tolosan",
        reply_by=ReplyBy.POST.value,
        locale="fr",
        channel=Channel.MAIL.value,
        entered_by=agent,
    )
    services.answer_request(
        agent,
        answered,
        "Les prochaines réunions sur le plan climat sont annoncées dans l'agenda ; nous vous "
        "joignons le programme imprimé.",
    )
