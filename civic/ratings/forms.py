from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from civic.core.validators import few_links, strip
from civic.ratings.models import ANSWER_LABELS, CHANNELS, CRITERIA

SCALE = [(str(i), str(i)) for i in range(1, 6)]


def _rating_form():
    """Criteria first: fields are ordered by creation, as the page shows them."""
    fields = {
        name: RadioField(
            label,
            choices=SCALE,
            validators=[DataRequired(_l("Donnez une note de 1 à 5."))],
        )
        for name, label in CRITERIA.items()
    }
    fields["channel"] = RadioField(
        _l("Comment avez-vous contacté ce service ?"),
        choices=list(CHANNELS.items()),
        validators=[DataRequired(_l("Indiquez comment vous l'avez contacté."))],
    )
    fields["open_as_announced"] = RadioField(
        _l("Était-il ouvert aux horaires annoncés ?"),
        validators=[Optional()],
        choices=[("yes", _l("Oui")), ("no", _l("Non")), ("unknown", _l("Je ne sais pas"))],
    )
    fields["comment"] = TextAreaField(
        _l("Commentaire (facultatif)"),
        filters=[strip],
        validators=[Optional(), Length(max=2000), few_links],
        description=_l(
            "Relu par un modérateur avant publication. N'y mettez pas de données "
            "personnelles (nom, téléphone, adresse)."
        ),
    )
    return type("RatingForm", (FlaskForm,), fields)


RatingForm = _rating_form()


class AnswerForm(FlaskForm):
    status = SelectField(_l("État"), choices=list(ANSWER_LABELS.items()))
    text = TextAreaField(
        _l("Réponse publique"),
        filters=[strip],
        validators=[DataRequired(_l("Écrivez la réponse.")), Length(max=3000)],
    )
    signed_as = StringField(
        _l("Signée en tant que"),
        filters=[strip],
        validators=[DataRequired(_l("Indiquez votre fonction.")), Length(max=120)],
        description=_l("Par exemple : responsable de la piscine."),
    )


class ImportForm(FlaskForm):
    source = StringField(
        _l("Nom de la source"),
        filters=[strip],
        validators=[DataRequired(_l("Donnez un nom à la source.")), Length(max=80)],
        description=_l("Le même nom à chaque import du même jeu de données."),
    )
    dataset = StringField(
        _l("Titre du jeu de données"), filters=[strip], validators=[Optional(), Length(max=200)]
    )
    file = FileField(_l("Fichier (CSV ou GeoJSON)"))
    format = SelectField(
        _l("Format"), choices=[("auto", _l("Détecter")), ("csv", "CSV"), ("geojson", "GeoJSON")]
    )


class ProposalFromServiceForm(FlaskForm):
    consultation_id = SelectField(_l("Concertation"), coerce=int)
    title = StringField(
        _l("Titre de la proposition"),
        filters=[strip],
        validators=[DataRequired(_l("Donnez un titre.")), Length(min=5, max=200)],
    )
    body = TextAreaField(
        _l("Texte"),
        filters=[strip],
        validators=[DataRequired(_l("Décrivez la proposition.")), Length(min=10, max=5000)],
    )


class PictureForm(FlaskForm):
    picture = FileField(
        _l("Photo ou image du service (PNG, JPEG ou WebP, 5 Mo au plus)"),
        validators=[FileRequired(_l("Choisissez une image."))],
    )
    picture_alt = StringField(
        _l("Texte alternatif de l'image"),
        filters=[strip],
        validators=[
            DataRequired(_l("Décrivez l'image en quelques mots (texte alternatif).")),
            Length(max=300),
        ],
        description=_l("Ce que montre l'image, pour qui ne la voit pas."),
    )
