"""`flask civic events ...`: import the territory's agenda files, send the reminders.

flask civic events import export-openagenda.json --source openagenda-sicoval
flask civic events reminders        (hourly or daily, from cron or a systemd timer)
"""

import json
from pathlib import Path

import click
from flask.cli import AppGroup

from civic.cli_i18n import _c, echo_rejected
from civic.core.jobs import site_request_context
from civic.extensions import db

events_cli = AppGroup("events", help=_c("Agenda partagé : événements, imports, rappels."))


@events_cli.command(
    "import",
    help=_c(
        "Importe des événements d'un export OpenAgenda (JSON ou CSV) ou d'un fichier "
        "iCalendar ; réimporter le même fichier ne crée pas de doublon."
    ),
)
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--source", required=True, help=_c("Nom stable de la source (clé des réimports)."))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["auto", "openagenda-json", "csv", "ical"]),
    default="auto",
    help=_c("Format du fichier (auto : d'après son nom et son contenu)."),
)
@click.option("--dry-run", is_flag=True, help=_c("Tout vérifier sans rien enregistrer."))
@click.option("--json", "as_json", is_flag=True, help=_c("Résultat en JSON."))
def import_command(path, source, fmt, dry_run, as_json):
    from civic.events import importer, services

    try:
        parsed = importer.parse(Path(path).read_bytes(), fmt, Path(path).name)
    except (OSError, importer.UnreadableFile) as error:
        raise click.ClickException(
            _c("fichier illisible, rien n'est importé : %(why)s", why=error)
        ) from error
    if not parsed.rows:
        echo_rejected(parsed.rejected)
        raise click.ClickException(_c("aucun événement importable : rien n'est importé."))
    with site_request_context():
        report = services.import_events(None, source, parsed.rows, parsed.rejected)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False))
    else:
        click.echo(
            _c(
                "Événements créés : %(created)s ; mis à jour : %(updated)s ; inchangés : "
                "%(unchanged)s ; refusés : %(rejected)s.",
                created=report.created,
                updated=report.updated,
                unchanged=report.unchanged,
                rejected=len(report.rejected),
            )
        )
        echo_rejected(report.rejected)
    if dry_run:
        click.echo(_c("Essai (--dry-run) : rien n'a été enregistré."))


@events_cli.command(
    "reminders",
    help=_c("Envoie le rappel aux inscrits des événements qui commencent dans les 36 heures."),
)
def reminders_command():
    from civic.events import services

    with site_request_context():
        sent = services.send_reminders()
    db.session.commit()
    click.echo(_c("Rappels envoyés : %(n)s.", n=sent))
