from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    ValidationError,
    widgets,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from civic.accounts.models import AGE_BRACKETS, GENDERS, PCS_GROUPS
from civic.accounts.passwords import password_problem
from civic.core.validators import strip

EMAIL = [
    DataRequired(_l("Indiquez votre adresse e-mail.")),
    Email(
        _l("Cette adresse e-mail n'est pas valide (exemple : prenom.nom@exemple.fr)."),
        check_deliverability=False,
    ),
    Length(max=320),
]


# WTForms orders fields by creation: the fields read first are created first, so that the
# error summary follows the order of the page.
class RegistrationEmailMixin:
    email = EmailField(
        _l("Adresse e-mail"),
        validators=EMAIL,
        filters=[strip],
        description=_l("Elle ne sera jamais affichée publiquement."),
    )


class CurrentPasswordMixin:
    current_password = PasswordField(
        _l("Mot de passe actuel"),
        validators=[DataRequired(_l("Indiquez votre mot de passe actuel."))],
    )


class NewPasswordMixin:
    password = PasswordField(
        _l("Mot de passe"),
        validators=[DataRequired(_l("Choisissez un mot de passe."))],
        description=_l(
            "Au moins 12 caractères. Une phrase de plusieurs mots est facile à "
            "retenir et difficile à deviner."
        ),
    )
    password_confirm = PasswordField(
        _l("Confirmez le mot de passe"),
        validators=[
            DataRequired(_l("Retapez le mot de passe.")),
            EqualTo("password", _l("Les deux mots de passe ne sont pas identiques.")),
        ],
    )

    def validate_password(self, field):
        email = self.email.data if hasattr(self, "email") else getattr(self, "user_email", "")
        problem = password_problem(field.data or "", email or "")
        if problem:
            raise ValidationError(problem)


class RegisterForm(RegistrationEmailMixin, NewPasswordMixin, FlaskForm):
    display_name = StringField(
        _l("Pseudonyme public (facultatif)"),
        validators=[Optional(), Length(max=60)],
        description=_l("Le nom affiché à côté de vos contributions."),
    )
    accept_charter = BooleanField(
        _l("J'ai lu la charte de participation et je l'accepte"),
        validators=[
            DataRequired(_l("Vous devez accepter la charte de participation pour vous inscrire."))
        ],
    )


class LoginForm(FlaskForm):
    email = EmailField(_l("Adresse e-mail"), validators=EMAIL, filters=[strip])
    password = PasswordField(
        _l("Mot de passe"), validators=[DataRequired(_l("Indiquez votre mot de passe."))]
    )


class EmailForm(FlaskForm):
    email = EmailField(_l("Adresse e-mail"), validators=EMAIL, filters=[strip])


class ResetPasswordForm(NewPasswordMixin, FlaskForm):
    user_email = ""


class ChangePasswordForm(CurrentPasswordMixin, NewPasswordMixin, FlaskForm):
    user_email = ""


def _choices(mapping: dict) -> list[tuple[str, str]]:
    return [("", _l("— Je préfère ne pas répondre —"))] + list(mapping.items())


class ProfileForm(FlaskForm):
    display_name = StringField(
        _l("Pseudonyme public"),
        validators=[Optional(), Length(max=60)],
        description=_l("Laissez vide pour apparaître comme « Participant n° … »."),
    )
    commune_id = SelectField(_l("Commune de résidence"), coerce=str, validators=[Optional()])
    locale = SelectField(_l("Langue des messages"), choices=[("fr", "Français"), ("en", "English")])
    stats_consent = BooleanField(
        _l(
            "J'accepte de donner les informations ci-dessous, utilisées uniquement pour des "
            "statistiques sur la diversité des participants"
        )
    )
    age_bracket = SelectField(
        _l("Tranche d'âge"), choices=_choices(AGE_BRACKETS), validators=[Optional()]
    )
    gender = SelectField(_l("Genre"), choices=_choices(GENDERS), validators=[Optional()])
    pcs = SelectField(
        _l("Catégorie socioprofessionnelle"), choices=_choices(PCS_GROUPS), validators=[Optional()]
    )

    def validate_stats_consent(self, field):
        gave_details = self.age_bracket.data or self.gender.data or self.pcs.data
        if gave_details and not field.data:
            raise ValidationError(
                _l(
                    "Cochez la case de consentement pour enregistrer ces "
                    "informations, ou laissez-les vides."
                )
            )


class DeleteAccountForm(FlaskForm):
    password = PasswordField(
        _l("Mot de passe"), validators=[DataRequired(_l("Indiquez votre mot de passe."))]
    )
    confirm = BooleanField(
        _l("Je comprends que la suppression est définitive"),
        validators=[DataRequired(_l("Cochez la case pour confirmer la suppression."))],
    )


class RolesForm(FlaskForm):
    roles = SelectMultipleField(
        _l("Rôles"),
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
        validators=[Optional()],
    )


def roles_form(commune_choices: list[tuple[int, str]], **kwargs) -> RolesForm:
    """The roles form with, for each role held commune by commune, the communes it is
    granted for (none chosen: the whole territory)."""
    from civic.accounts.models import SCOPABLE_ROLES

    class ScopedRolesForm(RolesForm):
        pass

    for role in SCOPABLE_ROLES:
        setattr(
            ScopedRolesForm,
            f"scope_{role.value}",
            SelectMultipleField(
                _l("Communes du rôle « %(role)s »", role=role.label),
                description=_l("Aucune commune cochée : tout le territoire."),
                coerce=int,
                choices=commune_choices,
                validators=[Optional()],
                # boxes to tick: a multiple select needs Ctrl, which a phone does not have
                widget=widgets.ListWidget(prefix_label=False),
                option_widget=widgets.CheckboxInput(),
            ),
        )
    return ScopedRolesForm(**kwargs)


class SearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Rechercher"), validators=[Optional(), Length(max=200)])


def mail_preferences_form(kinds, data=None):
    """One choice of rhythm per kind of e-mail the person may receive."""
    from civic.core.notify import FREQUENCIES, KINDS

    class MailPreferencesForm(FlaskForm):
        pass

    for kind in kinds:
        setattr(
            MailPreferencesForm,
            kind,
            RadioField(KINDS[kind], choices=list(FREQUENCIES.items()), default="immediate"),
        )
    return MailPreferencesForm(data=data)
