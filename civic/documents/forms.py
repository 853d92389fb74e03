from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import RadioField, SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.validators import DataRequired, Length, Optional

from civic.core.validators import few_links, strip
from civic.documents.models import DECISION_LABELS, REACTION_LABELS

SOURCE_HELP = _l(
    "Markdown : « # Titre », « ## Sous-titre » ; une ligne vide entre deux paragraphes. Une "
    "action est un titre qui commence par « Action » (« ### Action 3 : Rénover les écoles »), "
    "suivi de sa description et des lignes « Pilote : … », « Budget : 1 200 000 € » et "
    "« Indicateurs : … ; … »."
)


class ImportForm(FlaskForm):
    title = StringField(
        _l("Titre du texte"),
        filters=[strip],
        validators=[DataRequired(_l("Donnez un titre au texte.")), Length(max=200)],
    )
    summary = TextAreaField(
        _l("Présentation (facultatif)"), filters=[strip], validators=[Length(max=2000)]
    )
    source = TextAreaField(
        _l("Texte à coller"),
        validators=[Optional(), Length(max=500_000)],
        description=SOURCE_HELP,
    )
    upload = FileField(
        _l("Ou fichier (.docx, .odt ou .md)"),
        description=_l(
            "Word, OpenDocument ou Markdown en UTF-8 ; il remplace le texte collé. Dans un "
            "document Word ou OpenDocument, les styles « Titre 1 » à « Titre 4 » font les "
            "titres, et les listes à puces restent des listes."
        ),
    )


class ReactionForm(FlaskForm):
    kind = RadioField(
        _l("Votre réaction"),
        choices=list(REACTION_LABELS.items()),
        validators=[DataRequired(_l("Choisissez « d'accord », « pas d'accord » ou « question »."))],
    )
    body = TextAreaField(
        _l("Commentaire ou question"),
        filters=[strip],
        validators=[Length(max=3000), few_links],
        description=_l("Facultatif pour « d'accord » et « pas d'accord »."),
    )


class AmendmentForm(FlaskForm):
    text = TextAreaField(
        _l("Nouvelle rédaction du passage"),
        filters=[strip],
        validators=[
            DataRequired(_l("Écrivez la nouvelle rédaction que vous proposez.")),
            Length(max=20_000),
            few_links,
        ],
        description=_l("Modifiez le texte actuel : la différence sera montrée mot à mot."),
    )
    reason = TextAreaField(
        _l("Pourquoi ce changement ? (facultatif)"),
        filters=[strip],
        validators=[Length(max=3000), few_links],
    )


class DecisionForm(FlaskForm):
    decision = RadioField(
        _l("Décision"),
        choices=list(DECISION_LABELS.items()),
        validators=[DataRequired(_l("Choisissez une décision."))],
    )
    justification = TextAreaField(
        _l("Justification"),
        filters=[strip],
        validators=[
            DataRequired(_l("Justifiez la décision : son auteur la lira.")),
            Length(max=5000),
        ],
    )


class ItemAnswerForm(FlaskForm):
    answer = TextAreaField(
        _l("Réponse aux réactions sur ce passage"),
        filters=[strip],
        validators=[DataRequired(_l("Écrivez la réponse.")), Length(max=5000)],
    )


class VersionForm(FlaskForm):
    source = TextAreaField(
        _l("Texte de la nouvelle version"),
        validators=[
            DataRequired(_l("Collez le texte de la nouvelle version.")),
            Length(max=500_000),
        ],
        description=SOURCE_HELP,
    )
    note = TextAreaField(
        _l("Ce qui change"),
        filters=[strip],
        validators=[DataRequired(_l("Dites en quelques mots ce qui change.")), Length(max=3000)],
    )
    amendments = SelectMultipleField(
        _l("Amendements à l'origine des changements"),
        coerce=int,
        validators=[Optional()],
        option_widget=widgets.CheckboxInput(),
        widget=widgets.ListWidget(prefix_label=False),
    )
