"""`flask --app wsgi civic ...`: the commands of agents and operators."""

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from civic.analysis.commands import analysis_cli
from civic.core.jobs import site_request_context
from civic.extensions import db
from civic.workshops.commands import workshops_cli

civic_cli = AppGroup("civic", help="Commandes de Civic.")
territory_cli = AppGroup("territory", help="Les communes du Sicoval.")
accounts_cli = AppGroup("accounts", help="Comptes et rôles.")
outbox_cli = AppGroup("outbox", help="Courriels en attente.")
civic_cli.add_command(territory_cli)
civic_cli.add_command(accounts_cli)
civic_cli.add_command(outbox_cli)


@territory_cli.command("load")
def territory_load():
    """Load or update the 36 communes (idempotent)."""
    from civic.territory.services import load_communes

    result = load_communes()
    db.session.commit()
    click.echo(f"created={result.created} updated={result.updated} unchanged={result.unchanged}")


@civic_cli.command("demo")
@click.option(
    "--if-empty", is_flag=True, help="Ne rien faire si la base contient déjà des comptes."
)
def demo(if_empty: bool):
    """Fill an empty database with the demo content, and print the demo accounts."""
    from civic.demo import DemoError, demo_accounts, load_demo

    # The demo's own e-mails (invitations, minutes…) would bury its accounts on the console.
    current_app.config["CIVIC_MAIL_ECHO"] = False
    try:
        with site_request_context():
            accounts = load_demo(if_empty=if_empty)
    except DemoError as error:
        raise click.ClickException(str(error)) from error
    if accounts is None:
        existing = demo_accounts()
        if not existing:
            click.echo("La base contient déjà des comptes, et aucun compte de démonstration.")
            return
        click.echo("La démo est déjà chargée. Ses comptes (un par rôle) :")
        for role, email in existing:
            click.echo(f"  {role:<12} {email}")
        click.echo(
            "Leurs mots de passe ont été affichés au premier lancement. `make reset` vide la base :"
            " le prochain `make run` recrée la démo avec de nouveaux mots de passe."
        )
        return
    db.session.commit()
    click.echo("Comptes de démonstration (développement uniquement) :")
    for role, email, password in accounts:
        click.echo(f"  {role:<12} {email:<32} {password}")


@accounts_cli.command("grant")
@click.argument("email")
@click.argument("role")
def grant(email: str, role: str):
    """Grant ROLE to the account EMAIL (first administrator, for instance)."""
    from civic.accounts.models import GRANTABLE_ROLES, RoleGrant
    from civic.accounts.services import get_by_email
    from civic.core.models import audit

    if role not in {r.value for r in GRANTABLE_ROLES}:
        raise click.BadParameter(f"rôles possibles : {', '.join(r.value for r in GRANTABLE_ROLES)}")
    user = get_by_email(email)
    if user is None:
        raise click.ClickException("aucun compte avec cette adresse")
    if not user.has_role(role):
        user.grants.append(RoleGrant(role=role))
        audit(None, "role.granted", "user", user.id, reason="command line", role=role)
    db.session.commit()
    click.echo(f"{role} accordé au compte n° {user.id}")


@accounts_cli.command("retention")
def retention():
    """Warn, then erase, accounts unused for CIVIC_RETENTION_DAYS (run daily)."""
    from civic.accounts.services import apply_retention

    with site_request_context():
        warned, erased = apply_retention()
    db.session.commit()
    click.echo(f"warned={warned} erased={erased}")


@civic_cli.command("digests")
def digests():
    """Send the daily digests of followed consultations (run once a day)."""
    from civic.consultations.services import send_daily_digests

    with site_request_context():
        sent = send_daily_digests()
    db.session.commit()
    click.echo(f"sent={sent}")


moderation_cli = AppGroup("moderation", help="Modération.")
civic_cli.add_command(moderation_cli)


@moderation_cli.command("digest")
def moderation_digest():
    """E-mail the moderators what waits in the queue (run once a day)."""
    from civic.moderation.services import send_digest

    with site_request_context():
        sent = send_digest()
    db.session.commit()
    click.echo(f"sent={sent}")


@moderation_cli.command("alerts")
def moderation_alerts():
    """Alert the moderators of items waiting beyond the service target (run every hour)."""
    from civic.moderation.services import alert_late_items

    with site_request_context():
        late = alert_late_items()
    db.session.commit()
    click.echo(f"late={late}")


@outbox_cli.command("flush")
def outbox_flush():
    """Try again to send every e-mail still waiting in the outbox."""
    from civic.core.notify import deliver, pending_ids

    sent = sum(1 for mail_id in pending_ids() if deliver(mail_id))
    db.session.commit()
    click.echo(f"sent={sent}")


@civic_cli.command("worker")
def worker():
    """Run an RQ worker on CIVIC_REDIS_URL's queue."""
    from flask import current_app
    from rq import Worker

    from civic.core.jobs import QUEUE_NAME, redis_connection

    if not current_app.config["CIVIC_REDIS_URL"]:
        raise click.ClickException(
            "CIVIC_REDIS_URL n'est pas défini : les tâches s'exécutent directement, sans worker."
        )
    Worker([QUEUE_NAME], connection=redis_connection()).work()


@civic_cli.command("check-db")
def check_db():
    """Exit non-zero when the database cannot be reached (for health checks)."""
    db.session.execute(sa.text("SELECT 1"))
    click.echo("ok")


ratings_cli = AppGroup("ratings", help="Services publics et avis.")
civic_cli.add_command(ratings_cli)


@ratings_cli.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--source", required=True, help="Nom stable de la source (clé des réimports).")
@click.option("--format", "fmt", type=click.Choice(["csv", "geojson", "auto"]), default="auto")
@click.option(
    "--map",
    "mapping",
    multiple=True,
    metavar="FIELD=COLUMN",
    help="Colonne à utiliser pour un champ (id, name, type, address, postcode, "
    "commune, insee, lat, lon, hours, phone, email, website).",
)
@click.option("--dry-run", is_flag=True, help="Tout vérifier sans rien enregistrer.")
@click.option("--json", "as_json", is_flag=True, help="Résultat en JSON.")
def ratings_import(path, source, fmt, mapping, dry_run, as_json):
    """Import public services from an open-data CSV or GeoJSON file."""
    import json
    from datetime import UTC, datetime
    from pathlib import Path

    from civic.ratings import importer, services

    overrides = {}
    for item in mapping:
        name, sep, column = item.partition("=")
        if not sep:
            raise click.BadParameter(f"attendu FIELD=COLUMN : {item}", param_hint="--map")
        overrides[name.strip()] = column.strip()
    try:
        data = Path(path).read_bytes()
        parsed = importer.parse(data, fmt, path, overrides)
    except (OSError, importer.UnreadableFile) as error:
        raise click.ClickException(f"fichier illisible, rien n'est importé : {error}") from error
    file_date = datetime.fromtimestamp(Path(path).stat().st_mtime, UTC)
    with site_request_context():
        report = services.import_services(
            None, source, parsed, filename=Path(path).name, file_date=file_date
        )
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False))
    else:
        click.echo(
            f"created={report.created} updated={report.updated} "
            f"unchanged={report.unchanged} rejected={len(report.rejected)}"
        )


@ratings_cli.command("export")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False))
def ratings_export(out):
    """Write the ratings open data (monthly aggregates, comments, Table Schemas)."""
    from pathlib import Path

    from civic.ratings import export

    for path in export.write(Path(out)):
        click.echo(str(path))


opendata_cli = AppGroup("opendata", help="Données ouvertes.")
civic_cli.add_command(opendata_cli)


@opendata_cli.command("export")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False))
def opendata_export(out):
    """Write every dataset (CSV, JSON, Table Schema) and the DCAT-AP catalogue to OUT."""
    from pathlib import Path

    from civic.opendata import publish

    with site_request_context():
        written = publish.write(Path(out))
    for path in written:
        click.echo(str(path))


# The pure commands of the analysis and selection engines: no app context needed.
civic_cli.add_command(analysis_cli)
civic_cli.add_command(workshops_cli)
