from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from civic.accounts.models import AGE_BRACKETS, GENDERS, PCS_GROUPS
from civic.core.validators import strip
from civic.workshops.board import NOTE_MAX, THEME_MAX
from civic.workshops.models import MODE_LABELS, Mode


def _coerce_int_or_none(value):
    return int(value) if value not in (None, "", "None") else None


class WorkshopForm(FlaskForm):
    title = StringField(
        _l("Titre"),
        filters=[strip],
        validators=[DataRequired(_l("Donnez un titre à l'atelier.")), Length(max=200)],
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
        description=_l("Fin de l'adresse de la page. Laissée vide, elle est tirée du titre."),
    )
    purpose = TextAreaField(
        _l("Objet de l'atelier"),
        filters=[strip],
        validators=[DataRequired(_l("Expliquez en quelques lignes l'objet de l'atelier."))],
    )
    consultation_id = SelectField(
        _l("Concertation liée"), coerce=_coerce_int_or_none, validate_choice=False
    )
    starts_at = DateTimeLocalField(
        _l("Début (heure de Paris)"),
        format="%Y-%m-%dT%H:%M",
        validators=[DataRequired(_l("Indiquez la date et l'heure, par exemple 2027-03-15 18:30."))],
    )
    duration_minutes = IntegerField(
        _l("Durée en minutes"),
        default=120,
        validators=[
            DataRequired(_l("Indiquez la durée en minutes.")),
            NumberRange(min=15, max=600, message=_l("Entre 15 et 600 minutes.")),
        ],
    )
    mode = RadioField(
        _l("Format"),
        choices=list(MODE_LABELS.items()),
        default=Mode.ONSITE.value,
        validators=[DataRequired(_l("Choisissez le format."))],
    )
    commune_id = SelectField(_l("Commune"), coerce=_coerce_int_or_none, validate_choice=False)
    address = StringField(_l("Adresse du lieu"), filters=[strip], validators=[Length(max=300)])
    accessibility = TextAreaField(
        _l("Accessibilité du lieu"),
        filters=[strip],
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
    capacity = IntegerField(
        _l("Capacité du lieu (personnes)"),
        default=30,
        validators=[
            DataRequired(_l("Indiquez la capacité.")),
            NumberRange(min=1, max=2000, message=_l("Entre 1 et 2000.")),
        ],
    )
    tables = IntegerField(
        _l("Nombre de tables"),
        default=1,
        validators=[
            DataRequired(_l("Indiquez le nombre de tables.")),
            NumberRange(min=1, max=50, message=_l("Entre 1 et 50.")),
        ],
    )
    seats_elected = IntegerField(
        _l("Places pour des élus"),
        default=4,
        validators=[Optional(), NumberRange(min=0, max=500, message=_l("Entre 0 et 500."))],
    )
    seats_technician = IntegerField(
        _l("Places pour des techniciens"),
        default=4,
        validators=[Optional(), NumberRange(min=0, max=500, message=_l("Entre 0 et 500."))],
    )
    seats_citizen = IntegerField(
        _l("Places pour des citoyens tirés au sort"),
        default=12,
        validators=[
            DataRequired(_l("Indiquez le nombre de places citoyennes.")),
            NumberRange(min=1, max=500, message=_l("Entre 1 et 500.")),
        ],
    )
    call_closes_at = DateTimeLocalField(
        _l("Fin de l'appel à volontaires (heure de Paris)"),
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
        description=_l("Laissée vide, l'atelier ne reçoit pas de volontaires en ligne."),
    )
    one_per_household = BooleanField(
        _l("Au plus une personne par foyer (même adresse) à la table"), default=True
    )
    # The cover image: checked by core.uploads when the workshop is saved.
    cover = FileField(_l("Image de couverture (PNG, JPEG ou WebP, 5 Mo au plus, facultatif)"))
    cover_alt = StringField(
        _l("Texte alternatif de l'image"),
        filters=[strip],
        validators=[Optional(), Length(max=300)],
        description=_l(
            "Ce que montre l'image, pour qui ne la voit pas. Obligatoire avec une image."
        ),
    )
    remove_cover = BooleanField(_l("Retirer l'image"))

    def validate_address(self, field):
        if self.mode.data in (Mode.ONSITE, Mode.HYBRID) and not field.data:
            raise ValidationError(_l("Indiquez l'adresse du lieu."))

    def validate_online_url(self, field):
        if self.mode.data in (Mode.ONLINE, Mode.HYBRID) and not field.data:
            raise ValidationError(_l("Indiquez le lien de la réunion en ligne."))


def _declared_fields(form_class):
    """The characteristics a volunteer declares; the view drops those the quotas don't use."""
    form_class.commune_id = SelectField(
        _l("Commune de résidence"),
        coerce=_coerce_int_or_none,
        validate_choice=False,
        validators=[DataRequired(_l("Choisissez votre commune."))],
    )
    form_class.age_bracket = RadioField(
        _l("Âge"),
        choices=list(AGE_BRACKETS.items()),
        validators=[DataRequired(_l("Choisissez une tranche d'âge."))],
    )
    form_class.gender = RadioField(
        _l("Genre"),
        choices=list(GENDERS.items()),
        validators=[DataRequired(_l("Choisissez une réponse."))],
    )
    form_class.pcs = RadioField(
        _l("Situation professionnelle"),
        choices=list(PCS_GROUPS.items()),
        validators=[DataRequired(_l("Choisissez une réponse."))],
    )
    form_class.first_time = BooleanField(
        _l("C'est la première fois que je participe à un atelier ou à une concertation")
    )
    form_class.address = StringField(
        _l("Adresse postale"),
        filters=[strip],
        validators=[Length(max=300)],
        description=_l(
            "Facultative. Elle sert seulement à ne pas tirer deux personnes du même foyer ; "
            "nous n'en gardons qu'une empreinte."
        ),
    )
    form_class.availability = StringField(
        _l("Disponibilités ou contraintes (facultatif)"),
        filters=[strip],
        validators=[Length(max=300)],
    )
    form_class.needs = StringField(
        _l("Besoins pour venir (facultatif)"),
        filters=[strip],
        validators=[Length(max=300)],
        description=_l("Accessibilité, garde d'enfants, transport, interprétation..."),
    )
    return form_class


@_declared_fields
class VolunteerForm(FlaskForm):
    pass


CHANNELS = {
    "phone": _l("par téléphone"),
    "counter": _l("à l'accueil"),
    "letter": _l("en réponse à un courrier d'invitation"),
    "workshop": _l("lors d'une réunion publique"),
}


@_declared_fields
class EnteredVolunteerForm(FlaskForm):
    name = StringField(
        _l("Nom et prénom"),
        filters=[strip],
        validators=[DataRequired(_l("Indiquez le nom de la personne.")), Length(max=120)],
    )
    email = EmailField(
        _l("Courriel"),
        filters=[strip],
        validators=[
            Optional(),
            Email(_l("Cette adresse de courriel n'est pas valide.")),
            Length(max=320),
        ],
    )
    phone = StringField(_l("Téléphone"), filters=[strip], validators=[Length(max=40)])
    channel = RadioField(
        _l("Comment la personne s'est portée volontaire"),
        choices=list(CHANNELS.items()),
        default="phone",
        validators=[
            DataRequired(_l("Choisissez par quel canal la personne s'est portée volontaire."))
        ],
    )


# Typed by an agent, the address serves the printed invitation: kept until the workshop is
# over (services.forget_contacts), unlike a volunteer's own, of which only a digest is kept.
EnteredVolunteerForm.address = StringField(
    _l("Adresse postale : numéro, rue, complément"),
    filters=[strip],
    validators=[Length(max=300)],
    description=_l(
        "Pour envoyer le courrier d'invitation si la personne est tirée au sort ; le code "
        "postal et la commune viennent de la commune de résidence. Effacée après l'atelier."
    ),
)


class SelectionForm(FlaskForm):
    method = RadioField(
        _l("Méthode"),
        choices=[
            ("leximin", _l("LEXIMIN : les chances les plus égales possible (recommandé)")),
            ("maximin", _l("Maximin : la plus petite chance la plus haute possible")),
        ],
        default="leximin",
        validators=[DataRequired(_l("Choisissez une méthode."))],
    )
    seed = IntegerField(
        _l("Graine du tirage (facultatif)"),
        validators=[
            Optional(),
            NumberRange(min=0, max=2**53, message=_l("Un nombre entier positif.")),
        ],
        description=_l(
            "Annoncez-la à l'avance (par exemple les numéros d'un tirage public) pour que "
            "chacun puisse refaire le tirage. Laissée vide, elle est tirée au hasard et publiée."
        ),
    )
    despite_open_call = BooleanField(
        _l("Tirer au sort quand même, avant la clôture de l'appel à volontaires")
    )


class SeatForm(FlaskForm):
    email = EmailField(
        _l("Courriel du compte"),
        filters=[strip],
        validators=[
            DataRequired(_l("Indiquez le courriel du compte de la personne.")),
            Email(_l("Cette adresse de courriel n'est pas valide.")),
        ],
    )
    role = RadioField(
        _l("Collège"),
        choices=[
            ("elected", _l("Élu")),
            ("technician", _l("Technicien")),
            ("facilitator", _l("Animateur")),
        ],
        default="elected",
        validators=[DataRequired(_l("Choisissez le collège."))],
    )
    table_no = IntegerField(
        _l("Table n°"),
        default=1,
        validators=[Optional(), NumberRange(min=1, max=50, message=_l("Entre 1 et 50."))],
    )


class NoteForm(FlaskForm):
    body = TextAreaField(
        _l("Votre note"),
        filters=[strip],
        validators=[
            DataRequired(_l("Écrivez votre note avant de l'afficher.")),
            Length(max=NOTE_MAX, message=_l("280 caractères au plus.")),
        ],
        description=_l("Une idée par note, 280 caractères au plus."),
    )


class ThemeForm(FlaskForm):
    title = StringField(
        _l("Nouveau thème"),
        filters=[strip],
        validators=[DataRequired(_l("Donnez un titre au thème.")), Length(max=THEME_MAX)],
    )


class MinutesForm(FlaskForm):
    summary = TextAreaField(
        _l("Synthèse de l'atelier"),
        validators=[Length(max=50_000)],
        description=_l(
            "Laissez une ligne vide entre deux paragraphes. Commencez une ligne par « - » pour "
            "une liste, par « 1. » pour une liste numérotée, par « ## » pour un intertitre."
        ),
    )
