"""`flask civic assistant ...`: train the intent classifier, apply the retention rules.

flask civic assistant train       (after staff added examples; workers load the new file)
flask civic assistant retention   (daily, from cron or a systemd timer)
flask civic assistant examples    (the examples staff added, as CSV rows to review and commit)
"""

import time

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from civic.cli_i18n import _c
from civic.extensions import db

assistant_cli = AppGroup("assistant", help=_c("Assistant : questions, demandes, entraînement."))


@assistant_cli.command(
    "train",
    help=_c(
        "Entraîne la reconnaissance des questions sur les exemples du dépôt et ceux ajoutés "
        "par l'équipe, et écrit le fichier du modèle."
    ),
)
def train_command():
    from civic.assistant import classifier
    from civic.assistant.models import TrainingExample
    from civic.territory.models import Commune

    started = time.perf_counter()
    examples = classifier.read_examples()
    added = [
        (e.question, e.intent)
        for e in db.session.scalars(sa.select(TrainingExample).order_by(TrainingExample.id))
    ]
    communes = tuple(db.session.scalars(sa.select(Commune.name).order_by(Commune.id)))
    model = classifier.train(examples + added, communes or classifier.territory_communes())
    classifier.save(model)
    click.echo(
        _c(
            "Modèle entraîné sur %(repo)s exemples du dépôt et %(added)s de l'équipe en "
            "%(seconds)s s : %(path)s",
            repo=len(examples),
            added=len(added),
            seconds=f"{time.perf_counter() - started:.1f}",
            path=classifier.MODEL,
        )
    )


@assistant_cli.command(
    "retention",
    help=_c(
        "Efface les coordonnées des demandes répondues depuis CIVIC_ASSISTANT_RETENTION_DAYS "
        "jours et les questions plus anciennes que CIVIC_ASSISTANT_QUESTIONS_DAYS (chaque jour)."
    ),
)
def retention_command():
    from civic.assistant.services import apply_retention

    erased, deleted = apply_retention()
    db.session.commit()
    click.echo(
        _c(
            "Demandes effacées : %(erased)s ; questions supprimées : %(deleted)s.",
            erased=erased,
            deleted=deleted,
        )
    )


@assistant_cli.command(
    "examples",
    help=_c(
        "Écrit en CSV les exemples ajoutés par l'équipe, pour les relire et les verser dans "
        "civic/assistant/data/training.csv."
    ),
)
def examples_command():
    import csv
    import sys

    from civic.assistant.models import TrainingExample
    from civic.assistant.recognition import INTENTS

    writer = csv.writer(sys.stdout, lineterminator="\n")
    for example in db.session.scalars(sa.select(TrainingExample).order_by(TrainingExample.id)):
        if example.intent in INTENTS:
            writer.writerow([example.question, example.intent, "", "", "", "", ""])
