"""`flask civic events import` and `flask civic events reminders`."""

import sqlalchemy as sa

from civic.core.catalogues import french_spacing as fr
from civic.events.models import Event
from tests.unit.events.test_importer import CSV


def invoke(app, *args):
    return app.test_cli_runner().invoke(args=["civic", "events", *args])


def test_import_command_is_idempotent(app, db, tmp_path, monkeypatch):
    monkeypatch.setenv("CIVIC_LANGUAGE", "fr")
    path = tmp_path / "openagenda.csv"
    path.write_text(CSV, encoding="utf-8")
    first = invoke(app, "import", str(path), "--source", "openagenda-sicoval")
    assert first.exit_code == 0, first.output
    assert (
        fr("Événements créés : 2 ; mis à jour : 0 ; inchangés : 0 ; refusés : 2.") in first.output
    )
    second = invoke(app, "import", str(path), "--source", "openagenda-sicoval")
    assert fr("Événements créés : 0 ; mis à jour : 0 ; inchangés : 2") in second.output
    count = db.session.scalar(
        sa.select(sa.func.count()).where(Event.source == "openagenda-sicoval")
    )
    assert count == 2


def test_import_command_dry_run_and_unreadable_file(app, db, tmp_path, monkeypatch):
    monkeypatch.setenv("CIVIC_LANGUAGE", "fr")
    path = tmp_path / "openagenda.csv"
    path.write_text(CSV, encoding="utf-8")
    dry = invoke(app, "import", str(path), "--source", "essai", "--dry-run")
    assert "rien n'a été enregistré" in dry.output
    assert not db.session.scalar(sa.select(sa.func.count()).where(Event.source == "essai"))
    bad = tmp_path / "vide.csv"
    bad.write_text("a;b\n1;2\n", encoding="utf-8")
    result = invoke(app, "import", str(bad), "--source", "essai")
    assert result.exit_code != 0
    assert "fichier illisible" in result.output


def test_reminders_command(app, db, monkeypatch):
    monkeypatch.setenv("CIVIC_LANGUAGE", "fr")
    result = invoke(app, "reminders")
    assert result.exit_code == 0
    assert fr("Rappels envoyés : 0.") in result.output
