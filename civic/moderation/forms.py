from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from civic.core.validators import id_range, strip
from civic.moderation.models import ACTION_LABELS, CHARTER_REASONS, REPORT_LABELS


class ReportForm(FlaskForm):
    reason = RadioField(
        _l("Pourquoi signalez-vous cette contribution ?"),
        choices=list(REPORT_LABELS.items()),
        validators=[DataRequired(_l("Choisissez une raison."))],
    )
    detail = TextAreaField(
        _l("Précisions (obligatoire pour « autre raison »)"),
        filters=[strip],
        validators=[Optional(), Length(max=1000)],
    )


class DecisionForm(FlaskForm):
    action = RadioField(
        _l("Décision"),
        choices=list(ACTION_LABELS.items()),
        validators=[DataRequired(_l("Choisissez une décision."))],
    )
    charter_reason = SelectField(
        _l("Règle de la charte (pour masquer)"),
        validators=[Optional()],
        choices=[("", _l("— Choisir —"))] + list(CHARTER_REASONS.items()),
    )
    note = TextAreaField(
        _l("Note pour l'auteur (facultative)"),
        filters=[strip],
        validators=[Optional(), Length(max=2000)],
    )
    edited_text = TextAreaField(
        _l("Texte corrigé (pour retirer des données personnelles)"),
        validators=[Optional(), Length(max=10_000)],
    )


class AppealForm(FlaskForm):
    text = TextAreaField(
        _l("Pourquoi la décision devrait-elle changer ?"),
        filters=[strip],
        validators=[DataRequired(_l("Expliquez votre demande.")), Length(max=3000)],
    )


class BlockForm(FlaskForm):
    user_id = IntegerField(
        _l("Numéro du compte"),
        validators=[DataRequired(_l("Indiquez le numéro du compte.")), id_range],
    )
    reason = StringField(
        _l("Motif"),
        filters=[strip],
        validators=[DataRequired(_l("Indiquez le motif.")), Length(max=500)],
    )
    days = IntegerField(
        _l("Durée (jours)"),
        default=7,
        validators=[
            DataRequired(_l("Indiquez la durée.")),
            NumberRange(min=1, max=3650, message=_l("Entre 1 et 3650 jours.")),
        ],
    )
