from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from civic.assistant.models import (
    CHANNEL_LABELS,
    INTENT_LABELS,
    REPLY_LABELS,
    SERVICE_LABELS,
    Channel,
    ReplyBy,
)
from civic.core.validators import strip


def _int_or_none(value):
    if value in (None, "", "None"):
        return None
    text = str(value)
    # "²".isdigit() is true but int("²") fails: only ASCII digits are ids.
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else -1


def _commune_listed(form) -> bool:
    """The commune chosen is one of the list (ids come from the page: typed ones may not)."""
    if form.commune_id.data in {value for value, _label in form.commune_id.choices}:
        return True
    form.commune_id.errors = [*form.commune_id.errors, _l("Choisissez une commune de la liste.")]
    return False


class RequestForm(FlaskForm):
    question = TextAreaField(
        _l("Votre question"),
        filters=[strip],
        validators=[DataRequired(_l("Écrivez votre question.")), Length(max=2000)],
    )
    commune_id = SelectField(_l("Commune concernée"), coerce=_int_or_none, validate_choice=False)
    name = StringField(_l("Votre nom"), filters=[strip], validators=[Length(max=120)])
    reply_by = RadioField(
        _l("Comment voulez-vous recevoir la réponse ?"),
        choices=list(REPLY_LABELS.items()),
        default=ReplyBy.EMAIL.value,
    )
    email = EmailField(
        _l("Adresse e-mail"),
        filters=[strip],
        validators=[
            Optional(),
            Email(_l("Cette adresse e-mail n'est pas valide.")),
            Length(max=320),
        ],
    )
    phone = StringField(_l("Téléphone"), filters=[strip], validators=[Length(max=40)])
    postal_address = TextAreaField(
        _l("Adresse postale"), filters=[strip], validators=[Length(max=500)]
    )
    consent = BooleanField(
        _l("J'accepte que ces coordonnées servent à me répondre, puis soient effacées."),
        validators=[DataRequired(_l("Cochez la case pour que nous puissions vous répondre."))],
    )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators) and _commune_listed(self)
        # The way of answering chosen needs its address (Optional() stops inline validators).
        needed = {
            ReplyBy.EMAIL: (self.email, _l("Indiquez l'adresse e-mail où vous répondre.")),
            ReplyBy.PHONE: (self.phone, _l("Indiquez le numéro où vous rappeler.")),
            ReplyBy.POST: (self.postal_address, _l("Indiquez l'adresse où vous écrire.")),
        }.get(self.reply_by.data)
        if needed is not None and not needed[0].data:
            needed[0].errors = [*needed[0].errors, needed[1]]
            return False
        return valid


class AgentRequestForm(RequestForm):
    """A request received by phone, at the counter or by mail, entered by an agent: the
    labels speak of the resident, not to the agent."""

    question = TextAreaField(
        _l("Question de l'habitant"),
        filters=[strip],
        validators=[DataRequired(_l("Écrivez la question de l'habitant.")), Length(max=2000)],
    )
    name = StringField(_l("Nom de l'habitant"), filters=[strip], validators=[Length(max=120)])
    reply_by = RadioField(
        _l("Comment l'habitant veut-il recevoir la réponse ?"),
        choices=list(REPLY_LABELS.items()),
        default=ReplyBy.EMAIL.value,
    )

    channel = SelectField(
        _l("Reçue"),
        choices=[(c.value, CHANNEL_LABELS[c]) for c in Channel if c != Channel.ONLINE],
    )
    subject = SelectField(_l("Sujet"), choices=list(INTENT_LABELS.items()), default="unknown")
    service_type = SelectField(_l("Type de service"), choices=list(SERVICE_LABELS.items()))
    consent = BooleanField(
        _l("La personne accepte que ces coordonnées servent à lui répondre."),
        validators=[DataRequired(_l("Demandez son accord à la personne, puis cochez la case."))],
    )


class RoutingForm(FlaskForm):
    commune_id = SelectField(_l("Commune concernée"), coerce=_int_or_none, validate_choice=False)
    service_type = SelectField(_l("Type de service"), choices=list(SERVICE_LABELS.items()))

    def validate(self, extra_validators=None) -> bool:
        return super().validate(extra_validators) and _commune_listed(self)


class AnswerForm(FlaskForm):
    answer = TextAreaField(
        _l("Réponse"),
        filters=[strip],
        validators=[DataRequired(_l("Écrivez la réponse.")), Length(max=10000)],
    )


class HelpPageForm(FlaskForm):
    title = StringField(
        _l("Titre"),
        filters=[strip],
        validators=[DataRequired(_l("Donnez un titre.")), Length(max=200)],
    )
    body = TextAreaField(
        _l("Texte"),
        filters=[strip],
        validators=[DataRequired(_l("Écrivez le texte de la page.")), Length(max=20000)],
        description=_l("En mots simples ; une ligne vide entre deux paragraphes."),
    )
    keywords = StringField(
        _l("Autres mots pour la trouver"),
        filters=[strip],
        validators=[Length(max=500)],
        description=_l("Les mots que les habitants emploient : s'inscrire, inscription, sign up…"),
    )
    published = BooleanField(_l("Publiée"), default=True)


class ExampleForm(FlaskForm):
    intent = SelectField(_l("Ce que la question demande"), choices=list(INTENT_LABELS.items()))
