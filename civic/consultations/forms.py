from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from civic.consultations.models import (
    ANSWER_LABELS,
    CHANNEL_LABELS,
    FEATURE_LABELS,
    STANCE_LABELS,
    Channel,
)
from civic.core.validators import few_links, id_range, strip


def required(message):
    return DataRequired(message)


class ConsultationForm(FlaskForm):
    title = StringField(
        _l("Titre"),
        filters=[strip],
        validators=[required(_l("Donnez un titre à la concertation.")), Length(max=200)],
    )
    slug = StringField(
        _l("Adresse (facultatif)"),
        filters=[strip],
        validators=[
            Optional(),
            Length(max=120),
            Regexp(
                r"^[a-z0-9-]+$",
                message=_l("Lettres minuscules sans accent, chiffres et tirets uniquement."),
            ),
        ],
        description=_l(
            "Fin de l'adresse de la page, par exemple plan-climat. Laissée vide, "
            "elle est tirée du titre."
        ),
    )
    summary = TextAreaField(
        _l("Résumé"),
        filters=[strip],
        validators=[required(_l("Écrivez un court résumé.")), Length(max=1000)],
    )
    body = TextAreaField(
        _l("Présentation"),
        validators=[Optional(), Length(max=50_000)],
        description=_l(
            "Mise en forme simple permise : paragraphes, gras, listes, liens, tableaux."
        ),
    )
    theme = StringField(_l("Thème"), filters=[strip], validators=[Optional(), Length(max=80)])
    communes = SelectMultipleField(
        _l("Communes concernées"),
        coerce=int,
        validators=[Optional()],
        description=_l("Aucune cochée : tout le territoire."),
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
    )
    agree_limit = IntegerField(
        _l("Nombre maximal de « d'accord » par participant (facultatif)"),
        validators=[Optional(), NumberRange(min=1, max=1000)],
    )
    premoderation = BooleanField(_l("Modérer les contributions avant publication"))
    cover = FileField(_l("Image de couverture (PNG, JPEG ou WebP, facultatif)"))
    cover_alt = StringField(
        _l("Texte alternatif de l'image"),
        filters=[strip],
        validators=[Optional(), Length(max=300)],
        description=_l("Ce que montre l'image, pour qui ne la voit pas."),
    )


class PhaseForm(FlaskForm):
    title = StringField(
        _l("Titre de la phase"),
        filters=[strip],
        validators=[required(_l("Donnez un titre à la phase.")), Length(max=200)],
    )
    description = TextAreaField(
        _l("Description"), filters=[strip], validators=[Optional(), Length(max=5000)]
    )
    starts_at = DateTimeLocalField(
        _l("Début"),
        format="%Y-%m-%dT%H:%M",
        validators=[required(_l("Indiquez la date de début."))],
    )
    ends_at = DateTimeLocalField(
        _l("Fin"), format="%Y-%m-%dT%H:%M", validators=[required(_l("Indiquez la date de fin."))]
    )
    features = SelectMultipleField(
        _l("Ce que la phase ouvre"),
        choices=list(FEATURE_LABELS.items()),
        validators=[required(_l("Cochez au moins une fonction."))],
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
    )
    audience = RadioField(
        _l("Qui peut participer"),
        default="public",
        choices=[
            ("public", _l("Tout le monde")),
            ("role", _l("Un rôle seulement")),
            ("invited", _l("Une liste d'invités")),
        ],
    )
    audience_role = SelectField(
        _l("Rôle"),
        validators=[Optional()],
        choices=[
            ("elected", _l("Élu")),
            ("agent", _l("Agent (technicien)")),
            ("facilitator", _l("Animateur")),
            ("moderator", _l("Modérateur (CODEV)")),
        ],
    )
    invited = TextAreaField(
        _l("Invités (une adresse e-mail de compte par ligne)"),
        validators=[Optional(), Length(max=20_000)],
    )


class DocumentForm(FlaskForm):
    title = StringField(
        _l("Titre du document"),
        filters=[strip],
        validators=[required(_l("Donnez un titre au document.")), Length(max=200)],
    )
    file = FileField(_l("Fichier PDF"), validators=[required(_l("Choisissez un fichier PDF."))])


class ProposalForm(FlaskForm):
    title = StringField(
        _l("Titre de votre proposition"),
        filters=[strip],
        validators=[
            required(_l("Donnez un titre à votre proposition.")),
            Length(min=5, max=200, message=_l("Le titre doit faire entre 5 et 200 caractères.")),
        ],
    )
    body = TextAreaField(
        _l("Votre proposition"),
        filters=[strip],
        validators=[
            few_links,
            required(_l("Décrivez votre proposition.")),
            Length(
                min=10, max=5000, message=_l("Le texte doit faire entre 10 et 5000 caractères.")
            ),
        ],
    )
    theme = SelectField(_l("Thème"), validators=[Optional()])
    commune_id = SelectField(_l("Commune concernée"), validators=[Optional()])


class ContributionForm(ProposalForm):
    # The agent types what a resident wrote or said: the labels speak of the resident.
    title = StringField(
        _l("Titre de la proposition"),
        filters=[strip],
        validators=[
            required(_l("Donnez un titre à la proposition.")),
            Length(min=5, max=200, message=_l("Le titre doit faire entre 5 et 200 caractères.")),
        ],
        description=_l("Reprenez les mots de l'habitant ; quelques mots suffisent."),
    )
    body = TextAreaField(
        _l("Texte de la proposition, tel que l'habitant l'a écrit ou dit"),
        filters=[strip],
        validators=[
            few_links,
            required(_l("Recopiez la proposition.")),
            Length(
                min=10, max=5000, message=_l("Le texte doit faire entre 10 et 5000 caractères.")
            ),
        ],
        description=_l(
            "Sans le nom de l'habitant ni d'autre personne : un texte qui en contient un est "
            "relu par la modération avant d'être publié."
        ),
    )
    commune_id = SelectField(_l("Commune concernée par la proposition"), validators=[Optional()])
    contact_name = StringField(
        _l("Nom de l'habitant (facultatif)"),
        filters=[strip],
        validators=[Length(max=120)],
        description=_l(
            "Seulement si l'habitant veut recevoir la réponse par courrier ; jamais publié, "
            "effacé une fois la réponse imprimée."
        ),
    )
    contact_address = StringField(
        _l("Adresse postale de l'habitant : numéro, rue, complément (facultatif)"),
        filters=[strip],
        validators=[Length(max=300)],
    )
    contact_commune_id = SelectField(
        _l("Commune de l'habitant (pour le code postal)"), validators=[Optional()]
    )
    channel = SelectField(
        _l("Reçue"),
        # A meeting's contributions are entered from the meeting's page, which links them.
        choices=[
            (c.value, label)
            for c, label in CHANNEL_LABELS.items()
            if c not in (Channel.ONLINE, Channel.MEETING)
        ],
    )
    place = StringField(
        _l("Lieu de saisie"),
        filters=[strip],
        validators=[required(_l("Indiquez où la contribution a été reçue.")), Length(max=120)],
        description=_l("Par exemple : accueil de Castanet-Tolosan."),
    )


class CommentForm(FlaskForm):
    body = TextAreaField(
        _l("Votre commentaire"),
        filters=[strip],
        validators=[few_links, required(_l("Écrivez votre commentaire.")), Length(max=3000)],
    )
    stance = RadioField(
        _l("Votre position"), default="neutral", choices=list(STANCE_LABELS.items())
    )
    parent_id = IntegerField(validators=[Optional(), id_range], widget=widgets.HiddenInput())


class AnswerForm(FlaskForm):
    status = SelectField(_l("Décision"), choices=list(ANSWER_LABELS.items()))
    text = TextAreaField(
        _l("Réponse argumentée"),
        filters=[strip],
        validators=[required(_l("Expliquez la décision.")), Length(max=10_000)],
    )
    signed_as = StringField(
        _l("Signée en tant que"),
        filters=[strip],
        validators=[required(_l("Indiquez votre fonction.")), Length(max=120)],
        description=_l("Par exemple : Vice-président chargé du climat."),
    )


class MilestoneForm(FlaskForm):
    title = StringField(
        _l("Étape"), filters=[strip], validators=[required(_l("Nommez l'étape.")), Length(max=200)]
    )
    description = TextAreaField(
        _l("Détails"), filters=[strip], validators=[Optional(), Length(max=5000)]
    )
    due_on = DateTimeLocalField(_l("Date"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    progress = IntegerField(
        _l("Avancement (%)"),
        default=0,
        validators=[NumberRange(min=0, max=100, message=_l("Un pourcentage entre 0 et 100."))],
    )


class FollowForm(FlaskForm):
    frequency = RadioField(
        _l("Recevoir les nouvelles"),
        default="immediate",
        choices=[("immediate", _l("À chaque nouveauté")), ("daily", _l("Un résumé par jour"))],
    )


class GlossaryForm(FlaskForm):
    term = StringField(
        _l("Terme"),
        filters=[strip],
        validators=[required(_l("Indiquez le terme.")), Length(max=80)],
    )
    definition = TextAreaField(
        _l("Définition"),
        filters=[strip],
        validators=[required(_l("Écrivez la définition.")), Length(max=2000)],
    )
