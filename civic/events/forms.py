from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp

from civic.core.validators import strip
from civic.events.models import KIND_LABELS, Kind
from civic.events.recurrence import REPEAT_LABELS


def _int_or_none(value):
    if value in (None, "", "None"):
        return None
    text = str(value)
    # "²".isdigit() is true but int("²") fails: only ASCII digits are ids.
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else -1


class EventForm(FlaskForm):
    kind = SelectField(_l("Type"), choices=list(KIND_LABELS.items()), default=Kind.MEETING.value)
    title = StringField(
        _l("Titre"),
        filters=[strip],
        validators=[DataRequired(_l("Donnez un titre.")), Length(max=200)],
    )
    description = TextAreaField(
        _l("Description"),
        filters=[strip],
        validators=[Length(max=20000)],
        description=_l("Ce qui sera dit ou fait, pour qui, ce qu'il faut apporter."),
    )
    starts_at = DateTimeLocalField(
        _l("Début (heure de Paris)"),
        format="%Y-%m-%dT%H:%M",
        validators=[DataRequired(_l("Indiquez la date et l'heure, par exemple 2027-03-15 18:30."))],
    )
    ends_at = DateTimeLocalField(
        _l("Fin (heure de Paris)"),
        format="%Y-%m-%dT%H:%M",
        validators=[DataRequired(_l("Indiquez la date et l'heure de fin."))],
    )
    commune_id = SelectField(_l("Commune du lieu"), coerce=_int_or_none, validate_choice=False)
    place_name = StringField(_l("Nom du lieu"), filters=[strip], validators=[Length(max=200)])
    address = StringField(_l("Adresse"), filters=[strip], validators=[Length(max=300)])
    accessibility = TextAreaField(
        _l("Accessibilité"),
        filters=[strip],
        validators=[Length(max=2000)],
        description=_l("Accès en fauteuil, boucle magnétique, transports, garde d'enfants..."),
    )
    online_url = StringField(
        _l("Lien de la réunion en ligne"),
        filters=[strip],
        validators=[
            Optional(),
            Length(max=500),
            Regexp(r"^https://", message=_l("Une adresse qui commence par https://")),
        ],
    )
    organiser_commune_id = SelectField(
        _l("Organisateur"), coerce=_int_or_none, validate_choice=False
    )
    consultation_id = SelectField(
        _l("Concertation liée"), coerce=_int_or_none, validate_choice=False
    )
    phase_id = SelectField(
        _l("Étape de la concertation"), coerce=_int_or_none, validate_choice=False
    )
    recurrence = SelectField(
        _l("Répétition"),
        choices=list(REPEAT_LABELS.items()),
        default="",
        description=_l(
            "Pour une permanence : chaque semaine, toutes les deux semaines, ou chaque mois "
            "le même jour (le premier mardi...). Le début et la fin ci-dessus sont ceux de la "
            "première date ; une série se tient sans inscription."
        ),
    )
    recurrence_until = DateField(
        _l("Dernier jour de la série"),
        validators=[Optional()],
        description=_l("Au plus deux ans après la première date."),
    )
    exception_days = TextAreaField(
        _l("Sauf les jours suivants"),
        filters=[strip],
        validators=[Length(max=3000)],
        description=_l("Un jour par ligne, par exemple 16/02/2027 (congés, jour férié)."),
    )
    registration = BooleanField(_l("Inscription demandée"))
    capacity = IntegerField(
        _l("Nombre de places"),
        validators=[Optional(), NumberRange(min=1, max=10000, message=_l("Entre 1 et 10000."))],
        description=_l("Laissé vide : sans limite. Au-delà, une liste d'attente s'ouvre."),
    )


class CancelForm(FlaskForm):
    reason = TextAreaField(
        _l("Raison de l'annulation"),
        filters=[strip],
        validators=[DataRequired(_l("Dites pourquoi, pour les inscrits.")), Length(max=2000)],
    )


class RegistrationForm(FlaskForm):
    name = StringField(
        _l("Nom"),
        filters=[strip],
        validators=[DataRequired(_l("Indiquez votre nom.")), Length(max=120)],
    )
    email = EmailField(
        _l("Adresse e-mail"),
        filters=[strip],
        validators=[
            DataRequired(_l("Indiquez votre adresse e-mail.")),
            Email(_l("Cette adresse e-mail n'est pas valide.")),
            Length(max=320),
        ],
    )
    commune_id = SelectField(
        _l("Votre commune (facultatif)"),
        coerce=_int_or_none,
        validate_choice=False,
        description=_l("Seulement pour compter les participants par commune, jamais publié."),
    )


class AgentRegistrationForm(RegistrationForm):
    """An agent registers someone who called or came to the counter."""

    channel = SelectField(
        _l("Canal"),
        choices=[("counter", _l("Accueil")), ("phone", _l("Téléphone"))],
        default="counter",
    )


class ReportForm(FlaskForm):
    report = TextAreaField(
        _l("Compte rendu"),
        validators=[Length(max=50000)],
        description=_l("Ce qui a été dit, les suites données. Mise en forme simple acceptée."),
    )
    publish = BooleanField(_l("Publier le compte rendu"))


class ImportForm(FlaskForm):
    source = StringField(
        _l("Nom de la source"),
        filters=[strip],
        validators=[
            DataRequired(_l("Nommez la source, par exemple openagenda-sicoval.")),
            Length(max=80),
            Regexp(r"^[a-z0-9-]+$", message=_l("Lettres minuscules, chiffres et tirets.")),
        ],
        description=_l("Toujours le même nom pour le même agenda : c'est la clé des réimports."),
    )
    file = FileField(_l("Fichier (OpenAgenda JSON ou CSV, iCalendar)"))
    format = SelectField(
        _l("Format"),
        choices=[
            ("auto", _l("Reconnaître")),
            ("openagenda-json", _l("Export JSON OpenAgenda")),
            ("csv", _l("Export CSV OpenAgenda")),
            ("ical", _l("iCalendar (.ics)")),
        ],
        default="auto",
    )


class CoverForm(FlaskForm):
    cover = FileField(
        _l("Image de couverture (PNG, JPEG ou WebP, 5 Mo au plus)"),
        validators=[FileRequired(_l("Choisissez une image."))],
    )
    cover_alt = StringField(
        _l("Texte alternatif de l'image"),
        filters=[strip],
        validators=[
            DataRequired(_l("Décrivez l'image en quelques mots (texte alternatif).")),
            Length(max=300),
        ],
        description=_l("Ce que montre l'image, pour qui ne la voit pas."),
    )


class DocumentForm(FlaskForm):
    title = StringField(
        _l("Titre du document"),
        filters=[strip],
        validators=[DataRequired(_l("Donnez un titre au document.")), Length(max=200)],
    )
    file = FileField(
        _l("Fichier (PDF, OpenDocument, Word, Excel, PowerPoint, image ; 15 Mo au plus)"),
        validators=[FileRequired(_l("Choisissez un fichier."))],
    )
