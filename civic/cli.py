"""`flask --app wsgi civic ...`: the commands of agents and operators."""

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from civic.analysis.commands import analysis_cli
from civic.assistant.commands import assistant_cli
from civic.cli_i18n import _c, _cn, echo_rejected
from civic.core.jobs import site_request_context
from civic.events.commands import events_cli
from civic.extensions import db
from civic.workshops.commands import workshops_cli

civic_cli = AppGroup("civic", help=_c("Commandes de Civic."))
territory_cli = AppGroup("territory", help=_c("Les communes du territoire."))
accounts_cli = AppGroup("accounts", help=_c("Comptes et rôles."))
outbox_cli = AppGroup("outbox", help=_c("Courriels en attente."))
civic_cli.add_command(territory_cli)
civic_cli.add_command(accounts_cli)
civic_cli.add_command(outbox_cli)


@territory_cli.command(
    "load",
    help=_c(
        "Charge ou met à jour les communes depuis des fichiers GeoJSON (IGN Admin Express, "
        "geo.api.gouv.fr, france-geojson) ; sans fichier, ceux de CIVIC_TERRITORY_FILES, "
        "sinon le territoire de démonstration. "
        "Une commune absente du résultat quitte le territoire (fermée, jamais supprimée)."
    ),
)
@click.argument("paths", nargs=-1)
@click.option("--epci", help=_c("Ne garder que les communes de cet EPCI (numéro SIREN)."))
@click.option(
    "--departement", help=_c("Ne garder que les communes de ce département (31, 2A, 974).")
)
@click.option(
    "--communes", help=_c("Ne garder que ces communes (codes INSEE séparés par des virgules).")
)
@click.option(
    "--postcodes",
    help=_c(
        "Fichier des codes postaux (codes-postaux JSON, CSV de La Poste ou insee;code_postal)."
    ),
)
@click.option("--json", "as_json", is_flag=True, help=_c("Résultat en JSON."))
def territory_load(paths, epci, departement, communes, postcodes, as_json):
    import json
    import os
    from pathlib import Path

    from civic.territory.services import load_communes, read_communes
    from civic.territory.sources import TerritoryFileError, read_postcodes

    settings = current_app.config
    if not paths and settings.get("CIVIC_TERRITORY_FILES"):
        # The deployment's territory; options given on the command line still win.
        paths = [p for p in settings["CIVIC_TERRITORY_FILES"].split(os.pathsep) if p]
        epci = epci or settings.get("CIVIC_TERRITORY_EPCI") or None
        departement = departement or settings.get("CIVIC_TERRITORY_DEPARTEMENT") or None
        communes = communes or settings.get("CIVIC_TERRITORY_COMMUNES") or None
        postcodes = postcodes or settings.get("CIVIC_TERRITORY_POSTCODES") or None
    wanted = {c.strip().upper() for c in communes.split(",") if c.strip()} if communes else None
    try:
        codes = read_postcodes(Path(postcodes)) if postcodes else None
        rows = read_communes(
            [Path(p) for p in paths],
            postcodes=codes,
            epci=epci,
            departement=departement,
            communes=wanted,
        )
    except TerritoryFileError as error:
        raise click.ClickException(_c("rien n'est chargé : %(why)s", why=error)) from error
    if not rows:
        # Loading nothing would close every commune of the territory.
        raise click.ClickException(
            _c("aucune commune ne répond à ces critères : rien n'est chargé.")
        )
    result = load_communes(rows)
    db.session.commit()
    unknown = sum(1 for row in rows if not row["population_known"])
    no_postcode = sum(1 for row in rows if not row["postcode"])
    if as_json:
        click.echo(
            json.dumps(
                {
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                    "closed": result.closed,
                    "population_unknown": unknown,
                    "without_postcode": no_postcode,
                }
            )
        )
        return
    click.echo(
        _c(
            "Communes créées : %(created)s ; mises à jour : %(updated)s ; "
            "inchangées : %(unchanged)s.",
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
        )
    )
    if result.closed:
        click.echo(
            _c(
                "Communes sorties du territoire (fermées, leurs contributions gardées) : "
                "%(closed)s.",
                closed=result.closed,
            )
        )
    if unknown:
        click.echo(
            _cn(
                "Population inconnue pour %(num)s commune (le fichier n'en donne pas) : les "
                "chiffres de représentativité ne la pèsent pas.",
                "Population inconnue pour %(num)s communes (le fichier n'en donne pas) : les "
                "chiffres de représentativité ne les pèsent pas.",
                unknown,
            )
        )
    if no_postcode:
        click.echo(
            _c("Sans code postal : %(n)s (donnez --postcodes FICHIER).", n=no_postcode)
        )


@civic_cli.command(
    "demo", help=_c("Remplit une base vide avec la démo et affiche ses comptes (développement).")
)
@click.option(
    "--if-empty", is_flag=True, help=_c("Ne rien faire si la base contient déjà des comptes.")
)
def demo(if_empty: bool):
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
            click.echo(_c("La base contient déjà des comptes, et aucun compte de démonstration."))
            return
        click.echo(_c("La démo est déjà chargée. Ses comptes (un par rôle) :"))
        for role, email in existing:
            click.echo(f"  {role:<12} {email}")
        click.echo(
            _c(
                "Leurs mots de passe ont été affichés au premier lancement. `make reset` vide la "
                "base : le prochain `make run` recrée la démo avec de nouveaux mots de passe."
            )
        )
        return
    db.session.commit()
    click.echo(_c("Comptes de démonstration (développement uniquement) :"))
    for role, email, password in accounts:
        click.echo(f"  {role:<12} {email:<32} {password}")


@accounts_cli.command(
    "grant", help=_c("Donne le rôle ROLE au compte EMAIL (le premier administrateur, par exemple).")
)
@click.argument("email")
@click.argument("role")
@click.option(
    "--communes",
    help=_c(
        "Limiter le rôle à ces communes (codes INSEE séparés par des virgules) ; sans cette "
        "option, tout le territoire."
    ),
)
def grant(email: str, role: str, communes: str | None):
    from civic.accounts.models import GRANTABLE_ROLES
    from civic.accounts.services import AccountError, get_by_email, set_roles
    from civic.territory.models import Commune

    if role not in {r.value for r in GRANTABLE_ROLES}:
        raise click.BadParameter(
            _c("rôles possibles : %(roles)s", roles=", ".join(r.value for r in GRANTABLE_ROLES)),
            param_hint="ROLE",
        )
    user = get_by_email(email)
    if user is None:
        raise click.ClickException(_c("aucun compte avec l'adresse %(email)s", email=email))
    codes = {c.strip().upper() for c in communes.split(",") if c.strip()} if communes else set()
    found = dict(
        db.session.execute(
            sa.select(Commune.insee, Commune.id).where(
                Commune.insee.in_(codes), Commune.closed_at.is_(None)
            )
        ).all()
    )
    if codes - found.keys():
        raise click.BadParameter(
            _c(
                "communes hors du territoire : %(codes)s",
                codes=", ".join(sorted(codes - found.keys())),
            ),
            param_hint="--communes",
        )
    roles = {g.role for g in user.grants} | {role}
    scopes = {g.role: {c.id for c in g.communes} for g in user.grants}
    scopes[role] = set(found.values())
    with site_request_context():
        try:
            set_roles(None, user, roles, scopes, reason="command line")
        except AccountError as error:
            raise click.ClickException(str(error)) from error
    db.session.commit()
    if codes:
        click.echo(
            _c(
                "Rôle %(role)s accordé au compte n° %(id)s pour les communes %(codes)s.",
                role=role,
                id=user.id,
                codes=", ".join(sorted(codes)),
            )
        )
    else:
        click.echo(_c("Rôle %(role)s accordé au compte n° %(id)s.", role=role, id=user.id))


@accounts_cli.command(
    "retention",
    help=_c(
        "Prévient, puis efface, les comptes inutilisés depuis CIVIC_RETENTION_DAYS jours "
        "(chaque jour)."
    ),
)
def retention():
    from civic.accounts.services import apply_retention

    with site_request_context():
        warned, erased = apply_retention()
    db.session.commit()
    click.echo(
        _c("Comptes prévenus : %(warned)s ; effacés : %(erased)s.", warned=warned, erased=erased)
    )


@civic_cli.command(
    "digests",
    help=_c("Envoie les résumés de nouvelles du jour, et le lundi ceux de la semaine."),
)
def digests():
    from civic.core.notify import send_digests

    with site_request_context():
        sent = send_digests()
    db.session.commit()
    click.echo(_c("Courriels envoyés : %(sent)s.", sent=sent))


moderation_cli = AppGroup("moderation", help=_c("Modération."))
civic_cli.add_command(moderation_cli)


@moderation_cli.command(
    "digest", help=_c("Envoie aux modérateurs ce qui attend une décision (chaque jour).")
)
def moderation_digest():
    from civic.moderation.services import send_digest

    with site_request_context():
        sent = send_digest()
    db.session.commit()
    click.echo(_c("Courriels envoyés : %(sent)s.", sent=sent))


@moderation_cli.command(
    "alerts",
    help=_c(
        "Alerte les modérateurs des contenus en attente au-delà du délai cible (chaque heure)."
    ),
)
def moderation_alerts():
    from civic.moderation.services import alert_late_items

    with site_request_context():
        late = alert_late_items()
    db.session.commit()
    click.echo(_c("Contenus en retard : %(late)s.", late=late))


@outbox_cli.command(
    "flush", help=_c("Réessaie d'envoyer chaque courriel qui attend dans la boîte d'envoi.")
)
def outbox_flush():
    from civic.core.notify import deliver, pending_ids

    sent = sum(1 for mail_id in pending_ids() if deliver(mail_id))
    db.session.commit()
    click.echo(_c("Courriels envoyés : %(sent)s.", sent=sent))


@civic_cli.command(
    "worker", help=_c("Lance un worker RQ sur la file de CIVIC_REDIS_URL (tâches de fond).")
)
def worker():
    from flask import current_app
    from rq import Worker

    from civic.core.jobs import QUEUE_NAME, redis_connection

    if not current_app.config["CIVIC_REDIS_URL"]:
        raise click.ClickException(
            _c(
                "CIVIC_REDIS_URL n'est pas défini : les tâches s'exécutent directement, "
                "sans worker."
            )
        )
    Worker([QUEUE_NAME], connection=redis_connection()).work()


@civic_cli.command(
    "check-db", help=_c("Vérifie que la base de données répond (code de sortie non nul sinon).")
)
def check_db():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as error:
        raise click.ClickException(_c("la base de données ne répond pas.")) from error
    click.echo(_c("La base de données répond."))


ratings_cli = AppGroup("ratings", help=_c("Services publics et avis."))
civic_cli.add_command(ratings_cli)


@ratings_cli.command(
    "import",
    help=_c("Importe les services publics d'un fichier de données ouvertes CSV ou GeoJSON."),
)
@click.argument("path")
@click.option("--source", required=True, help=_c("Nom stable de la source (clé des réimports)."))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "geojson", "auto"]),
    default="auto",
    help=_c("Format du fichier (auto : d'après son nom et son contenu)."),
)
@click.option(
    "--map",
    "mapping",
    multiple=True,
    metavar="FIELD=COLUMN",
    help=_c(
        "Colonne à utiliser pour un champ (id, name, type, address, postcode, "
        "commune, insee, lat, lon, hours, phone, email, website)."
    ),
)
@click.option("--dry-run", is_flag=True, help=_c("Tout vérifier sans rien enregistrer."))
@click.option("--json", "as_json", is_flag=True, help=_c("Résultat en JSON."))
def ratings_import(path, source, fmt, mapping, dry_run, as_json):
    import json
    from datetime import UTC, datetime
    from pathlib import Path

    from civic.ratings import importer, services

    overrides = {}
    for item in mapping:
        name, sep, column = item.partition("=")
        if not sep:
            raise click.BadParameter(
                _c("attendu FIELD=COLUMN, reçu « %(item)s »", item=item), param_hint="--map"
            )
        if name.strip() not in importer.FIELDS:
            raise click.BadParameter(
                _c(
                    "champ inconnu « %(name)s » ; champs possibles : %(fields)s",
                    name=name.strip(),
                    fields=", ".join(importer.FIELDS),
                ),
                param_hint="--map",
            )
        overrides[name.strip()] = column.strip()
    # Read here rather than checked by click.Path, whose os.stat fails on a NUL byte.
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError as error:
        raise click.BadParameter(
            _c("fichier introuvable : %(path)s", path=path), param_hint="PATH"
        ) from error
    except (OSError, ValueError) as error:
        raise click.BadParameter(
            _c("fichier illisible : %(path)s", path=path.replace("\0", "")), param_hint="PATH"
        ) from error
    try:
        parsed = importer.parse(data, fmt, path, overrides)
    except importer.UnreadableFile as error:
        raise click.ClickException(
            _c("fichier illisible, rien n'est importé : %(why)s", why=error)
        ) from error
    if not parsed.rows:
        # An import closes the services its source no longer lists: an empty one would close all.
        echo_rejected(parsed.rejected)
        raise click.ClickException(_c("aucune ligne importable : rien n'est importé."))
    file_date = datetime.fromtimestamp(Path(path).stat().st_mtime, UTC)
    try:
        with site_request_context():
            report = services.import_services(
                None, source, parsed, filename=Path(path).name, file_date=file_date
            )
    except services.RatingError as error:
        raise click.BadParameter(str(error), param_hint="--source") from error
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False))
    else:
        click.echo(
            _c(
                "Services créés : %(created)s ; mis à jour : %(updated)s ; inchangés : "
                "%(unchanged)s ; hors territoire : %(outside)s ; lignes refusées : "
                "%(rejected)s.",
                created=report.created,
                updated=report.updated,
                unchanged=report.unchanged,
                outside=report.outside,
                rejected=len(report.rejected),
            )
        )
        echo_rejected(report.rejected)
    if dry_run:
        click.echo(_c("Essai (--dry-run) : rien n'a été enregistré."))


@ratings_cli.command(
    "export",
    help=_c("Écrit les données ouvertes des avis (moyennes mensuelles, commentaires, schémas)."),
)
@click.option("--out", "out", required=True, help=_c("Dossier de sortie."))
def ratings_export(out):
    from pathlib import Path

    from civic.ratings import export

    try:
        written = list(export.write(Path(out)))
    except (OSError, ValueError) as error:
        raise click.ClickException(
            _c("écriture impossible dans %(out)s : %(why)s", out=out, why=error)
        ) from error
    for path in written:
        click.echo(str(path))


opendata_cli = AppGroup("opendata", help=_c("Données ouvertes."))
civic_cli.add_command(opendata_cli)


@opendata_cli.command(
    "export",
    help=_c("Écrit chaque jeu de données (CSV, JSON, Table Schema) et le catalogue DCAT-AP."),
)
@click.option("--out", "out", required=True, help=_c("Dossier de sortie."))
def opendata_export(out):
    from pathlib import Path

    from civic.opendata import publish

    try:
        with site_request_context():
            written = list(publish.write(Path(out)))
    except (OSError, ValueError) as error:
        raise click.ClickException(
            _c("écriture impossible dans %(out)s : %(why)s", out=out, why=error)
        ) from error
    for path in written:
        click.echo(str(path))


# The pure commands of the analysis and selection engines: no app context needed.
civic_cli.add_command(analysis_cli)
civic_cli.add_command(workshops_cli)
civic_cli.add_command(events_cli)
civic_cli.add_command(assistant_cli)
